package document

import (
	"flag"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// Go has no CCITT encoder, so the black-and-white test files are made once
// by Ghostscript from generated pages and kept in testdata:
//
//	go test -run TestRegenerateCCITT -regenerate-ccitt ./internal/document
var regenerateCCITT = flag.Bool("regenerate-ccitt", false, "rewrite testdata/ccitt.* with Ghostscript")

// ccittPages are the pages of testdata/ccitt.pdf and testdata/ccitt.tif.
var ccittPages = []testPage{
	{qr: []string{"H8J-314159"}, text: true, seed: 21},
	{text: true, seed: 22},
	{qr: []string{"KOFU:application:K2L-271828"}, seed: 23},
}

func TestRegenerateCCITT(t *testing.T) {
	if !*regenerateCCITT {
		t.Skip("run with -regenerate-ccitt to rewrite testdata/ccitt.*")
	}
	const dpi = 150
	var pages []pdfImage
	for _, p := range ccittPages {
		pages = append(pages, flateBilevelPage(p.render(dpi), dpi))
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "flate.pdf")
	if err := os.WriteFile(src, buildPDF(pages), 0o600); err != nil {
		t.Fatal(err)
	}
	// pdfwrite stores one-bit images with CCITT G4 (its MonoImageFilter);
	// tiffg4 writes one G4 page per PDF page.
	gs(t, "-sDEVICE=pdfwrite", "-dAutoFilterMonoImages=false", "-dMonoImageFilter=/CCITTFaxEncode",
		"-dDownsampleMonoImages=false", "-o", "testdata/ccitt.pdf", src)
	gs(t, "-sDEVICE=tiffg4", "-r150", "-o", "testdata/ccitt.tif", src)
}

func gs(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("gs", append([]string{"-q", "-dSAFER", "-dNOPAUSE", "-dBATCH"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("gs %v: %v\n%s", args, err, out)
	}
}

// Black-and-white scans: CCITT G4 inside a PDF and in a multi-page TIFF.
func TestScanCCITTPages(t *testing.T) {
	for _, name := range []string{"testdata/ccitt.pdf", "testdata/ccitt.tif"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			got := scanAll(t, data, filepath.Base(name))
			for i, p := range got {
				if p.Err != nil {
					t.Fatalf("page %d: %v", i+1, p.Err)
				}
				if !slices.Equal(texts(p.Codes), ccittPages[i].qr) {
					t.Errorf("page %d: codes %v, want %v", i+1, texts(p.Codes), ccittPages[i].qr)
				}
			}
		})
	}
	// The PDF's G4 image decodes to exactly the page it was made from:
	// black stays black (BlackIs1, byte alignment and bit order are right).
	data, _ := os.ReadFile("testdata/ccitt.pdf")
	img, err := mustOpen(t, data, "ccitt.pdf").Page(0)
	if err != nil {
		t.Fatal(err)
	}
	want := ccittPages[0].render(150)
	g := img.(*image.Gray)
	diff := 0
	for i, v := range want.Pix {
		if (v >= 128) != (g.Pix[i] >= 128) {
			diff++
		}
	}
	if diff != 0 {
		t.Fatalf("%d of %d pixels differ from the page encoded", diff, len(want.Pix))
	}
}
