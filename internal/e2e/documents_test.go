package e2e

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/document/documenttest"
	"github.com/kofu-oss/kofu/internal/store"
)

// seedDocument stores a two-page TIFF scan on a card, for the card
// page's thumbnails and the document viewer.
func seedDocument(t *testing.T, db *store.DB, cardID int64) int64 {
	t.Helper()
	tif := documenttest.TIFF(documenttest.Page(1, "KOFU:receipt:card-1"), documenttest.Page(2))
	d := store.DocumentRecord{CardID: cardID, Kind: "receipt", Note: "窓口で受領", CreatedAt: time.Now(), CreatedBy: "demo-admin"}
	err := db.Update(t.Context(), func(tx *store.Tx) error {
		return tx.InsertDocument(t.Context(), &d, bytes.NewReader(tif), func(io.ReaderAt, int64) (string, int, error) { return "TIFF", 2, nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// seedInterruptedStack stores a scanner stack's row as a process killed
// before splitting it leaves it, an hour ago: the inbox page lists it
// under 処理が中断された取り込み.
func seedInterruptedStack(t *testing.T, db *store.DB) {
	t.Helper()
	pdf := documenttest.PDF(documenttest.Page(3), documenttest.Page(4))
	d := store.DocumentRecord{FileName: "stack.pdf", Source: "inbox", Kind: "other", Review: store.DocumentReviewStack,
		ReviewReason: "取り込み中", CreatedAt: time.Now().Add(-time.Hour), CreatedBy: "demo-admin"}
	err := db.Update(t.Context(), func(tx *store.Tx) error {
		return tx.InsertDocument(t.Context(), &d, bytes.NewReader(pdf), func(io.ReaderAt, int64) (string, int, error) { return "PDF", 2, nil })
	})
	if err != nil {
		t.Fatal(err)
	}
}
