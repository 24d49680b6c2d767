package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// kofu documents verify passes a database whose blobs are whole and fails
// (exit 1, naming the document) once a blob's chunks are gone.
func TestDocumentsVerify(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			dsn := storetest.MustDSN(t, e)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.UseKeys(storetest.Keys())
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			ledgertest.MustCard(t, db, ledgertest.Seed{App: 1})
			d := store.DocumentRecord{CardID: 1, Kind: "other", CreatedAt: time.Now(), CreatedBy: "x"}
			err = db.Update(ctx, func(tx *store.Tx) error {
				return tx.InsertDocument(ctx, &d, bytes.NewReader([]byte("%PDF-1.4 not really")), func(io.ReaderAt, int64) (string, int, error) { return "PDF", 1, nil })
			})
			if err != nil {
				t.Fatal(err)
			}
			if code, out, errOut := cli(t, "", "documents", "verify", "--db", dsn); code != 0 || !strings.Contains(out, "書類は正常です: 1 件") {
				t.Fatalf("verify: %d %s %s", code, out, errOut)
			}
			if _, err := db.WritePool().ExecContext(ctx, `DELETE FROM document_chunks`); err != nil {
				t.Fatal(err)
			}
			if code, _, errOut := cli(t, "", "documents", "verify", "--db", dsn); code != 1 || !strings.Contains(errOut, "書類 1: 内容がありません") {
				t.Fatalf("verify of a missing blob: %d %s", code, errOut)
			}
		})
	}
}
