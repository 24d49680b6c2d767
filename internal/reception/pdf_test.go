package reception_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/reception"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func tool(t *testing.T, name string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s is needed for this test: %v", name, err)
	}
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return string(out)
}

// The printed 交付受付確認票 carries the city's name and the resident's,
// and a QR code that reads as the inbox's form code for the card; the
// page, printed and scanned into the inbox, files itself on the card as a
// receipt.
func TestPDFReadsBackAndFilesItselfFromTheInbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		if _, err := f.svc.Confirm(t.Context(), staff, meta, f.b.ID, reception.Request{PersonID: f.personID(), Ticks: allTicks(),
			Brought: []string{"パスポート"}, Signature: signature(t, 900, 260, 5)}); err != nil {
			t.Fatal(err)
		}
		var pdf bytes.Buffer
		if err := f.svc.PDF(t.Context(), staff, meta, f.b.ID, 0, reception.Paper{City: "鷺宮市"}, &pdf); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		path := filepath.Join(dir, "receipt.pdf")
		if err := os.WriteFile(path, pdf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		text := tool(t, "pdftotext", "-enc", "UTF-8", path, "-")
		flat := strings.Join(strings.Fields(text), "") // pdftotext breaks lines at the name's 全角 space
		for _, s := range []string{"鷺宮市", "交付受付確認票", residentName, "REC-000001", "パスポート", "暗証番号"} {
			if !strings.Contains(flat, strings.Join(strings.Fields(s), "")) {
				t.Errorf("%q not in the PDF's text:\n%s", s, text)
			}
		}
		tool(t, "pdftoppm", "-r", "200", "-gray", "-png", path, filepath.Join(dir, "page"))
		page := filepath.Join(dir, "page-1.png")
		code := strings.TrimSpace(tool(t, "zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", page))
		want := reception.FormCode(f.card.ID)
		if code != want {
			t.Fatalf("QR code %q, want %q", code, want)
		}
		if ref, ok := (document.Rules{}).Ref(code); !ok || ref.Kind != document.KindReceipt || ref.Type != document.RefCard {
			t.Fatalf("the inbox reads %q as %+v, %v", code, ref, ok)
		}

		scanned, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		res, err := f.filing.ScanStack(t.Context(), staff, meta, "scan.png", bytes.NewReader(scanned))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Pages) != 1 || res.Pages[0].CardID != f.card.ID || res.Pages[0].Kind != string(document.KindReceipt) || res.Pages[0].Review != "" {
			t.Fatalf("inbox: %+v", res.Pages)
		}
		if count(actions(t, db), "reception.printed") != 1 {
			t.Error("the print is not audited")
		}
	})
}
