package store_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// putDocument stores content (larger than one chunk, so chunking and
// random access are exercised) on card 1.
func putDocument(t *testing.T, db *store.DB, content []byte) store.DocumentRecord {
	t.Helper()
	d := store.DocumentRecord{CardID: 1, Kind: "other", FileName: "走査.bin", Note: "髙橋 メモ", CreatedAt: time.UnixMilli(1_750_000_000_000), CreatedBy: "suzuki"}
	err := db.Update(t.Context(), func(tx *store.Tx) error {
		return tx.InsertDocument(t.Context(), &d, bytes.NewReader(content), func(r io.ReaderAt, size int64) (string, int, error) {
			got := make([]byte, size)
			if _, err := r.ReadAt(got, 0); err != nil && err != io.EOF {
				return "", 0, err
			}
			if !bytes.Equal(got, content) {
				t.Error("the check reads other bytes than were stored")
			}
			return "PNG", 1, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func readDocument(t *testing.T, db *store.DB, id int64) ([]byte, error) {
	t.Helper()
	var out []byte
	err := db.View(t.Context(), func(tx *store.Tx) error {
		d, err := tx.DocumentByID(t.Context(), id)
		if err != nil {
			return err
		}
		r, size, err := tx.DocumentContent(t.Context(), d)
		if err != nil {
			return err
		}
		out, err = io.ReadAll(io.NewSectionReader(r, 0, size))
		return err
	})
	return out, err
}

func chunkContent(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func TestDocumentsResealAndVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1})
		content := chunkContent(store.DocumentChunkSize*2 + 1000)
		d := putDocument(t, db, content)
		sum := sha256.Sum256(content)
		if d.SHA256 != hex.EncodeToString(sum[:]) || d.Size != int64(len(content)) || d.SealedSize <= d.Size {
			t.Fatalf("stored %+v", d)
		}
		if got, err := readDocument(t, db, d.ID); err != nil || !bytes.Equal(got, content) {
			t.Fatalf("read back: %d bytes, %v", len(got), err)
		}
		second := putDocument(t, db, []byte("small"))
		oldKey := storetest.Keys().Current()
		newKey, err := fieldcrypt.ParseKey(fieldcrypt.Generate())
		if err != nil {
			t.Fatal(err)
		}
		db.UseKeys(fieldcrypt.NewKeyring(newKey, oldKey))
		changed, err := db.Reseal(t.Context(), nil)
		if err != nil || changed["document_chunks"] != 2 || changed["documents"] != 2 {
			t.Fatalf("reseal: %v, %v", changed, err)
		}
		db.UseKeys(fieldcrypt.NewKeyring(newKey)) // the old key is gone
		if got, err := readDocument(t, db, d.ID); err != nil || !bytes.Equal(got, content) {
			t.Fatalf("read back under the new key: %d bytes, %v", len(got), err)
		}
		r, err := db.VerifyDocuments(t.Context(), nil)
		if err != nil || r.Checked != 2 || len(r.Problems) != 0 {
			t.Fatalf("verify after reseal: %+v, %v", r, err)
		}
		// Tamper with one byte of the second chunk, remove the small blob's
		// chunks, delete a document and put a chunk back: all reported.
		third := putDocument(t, db, []byte("to be deleted"))
		if err := db.Update(t.Context(), func(tx *store.Tx) error {
			return tx.DeleteDocument(t.Context(), third.ID, "admin", "誤登録", time.Now())
		}); err != nil {
			t.Fatal(err)
		}
		conn := db.WritePool()
		p := func(n int) string {
			if db.Engine == store.Postgres {
				return "$" + string(rune('0'+n))
			}
			return "?"
		}
		exec := func(q string, args ...any) {
			if _, err := conn.ExecContext(t.Context(), q, args...); err != nil {
				t.Fatal(err)
			}
		}
		var chunk []byte
		if err := conn.QueryRowContext(t.Context(), `SELECT data FROM document_chunks WHERE document_id = `+p(1)+` AND seq = 1`, d.ID).Scan(&chunk); err != nil {
			t.Fatal(err)
		}
		chunk[100] ^= 1
		exec(`UPDATE document_chunks SET data = `+p(1)+` WHERE document_id = `+p(2)+` AND seq = 1`, chunk, d.ID)
		exec(`DELETE FROM document_chunks WHERE document_id = `+p(1), second.ID)
		exec(`INSERT INTO document_chunks (document_id, seq, data) VALUES (`+p(1)+`, 0, `+p(2)+`)`, third.ID, []byte("left over"))
		r, err = db.VerifyDocuments(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]string{d.ID: store.DocumentTampered, second.ID: store.DocumentMissing, third.ID: store.DocumentOrphaned}
		if len(r.Problems) != 3 {
			t.Fatalf("problems %+v", r.Problems)
		}
		for _, pr := range r.Problems {
			if want[pr.DocumentID] != pr.Problem {
				t.Errorf("problem %+v, want %s", pr, want[pr.DocumentID])
			}
		}
		if _, err := readDocument(t, db, d.ID); err == nil {
			t.Error("a tampered blob read without error")
		}
	})
}
