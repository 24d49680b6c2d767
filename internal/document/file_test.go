package document

import (
	"bytes"
	"fmt"
	"image"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
)

func open(t *testing.T, data []byte, name string) (*File, error) {
	t.Helper()
	return Open(bytes.NewReader(data), int64(len(data)), name, Limits{})
}

func mustOpen(t *testing.T, data []byte, name string) *File {
	t.Helper()
	f, err := open(t, data, name)
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	return f
}

func smallPage(seed uint64, qr ...string) *image.Gray {
	return testPage{qr: qr, text: true, seed: seed}.render(100)
}

func TestOpenRecognisesEachFormatByContent(t *testing.T) {
	gray := smallPage(1)
	tiff := buildTIFF([]*image.Gray{gray, smallPage(2), smallPage(3)}, image.Point{})
	pdf := buildPDF([]pdfImage{jpegPage(t, gray, 100), flateBilevelPage(gray, 100)})
	for _, tc := range []struct {
		name   string
		data   []byte
		format Format
		pages  int
	}{
		{"scan.pdf", pdf, PDF, 2},
		{"scan.jpg", encodeJPEG(t, gray), JPEG, 1},
		{"scan.png", encodePNG(t, gray), PNG, 1},
		{"scan.tif", tiff, TIFF, 3},
		{"named-wrong.png", pdf, PDF, 2}, // the name does not matter
		{"no-extension", tiff, TIFF, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustOpen(t, tc.data, tc.name)
			if f.Format != tc.format || f.Pages() != tc.pages {
				t.Fatalf("got %s with %d pages, want %s with %d", f.Format, f.Pages(), tc.format, tc.pages)
			}
			for i := range f.Pages() {
				img, err := f.Page(i)
				if err != nil {
					t.Fatalf("page %d: %v", i+1, err)
				}
				if img.Bounds().Size() != gray.Bounds().Size() {
					t.Fatalf("page %d is %v, want %v", i+1, img.Bounds().Size(), gray.Bounds().Size())
				}
			}
		})
	}
}

func TestOpenRefusesDisguisedFiles(t *testing.T) {
	for _, tc := range []struct {
		name, content, want string
	}{
		{"photo.png", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`, "SVG"},
		{"scan.png", "<?xml version=\"1.0\"?>\n<svg width=\"10\" height=\"10\"></svg>", "SVG"},
		{"scan.png", "<!DOCTYPE html><html><body>hello</body></html>", "HTML"},
		{"scan.pdf", "\ufeff<html><script>x()</script></html>", "HTML"},
		{"scan.jpg", "GIF89a\x01\x00\x01\x00\x00\x00\x00;", "GIF"},
		{"scan.tif", "II+\x00\x08\x00\x00\x00", "BigTIFF"},
		{"form.docx", "PK\x03\x04\x14\x00\x06\x00", "ZIP"},
		{"memo.png", "ただのテキストです", "テキスト"},
		{"empty.pdf", "", "空"},
	} {
		t.Run(tc.name+"/"+tc.want, func(t *testing.T) {
			_, err := open(t, []byte(tc.content), tc.name)
			if apperr.CodeOf(err) != CodeUnsupported {
				t.Fatalf("code %q (%v), want %s", apperr.CodeOf(err), err, CodeUnsupported)
			}
			msg := apperr.MessageOf(err)
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, "PDF、JPEG、PNG、TIFF") {
				t.Fatalf("message %q does not name %q and the accepted formats", msg, tc.want)
			}
			if formatOfName(tc.name) != "" && !strings.Contains(msg, tc.name) {
				t.Fatalf("message %q does not say the name %s is not what counts", msg, tc.name)
			}
		})
	}
}

func TestOpenRefusesDamagedFiles(t *testing.T) {
	gray := smallPage(4)
	pdf := buildPDF([]pdfImage{jpegPage(t, gray, 100)})
	jpg, png := encodeJPEG(t, gray), encodePNG(t, gray)
	tiff := buildTIFF([]*image.Gray{gray}, image.Point{})
	loop := bytes.Clone(tiff)
	copy(loop[len(loop)-4:], loop[4:8]) // the last IFD points back at the first
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"cut.pdf", pdf[:len(pdf)/2]},
		{"cut.jpg", jpg[:len(jpg)/2]},
		{"cut.png", png[:len(png)-20]},
		{"header-only.tif", tiff[:8]},
		{"loop.tif", loop},
		{"pdf-garbage.pdf", []byte("%PDF-1.4\nthis is not a pdf at all\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := open(t, tc.data, tc.name)
			if apperr.CodeOf(err) != CodeCorrupt {
				t.Fatalf("code %q (%v), want %s", apperr.CodeOf(err), err, CodeCorrupt)
			}
		})
	}
}

// A page's size is read from its header and refused before any pixel is
// decoded: a 50 KB PNG claiming 20,000 × 20,000 costs almost nothing.
func TestOpenRefusesHugeImagesWithoutDecoding(t *testing.T) {
	small := smallPage(5)
	jpg := encodeJPEG(t, small)
	sof := bytes.Index(jpg, []byte{0xFF, 0xC0})
	hugeJPEG := bytes.Clone(jpg)
	copy(hugeJPEG[sof+5:], []byte{0x4E, 0x20, 0x4E, 0x20}) // 20000 × 20000
	hugePDF := buildPDF([]pdfImage{jpegPage(t, small, 100)})
	hugePDF = bytes.Replace(hugePDF, []byte("/Width 827 /Height 1169"), []byte("/Width 20000 /Height 20000"), 1)
	png := hugePNG()
	if len(png) > 100<<10 {
		t.Fatalf("the huge PNG is %d bytes, meant to be small", len(png))
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"bomb.png", png},
		{"bomb.jpg", hugeJPEG},
		{"bomb.tif", buildTIFF([]*image.Gray{small}, image.Pt(20000, 20000))},
		{"bomb.pdf", hugePDF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := open(t, tc.data, tc.name)
			runtime.ReadMemStats(&after)
			if apperr.CodeOf(err) != CodeImageTooLarge {
				t.Fatalf("code %q (%v), want %s", apperr.CodeOf(err), err, CodeImageTooLarge)
			}
			if !strings.Contains(apperr.MessageOf(err), "20000 × 20000") {
				t.Fatalf("message %q does not give the size", apperr.MessageOf(err))
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
				t.Fatalf("refusing took %d MB of allocations: the pixels were decoded", alloc>>20)
			}
		})
	}
}

func TestOpenLimits(t *testing.T) {
	pages := []*image.Gray{smallPage(6), smallPage(7), smallPage(8)}
	tiff := buildTIFF(pages, image.Point{})
	_, err := Open(bytes.NewReader(tiff), int64(len(tiff)), "a.tif", Limits{MaxPages: 2})
	if apperr.CodeOf(err) != CodeTooManyPages {
		t.Fatalf("3 pages over a limit of 2: %v", err)
	}
	pdf := buildPDF([]pdfImage{jpegPage(t, pages[0], 100), jpegPage(t, pages[1], 100), jpegPage(t, pages[2], 100)})
	_, err = Open(bytes.NewReader(pdf), int64(len(pdf)), "a.pdf", Limits{MaxPages: 2})
	if apperr.CodeOf(err) != CodeTooManyPages {
		t.Fatalf("PDF of 3 pages over a limit of 2: %v", err)
	}
	_, err = Open(bytes.NewReader(pdf), int64(len(pdf)), "a.pdf", Limits{MaxFileBytes: int64(len(pdf)) - 1})
	if apperr.CodeOf(err) != CodeTooLarge {
		t.Fatalf("one byte over the size limit: %v", err)
	}
	lim := Limits{MaxDayBytes: 1000}
	if err := lim.CheckDay(600, 400); err != nil {
		t.Fatalf("exactly the day's limit: %v", err)
	}
	if err := lim.CheckDay(600, 401); apperr.CodeOf(err) != CodeDayLimit {
		t.Fatalf("one byte over the day's limit: %v", err)
	}
}

// pdfinfo (poppler) reads the generated PDFs as we do, so the generator
// writes real PDFs and not something only our reader accepts.
func TestGeneratedPDFIsReadByPoppler(t *testing.T) {
	if _, err := exec.LookPath("pdfinfo"); err != nil {
		t.Skip("pdfinfo (poppler-utils) is not installed")
	}
	gray := smallPage(9, "A1B-123456")
	pdf := buildPDF([]pdfImage{jpegPage(t, gray, 100), flateBilevelPage(gray, 100), {vector: true, w: 827, h: 1169, dpi: 100}})
	cmd := exec.Command("pdfinfo", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Pages:           3") || strings.Contains(string(out), "Syntax Error") {
		t.Fatalf("pdfinfo says:\n%s", out)
	}
}

// withEncryption appends an incremental update that marks the PDF as
// password-protected (the Standard security handler, an unknown password).
func withEncryption(pdf []byte) []byte {
	prev := bytes.LastIndex(pdf, []byte("startxref\n"))
	prevXref := strings.Fields(string(pdf[prev+len("startxref\n"):]))[0]
	size := bytes.Count(pdf[:prev], []byte(" 0 obj\n")) + 1
	var b bytes.Buffer
	b.Write(pdf)
	at := b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<< /Filter /Standard /V 1 /R 2 /Length 40 /O <%s> /U <%s> /P -4 >>\nendobj\n",
		size, strings.Repeat("ab", 32), strings.Repeat("cd", 32))
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root 1 0 R /Prev %s /Encrypt %d 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>] >>\nstartxref\n%d\n%%%%EOF\n",
		size, at, size+1, prevXref, size, xref)
	return b.Bytes()
}

func TestOpenRefusesWhatItCannotRead(t *testing.T) {
	pdf := buildPDF([]pdfImage{jpegPage(t, smallPage(10), 100)})
	if _, err := open(t, pdf, "plain.pdf"); err != nil {
		t.Fatalf("the PDF before encryption: %v", err)
	}
	if _, err := open(t, withEncryption(pdf), "locked.pdf"); apperr.CodeOf(err) != CodeEncrypted {
		t.Fatalf("a password-protected PDF: %v", err)
	}
	tif := buildTIFF([]*image.Gray{smallPage(11)}, image.Point{})
	compression := bytes.Index(tif, []byte{0x03, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08, 0x00})
	tif[compression+8] = 7 // JPEG inside TIFF
	_, err := open(t, tif, "jpeg.tif")
	if apperr.CodeOf(err) != CodeUnsupported || !strings.Contains(apperr.MessageOf(err), "JPEG") {
		t.Fatalf("a JPEG-compressed TIFF: %v", err)
	}
}
