package filing_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/document/documenttest"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// A stack left in the watched folder is filed and removed; a disguised
// file moves to error/ with its reason; a file still being written waits.
func TestScanFolder(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	c1 := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "A1B-000001"})
	svc := newService(t, db) // its clock stands at 2025-06-02
	dir := t.TempDir()
	write := func(name string, b []byte, at time.Time) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, at, at)
	}
	settled := time.Date(2025, 6, 2, 1, 0, 0, 0, time.UTC)
	write("stack.tif", documenttest.TIFF(documenttest.Page(1, "A1B-000001")), settled)
	write("fake.png", documenttest.Disguised()["page.png"], settled)
	write("writing.pdf", documenttest.PDF(documenttest.Page(2)), time.Date(2025, 6, 2, 1, 29, 55, 0, time.UTC))
	write("notes.txt", []byte("not a scan"), settled)
	res, err := svc.ScanFolder(t.Context(), dir)
	if err != nil || len(res) != 2 {
		t.Fatalf("scan folder: %+v, %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "stack.tif")); !os.IsNotExist(err) {
		t.Error("a filed stack stays on disk")
	}
	why, err := os.ReadFile(filepath.Join(dir, "error", "fake.png.txt"))
	if err != nil || !strings.Contains(string(why), "document_unsupported") {
		t.Errorf("the refused file's reason: %q, %v", why, err)
	}
	for _, name := range []string{"writing.pdf", "notes.txt", filepath.Join("error", "fake.png")} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	docs, err := svc.List(t.Context(), staff, auth.Meta{}, c1.ID)
	if err != nil || len(docs) != 1 || docs[0].Source != "inbox" || docs[0].CreatedBy != "cli:inbox" {
		t.Errorf("the card's documents: %+v, %v", docs, err)
	}
}

// The folder's watcher resumes, on each round and so after a restart,
// the stacks whose splitting a killed process left unfinished: here a
// stack's row written an hour ago and nothing more.
func TestWatcherResumesInterruptedStacks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c1 := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "A1B-000001"})
		svc := newService(t, db)
		stack := store.DocumentRecord{FileName: "stack.pdf", Source: "inbox", Kind: "other", Review: store.DocumentReviewStack,
			ReviewReason: "取り込み中", CreatedAt: time.Date(2025, 6, 2, 0, 30, 0, 0, time.UTC), CreatedBy: "cli:inbox"}
		content := documenttest.PDF(documenttest.Page(1, "A1B-000001"), documenttest.Page(2))
		err := db.Update(t.Context(), func(tx *store.Tx) error {
			return tx.InsertDocument(t.Context(), &stack, bytes.NewReader(content), func(io.ReaderAt, int64) (string, int, error) { return "PDF", 2, nil })
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := svc.ResumeInterrupted(t.Context(), auth.System("inbox"))
		if err != nil || len(res) != 1 || res[0].StackID != stack.ID || res[0].Filed != 1 || res[0].ToReview != 1 {
			t.Fatalf("resumed: %+v, %v", res, err)
		}
		if docs, err := svc.List(t.Context(), staff, auth.Meta{}, c1.ID); err != nil || len(docs) != 1 {
			t.Errorf("the card's documents: %+v, %v", docs, err)
		}
		if res, err := svc.ResumeInterrupted(t.Context(), auth.System("inbox")); err != nil || len(res) != 0 {
			t.Errorf("a second round: %+v, %v", res, err)
		}
	})
}
