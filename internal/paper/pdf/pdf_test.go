package pdf

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/paper/font"
)

func gothic(t testing.TB) *font.Font {
	t.Helper()
	f, err := font.Gothic()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// write renders pages of lines to a file and returns its path.
func write(t *testing.T, pages [][]string) string {
	f := gothic(t)
	var buf bytes.Buffer
	pw := New(&buf, f, Info{Title: "試験", Creator: "Kofu"})
	for _, lines := range pages {
		err := pw.Page(A4, func(p *Page) {
			for i, l := range lines {
				gs, missing := f.Glyphs(l)
				if len(missing) > 0 {
					t.Fatalf("missing %q", missing)
				}
				p.Text(20, 30+float64(i)*8, 10.5, gs)
			}
			p.Rect(20, 200, 10, 10)
			p.Rect(35, 200, 5, 20)
			p.Fill()
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// TestTextComesBack: pdftotext reads the text back from every page,
// including kanji of JIS X 0213, Ext-B and an IVS sequence.
func TestTextComesBack(t *testing.T) {
	pages := [][]string{
		{"交付通知書番号 A1B-123456", "髙橋 𩸽 葛\U000E0100城 様"},
		{"〒669-1535 兵庫県三田市南が丘1丁目2-3", "受け取り期限: 2027年3月31日"},
	}
	path := write(t, pages)
	info := run(t, "pdfinfo", path)
	if !strings.Contains(info, "Pages:           2") || !strings.Contains(info, "Title:           試験") {
		t.Errorf("pdfinfo:\n%s", info)
	}
	for i, lines := range pages {
		text := run(t, "pdftotext", "-enc", "UTF-8", "-f", string(rune('1'+i)), "-l", string(rune('1'+i)), path, "-")
		for _, l := range lines {
			if !strings.Contains(text, l) {
				t.Errorf("page %d: %q not in extracted text:\n%s", i+1, l, text)
			}
		}
	}
	fonts := run(t, "pdffonts", path)
	if !strings.Contains(fonts, "+IPAexGothic") || !strings.Contains(fonts, "CID TrueType") || !strings.Contains(fonts, "yes yes yes") {
		t.Errorf("the font is not an embedded subset:\n%s", fonts)
	}
}

// TestPagesRenderInk: pdftoppm draws the page and the rectangles are ink.
func TestPagesRenderInk(t *testing.T) {
	path := write(t, [][]string{{"印刷"}})
	out := filepath.Join(t.TempDir(), "p")
	run(t, "pdftoppm", "-r", "50", "-gray", path, out)
	img, err := os.ReadFile(out + "-1.pgm")
	if err != nil {
		t.Fatal(err)
	}
	dark := 0
	for _, b := range img[len(img)-(413*585):] { // 50 dpi A4, ignoring the header
		if b < 128 {
			dark++
		}
	}
	// 10x10 mm and 5x20 mm at 50 dpi: about 390 + 390 pixels, plus text
	if dark < 700 || dark > 2000 {
		t.Errorf("%d dark pixels", dark)
	}
}
