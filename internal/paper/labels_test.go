package paper

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/postal"
)

func labelsOf(n int) []Label {
	var out []Label
	for i := range n {
		out = append(out, Label{Key: fmt.Sprint(i), PostalCode: "669-1535", Address: fmt.Sprintf("兵庫県三田市南が丘%d丁目%d-%d", i%3+1, i%40+1, i%9+1), Name: fmt.Sprintf("三田 %d郎", i+1)})
	}
	return out
}

func TestLabelsReadBack(t *testing.T) {
	ls := append(labelsOf(30),
		Label{Key: "gaiji", PostalCode: "669-1535", Address: "兵庫県三田市南が丘1丁目1", Name: "\uE000橋 花子"},
		Label{Key: "held-gaiji", PostalCode: "669-1535", Address: "兵庫県三田市\uE0FF町1", Name: "北野 遥"},
		Label{Key: "held-postal", PostalCode: "669-15", Address: "兵庫県三田市南が丘1丁目1", Name: "西村 蓮"},
		Label{Key: "held-address", PostalCode: "669-1535", Name: "東 湊"})
	for _, kind := range []int{12, 18, 21, 24} {
		var buf bytes.Buffer
		res, err := RenderLabels(&buf, LabelSheet{Labels: kind}, GaijiTable(map[rune]string{0xE000: "髙"}), slices.Values(ls))
		if err != nil {
			t.Fatal(err)
		}
		if res.Printed != 31 || res.Pages != (31+kind-1)/kind || len(res.Held) != 3 {
			t.Fatalf("%d: %+v", kind, res)
		}
		path := filepath.Join(t.TempDir(), "labels.pdf")
		os.WriteFile(path, buf.Bytes(), 0o600)
		text := tool(t, "pdftotext", "-enc", "UTF-8", path, "-")
		for _, s := range []string{"〒669-1535", "兵庫県三田市南が丘3丁目30-3", "三田 30郎 様", "髙橋 花子 様"} {
			if !strings.Contains(text, s) {
				t.Errorf("%d: %q not in the text", kind, s)
			}
		}
		if strings.Contains(text, "北野") || strings.Contains(text, "西村") {
			t.Errorf("%d: a held label was printed", kind)
		}
	}
}

// TestLabelBarcodeOnPaper rasterises a sheet at 600 dpi and reads the
// first label's barcode back from the pixels: every bar where the code
// puts it, with the manual's pitch and width.
func TestLabelBarcodeOnPaper(t *testing.T) {
	l := Label{Key: "1", PostalCode: "100-0013", Address: "東京都千代田区霞が関1丁目3番2号　郵便プラザ503室", Name: "郵便 太郎"}
	var buf bytes.Buffer
	if _, err := RenderLabels(&buf, LabelSheet{Labels: 12}, nil, slices.Values([]Label{l})); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "l.pdf")
	os.WriteFile(path, buf.Bytes(), 0o600)
	const dpi = 600
	tool(t, "pdftoppm", "-r", fmt.Sprint(dpi), "-gray", "-f", "1", "-l", "1", "-x", "0", "-y", "0", "-W", "2400", "-H", "1700", path, filepath.Join(dir, "p"))
	img := readPGM(t, filepath.Join(dir, "p-1.pgm"))
	px := func(mm float64) int { return int(mm * dpi / 25.4) }
	g := sheets[12]
	d := postal.Size(10)
	top := g.top + g.h - labelPad - 3*d.Row
	y0, y1 := px(top-1), px(top+3*d.Row+1)
	x0, x1 := px(g.left+labelPad-1), px(g.left+labelPad+d.Length()+1)

	var bars []postal.Bar
	var lefts []int
	for x := x0; x < x1; x++ {
		ink := img.column(x, y0, y1)
		if ink == nil || (x > x0 && img.column(x-1, y0, y1) != nil) {
			continue // not the left edge of a bar
		}
		lefts = append(lefts, x)
		mid := x + px(d.Width)/2
		c := img.column(mid, y0, y1)
		rows := func(y int) float64 { return (float64(y)*25.4/dpi - top) / d.Row }
		t0, t1 := rows(c[0]), rows(c[1]+1)
		switch {
		case t0 < 0.5 && t1 > 2.5:
			bars = append(bars, postal.Long)
		case t0 < 0.5:
			bars = append(bars, postal.Up)
		case t1 > 2.5:
			bars = append(bars, postal.Down)
		default:
			bars = append(bars, postal.Timing)
		}
	}
	code, _ := postal.Encode(l.PostalCode, l.Address)
	if !slices.Equal(bars, code.Bars()) {
		t.Fatalf("bars on paper %v\nwant %v", bars, code.Bars())
	}
	pitch := float64(lefts[len(lefts)-1]-lefts[0]) / float64(len(lefts)-1) * 25.4 / dpi
	if pitch < 1.15 || pitch > 1.25 {
		t.Errorf("pitch %.3f mm, want 1.2", pitch)
	}
}

type pgm struct {
	w, h int
	pix  []byte
}

// column returns the first and last dark rows of column x between y0 and
// y1, or nil.
func (p pgm) column(x, y0, y1 int) []int {
	var out []int
	for y := y0; y < y1; y++ {
		if p.pix[y*p.w+x] < 128 {
			if out == nil {
				out = []int{y, y}
			}
			out[1] = y
		}
	}
	return out
}

func readPGM(t *testing.T, path string) pgm {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var p pgm
	var maxv int
	if _, err := fmt.Fscanf(r, "P5\n%d %d\n%d\n", &p.w, &p.h, &maxv); err != nil {
		t.Fatal(err)
	}
	p.pix = make([]byte, p.w*p.h)
	if _, err := io.ReadFull(r, p.pix); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSettingsValidate(t *testing.T) {
	for _, s := range []LabelSheet{{Labels: 10}, {Labels: 12, OffsetX: 11}} {
		if s.Validate() == nil {
			t.Errorf("%+v accepted", s)
		}
	}
	for _, l := range []LetterLayout{{Paper: "b5"}, {Paper: PaperA4, WindowX: 20, WindowY: 70, WindowW: 90, WindowH: 45}, {Paper: PaperA4, WindowX: 20, WindowY: 15, WindowW: 40, WindowH: 45}} {
		if l.Validate() == nil {
			t.Errorf("%+v accepted", l)
		}
	}
	if DefaultLetterLayout.Validate() != nil || (LabelSheet{Labels: 24, OffsetX: -1.5, OffsetY: 2}).Validate() != nil {
		t.Error("the defaults are refused")
	}
}
