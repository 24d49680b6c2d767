package store_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// A database from before encryption holds plaintext residents and no
// search rows; Reseal seals them and makes them searchable.
func TestResealSealsPlaintextFromBeforeEncryption(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			db, dsn := openAtRest(t, e)
			insertPlaintextCard(t, e, dsn)
			need, err := db.NeedsResealing(context.Background())
			if err != nil || !need {
				t.Fatalf("needs resealing: %v %v", need, err)
			}
			if _, n := mustSearch(t, db, store.CardFilter{Query: "鷺宮"}); n != 0 {
				t.Fatalf("found before sealing: %d", n)
			}
			changed, err := db.Reseal(context.Background(), nil)
			if err != nil || changed["residents"] != 1 {
				t.Fatalf("reseal: %v %v", changed, err)
			}
			recs, n := mustSearch(t, db, store.CardFilter{Query: "サギノミヤ"})
			if n != 1 || recs[0].Resident.Name != secretName || recs[0].Resident.Address != secretAddress {
				t.Fatalf("after sealing: %d %+v", n, recs)
			}
			if need, _ := db.NeedsResealing(context.Background()); need {
				t.Error("still needs resealing")
			}
			raw := sqlOpen(t, e, dsn)
			var name string
			if err := raw.QueryRow(`SELECT name FROM residents`).Scan(&name); err != nil || name == secretName {
				t.Errorf("stored name %q, %v", name, err)
			}
		})
	}
}

func sqlOpen(t *testing.T, e store.Engine, dsn string) *sql.DB {
	driver := "sqlite"
	if e == store.Postgres {
		driver = "pgx"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// insertPlaintextCard writes a card as the versions before encryption did.
func insertPlaintextCard(t *testing.T, e store.Engine, dsn string) {
	raw := sqlOpen(t, e, dsn)
	for _, q := range []string{
		`INSERT INTO residents (id, name, name_kana, name_key, kana_key, birth_date, address, created_at, updated_at)
		 VALUES (1, '` + secretName + `', '` + secretKana + `', '鷺宮蘭丸', 'サギノミヤランマル', '1990-04-01', '` + secretAddress + `', 0, 0)`,
		`INSERT INTO applications (id, application_id, resident_id, method, created_at) VALUES (1, '00000000000000000000001', 1, 'counter', 0)`,
		`INSERT INTO cards (id, application_ref, status, created_at, updated_at) VALUES (1, 1, 'arrived', 0, 0)`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}
