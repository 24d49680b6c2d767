package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// A resident that exists only in this test, so a hit in the files can
// only come from what the test wrote.
const (
	secretName    = "鷺宮　蘭丸"
	secretKana    = "サギノミヤ　ランマル"
	secretAddress = "兵庫県三田市蘭丸台九丁目八番七号"
	visibleBox    = "暗号化確認用の箱-77" // stored as it is: proves the files were read
)

// secretPieces are the readable forms a leak would take.
var secretPieces = []string{"鷺宮", "蘭丸", "サギノミヤ", "ランマル", "ｻｷﾞﾉﾐﾔ", "さぎのみや", "蘭丸台九丁目", "鷺宮蘭丸"}

// openAtRest opens a fresh database of the engine and returns its --db value.
func openAtRest(t *testing.T, e store.Engine) (*store.DB, string) {
	dsn := storetest.MustDSN(t, e)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.UseKeys(storetest.Keys())
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, dsn
}

func seedSecretResident(t *testing.T, db *store.DB) store.CardRecord {
	raw := []byte("00000000000000000000099," + secretName + "," + secretKana + "," + secretAddress)
	return ledgertest.MustCard(t, db, ledgertest.Seed{App: 99, Notice: "Z9Z-999999", Name: secretName, Kana: secretKana,
		Address: secretAddress, Box: visibleBox, Raw: raw})
}

// assertNotStored fails when a piece of the secret is readable in data.
func assertNotStored(t *testing.T, what string, data []byte) {
	t.Helper()
	if !bytes.Contains(data, []byte(visibleBox)) {
		t.Fatalf("%s: the visible control value is missing: the bytes read are not the database", what)
	}
	for _, p := range secretPieces {
		if bytes.Contains(data, []byte(p)) {
			t.Errorf("%s holds %q in readable form", what, p)
		}
	}
}

func TestPersonalDataIsNotReadableInTheDatabaseFiles(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			start := time.Now()
			db, dsn := openAtRest(t, e)
			rec := seedSecretResident(t, db)
			got := mustCardByID(t, db, rec.ID)
			if got.Resident.Name != secretName || got.Resident.Address != secretAddress {
				t.Fatalf("read back %q %q", got.Resident.Name, got.Resident.Address)
			}
			for _, q := range []string{"鷺宮", "ランマル", "さぎのみや", "蘭"} {
				if recs, _ := mustSearch(t, db, store.CardFilter{Query: q}); len(recs) != 1 || recs[0].ID != rec.ID {
					t.Errorf("search %q found %d cards", q, len(recs))
				}
			}
			assertNotStored(t, string(e)+" files", storetest.StoredBytes(t, e, dsn, start))
		})
	}
}
