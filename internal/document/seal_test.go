package document

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/kofu-oss/kofu/internal/document/blob"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
)

// The flow proposed for uploads: the file is sealed as it arrives, then
// checked and read through the sealed blob, so that no plaintext copy of a
// resident's form is ever written to disk.
func TestOpenReadsThroughASealedBlob(t *testing.T) {
	k, err := fieldcrypt.ParseKey(fieldcrypt.Generate())
	if err != nil {
		t.Fatal(err)
	}
	s := blob.SealerFor(fieldcrypt.NewKeyring(k))
	page := testPage{qr: []string{"A1B-123456"}, text: true, seed: 41}.render(150)
	pdf := buildPDF([]pdfImage{jpegPage(t, page, 150), flateBilevelPage(page, 150)})
	var buf bytes.Buffer
	w, err := s.Seal(&buf, "upload-1")
	if err != nil {
		t.Fatal(err)
	}
	w.Write(pdf)
	w.Close()
	sealed := buf.Bytes()
	ra, size, err := s.OpenAt(bytes.NewReader(sealed), int64(len(sealed)), "upload-1")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(ra, size, "scan.pdf", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var codes [][]string
	err = Scan(context.Background(), f, ScanOptions{Rules: rules}, func(p PageScan) error {
		codes = append(codes, texts(p.Codes))
		return p.Err
	})
	if err != nil || len(codes) != 2 || !slices.Equal(codes[0], []string{"A1B-123456"}) || !slices.Equal(codes[1], []string{"A1B-123456"}) {
		t.Fatalf("codes %v, %v", codes, err)
	}
}
