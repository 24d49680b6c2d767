package document

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/reserve"
)

// rules are the production normalisers, as the caller wires them.
var rules = Rules{
	Notice: func(s string) (string, bool) {
		v, err := ledger.NormalizeNoticeNumber(s)
		return v, err == nil
	},
	Booking: reserve.NormalizeCode,
}

func scanAll(t *testing.T, data []byte, name string) []PageScan {
	t.Helper()
	f := mustOpen(t, data, name)
	var got []PageScan
	err := Scan(context.Background(), f, ScanOptions{Rules: rules}, func(p PageScan) error {
		got = append(got, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != f.Pages() {
		t.Fatalf("%d pages scanned of %d", len(got), f.Pages())
	}
	return got
}

func texts(codes []Code) []string {
	var out []string
	for _, c := range codes {
		out = append(out, c.Text)
	}
	slices.Sort(out)
	return out
}

// The case: a generated PDF whose pages carry notice-number QR
// codes yields the right codes per page, and an unreadable page none.
func TestScanPDFReadsTheCodesOfEachPage(t *testing.T) {
	const dpi = 150
	pages := []testPage{
		{qr: []string{"A1B-123456"}, text: true, seed: 1},
		{text: true, seed: 2}, // a form without a code
		{qr: []string{"C3D-654321"}, smudged: true, text: true, seed: 3},
		{qr: []string{"E5F-111111", "https://yoyaku.example.jp/booking/manage?code=ABCD-EFGH&token=x"}, text: true, seed: 4},
		{qr: []string{"KOFU:proxy:G7H-222222"}, seed: 5},
	}
	var imgs []pdfImage
	for i, p := range pages {
		img := p.render(dpi)
		if i == 1 {
			imgs = append(imgs, flateBilevelPage(img, dpi))
			continue
		}
		imgs = append(imgs, jpegPage(t, img, dpi))
	}
	imgs = append(imgs, pdfImage{vector: true, w: 1240, h: 1753, dpi: dpi}) // no image to read
	got := scanAll(t, buildPDF(imgs), "stack.pdf")
	want := [][]string{
		{"A1B-123456"},
		nil,
		nil,
		{"E5F-111111", "https://yoyaku.example.jp/booking/manage?code=ABCD-EFGH&token=x"},
		{"KOFU:proxy:G7H-222222"},
		nil,
	}
	for i, p := range got {
		if p.Page != i+1 {
			t.Fatalf("page %d came as %d: out of order", i+1, p.Page)
		}
		if !slices.Equal(texts(p.Codes), want[i]) {
			t.Errorf("page %d: codes %v, want %v", i+1, texts(p.Codes), want[i])
		}
	}
	wantRefs := []Ref{{Type: RefNotice, Value: "E5F-111111"}, {Type: RefBooking, Value: "ABCDEFGH"}}
	if !sameRefs(got[3].Refs, wantRefs) {
		t.Errorf("page 4 refs %v, want %v", got[3].Refs, wantRefs)
	}
	if r := got[4].Refs; len(r) != 1 || r[0] != (Ref{Type: RefNotice, Value: "G7H-222222", Kind: KindProxy}) {
		t.Errorf("page 5 refs %v", r)
	}
	if got[5].Err == nil || got[5].Thumb != nil {
		t.Errorf("the vector page should fail to read and have no thumbnail: %+v", got[5])
	}
	if d := Unreadable(got[5].Err); d.Review != ReviewUnreadable {
		t.Errorf("an unreadable page goes to review: %+v", d)
	}
	for i, p := range got[:5] {
		if p.Err != nil || len(p.Thumb) == 0 || len(p.File) == 0 {
			t.Errorf("page %d: err %v, thumb %d bytes, file %d bytes", i+1, p.Err, len(p.Thumb), len(p.File))
		}
	}
}

func sameRefs(a, b []Ref) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(r Ref) bool { return !slices.Contains(b, r) })
}

func TestScanTIFFStack(t *testing.T) {
	const dpi = 150
	imgs := []*image.Gray{
		testPage{qr: []string{"Z9Y-000001"}, text: true, seed: 7}.render(dpi),
		testPage{text: true, seed: 8}.render(dpi),
		testPage{qr: []string{"KOFU:receipt:card-42"}, seed: 9}.render(dpi),
	}
	got := scanAll(t, buildTIFF(imgs, image.Point{}), "stack.tif")
	want := [][]string{{"Z9Y-000001"}, nil, {"KOFU:receipt:card-42"}}
	for i, p := range got {
		if !slices.Equal(texts(p.Codes), want[i]) {
			t.Errorf("page %d: %v, want %v", i+1, texts(p.Codes), want[i])
		}
		if p.Format != PNG {
			t.Errorf("page %d split as %s, want PNG", i+1, p.Format)
		}
		split, err := png.Decode(bytes.NewReader(p.File))
		if err != nil || split.Bounds() != imgs[i].Bounds() {
			t.Errorf("page %d: split file %v, %v", i+1, split.Bounds(), err)
		}
	}
	if r := got[2].Refs; len(r) != 1 || r[0] != (Ref{Type: RefCard, Value: "42", Kind: KindReceipt}) {
		t.Errorf("page 3 refs %v", r)
	}
}

func TestReadCodesFindsBarcodes(t *testing.T) {
	page := testPage{code128: []string{"A1B-123456", "ABCD-EFGH"}, codabar: []string{"A123-456789A"}, text: true, seed: 11}.render(150)
	got := ReadCodes(page)
	want := []Code{{"CODABAR", "123-456789"}, {"CODE_128", "A1B-123456"}, {"CODE_128", "ABCD-EFGH"}}
	if !slices.Equal(got, want) {
		t.Fatalf("codes %v, want %v", got, want)
	}
}

func TestSplitKeepsJPEGPagesAsTheyAre(t *testing.T) {
	img := testPage{qr: []string{"A1B-123456"}, seed: 12}.render(100)
	jp := jpegPage(t, img, 100)
	f := mustOpen(t, buildPDF([]pdfImage{jp, flateBilevelPage(img, 100)}), "two.pdf")
	var b bytes.Buffer
	format, err := f.Split(0, nil, &b)
	if err != nil || format != JPEG || !bytes.Equal(b.Bytes(), jp.data) {
		t.Fatalf("page 1: %s, %v; identical to the stored JPEG: %v", format, err, bytes.Equal(b.Bytes(), jp.data))
	}
	b.Reset()
	format, err = f.Split(1, nil, &b)
	if err != nil || format != PNG {
		t.Fatalf("page 2: %s, %v", format, err)
	}
	split, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := split.(*image.Paletted); !ok {
		t.Fatalf("a black and white page is stored as %T, want a two-colour palette (1 bit)", split)
	}
}

func TestThumbnailFitsAndTurns(t *testing.T) {
	img := testPage{seed: 13}.render(100) // 827 × 1169
	for _, tc := range []struct {
		rotate int
		want   image.Point
	}{{0, image.Pt(169, 240)}, {90, image.Pt(240, 169)}, {180, image.Pt(169, 240)}, {-90, image.Pt(240, 169)}} {
		var b bytes.Buffer
		if err := Thumbnail(&b, img, tc.rotate, 240); err != nil {
			t.Fatal(err)
		}
		th, err := jpeg.Decode(&b)
		if err != nil || th.Bounds().Size() != tc.want {
			t.Errorf("rotate %d: %v, %v; want %v", tc.rotate, th.Bounds().Size(), err, tc.want)
		}
	}
}

func TestScanStopsWhenTheCallerFails(t *testing.T) {
	imgs := []*image.Gray{smallPage(1), smallPage(2), smallPage(3)}
	f := mustOpen(t, buildTIFF(imgs, image.Point{}), "x.tif")
	calls := 0
	stop := context.Canceled
	err := Scan(context.Background(), f, ScanOptions{Rules: rules, Workers: 1}, func(PageScan) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 {
		t.Fatalf("err %v after %d calls", err, calls)
	}
}

// Pages Skip names (those a resumed stack filed before) are neither read
// nor passed on; the others come in order with their own numbers.
func TestScanSkipsPages(t *testing.T) {
	imgs := []*image.Gray{smallPage(1), smallPage(2), smallPage(3), smallPage(4)}
	f := mustOpen(t, buildTIFF(imgs, image.Point{}), "x.tif")
	var got []int
	skip := func(page int) bool { return page == 1 || page == 3 }
	err := Scan(context.Background(), f, ScanOptions{Rules: rules, Workers: 2, Skip: skip}, func(p PageScan) error {
		got = append(got, p.Page)
		return p.Err
	})
	if err != nil || !slices.Equal(got, []int{2, 4}) {
		t.Fatalf("pages %v, %v", got, err)
	}
}

// zbarimg (zbar-tools) reads the generated QR codes as we do: the pages
// carry real QR codes, not ones only our reader understands.
func TestGeneratedCodesAreReadByZbar(t *testing.T) {
	if _, err := exec.LookPath("zbarimg"); err != nil {
		t.Skip("zbarimg (zbar-tools) is not installed")
	}
	path := filepath.Join(t.TempDir(), "page.png")
	page := testPage{qr: []string{"A1B-123456"}, code128: []string{"ABCD-EFGH"}, text: true, seed: 31}.render(150)
	if err := os.WriteFile(path, encodePNG(t, page), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("zbarimg", "-q", path).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	zbar := strings.Fields(string(out))
	slices.Sort(zbar)
	want := []string{"CODE-128:ABCD-EFGH", "QR-Code:A1B-123456"}
	if !slices.Equal(zbar, want) {
		t.Fatalf("zbarimg read %v, want %v", zbar, want)
	}
	ours := ReadCodes(page)
	if !slices.Equal(ours, []Code{{"CODE_128", "ABCD-EFGH"}, {"QR_CODE", "A1B-123456"}}) {
		t.Fatalf("ReadCodes read %v", ours)
	}
}
