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

// A database written before 0016, with plaintext birth dates, sex, notice
// numbers, 宛名番号 and remarks (and names sealed for their column only),
// is sealed by the migration itself: afterwards the card reads back, is
// found by notice number, birth date, 宛名番号 and name, and a dump of the
// files holds none of those values.
func TestMigrationSealsIdentifiersOfAnOlderDatabase(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			dsn := storetest.MustDSN(t, e)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			keys := storetest.Keys()
			db.UseKeys(keys)
			if err := db.MigrateToForTest(ctx, 15); err != nil {
				t.Fatal(err)
			}
			raw := sqlOpen(t, e, dsn)
			address := keys.Seal(secretAddress, "residents.address") // as 0013 sealed it
			for _, q := range []string{
				`INSERT INTO residents (id, resident_number, name, name_kana, name_key, kana_key, birth_date, sex, address, created_at, updated_at)
				 VALUES (1, '777000123', '` + secretName + `', '` + secretKana + `', '鷺宮蘭丸', 'サギノミヤランマル', '1982-05-06', 'male', '` + address + `', 0, 0)`,
				`INSERT INTO applications (id, application_id, resident_id, method, created_at) VALUES (1, '00000000000000000000001', 1, 'counter', 0)`,
				`INSERT INTO cards (id, application_ref, notice_number, status, remarks, created_at, updated_at)
				 VALUES (1, 1, 'Q7Q-765432', 'arrived', '婚姻届のため券面更新', 0, 0)`,
				`INSERT INTO register_residents (resident_number, name, birth_date, sex, status, updated_at)
				 VALUES ('777000123', '` + secretName + `', '1982-05-06', 'male', 'resident', 0)`,
			} {
				if _, err := raw.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			err = db.View(ctx, func(tx *store.Tx) error {
				rec, err := tx.CardByNoticeNumber(ctx, "Q7Q-765432")
				if err != nil {
					return err
				}
				r := rec.Resident
				if r.BirthDate != "1982-05-06" || r.Sex != "male" || r.ResidentNumber != "777000123" ||
					r.Address != secretAddress || r.Remarks != "婚姻届のため券面更新" {
					t.Errorf("read back: %+v %q", r, r.Remarks)
				}
				if _, err := tx.ResidentByNumber(ctx, "777000123"); err != nil {
					t.Errorf("by 宛名番号: %v", err)
				}
				for _, f := range []store.CardFilter{{BirthDate: "1982-05-06"}, {Query: "サギノミヤ"}, {Remarks: "婚姻届"}} {
					if _, n, err := tx.SearchCards(ctx, f); err != nil || n != 1 {
						t.Errorf("search %+v: %d, %v", f, n, err)
					}
				}
				people, err := tx.RegisterResidents(ctx, "", "1982-05-06", 10)
				if err != nil || len(people) != 1 || people[0].ResidentNumber != "777000123" {
					t.Errorf("register: %+v %v", people, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			n := storetest.Needles{}
			n.AddBirthDate("1982-05-06")
			n.Add("notice_number", "Q7Q-765432")
			n.Add("resident_number", "777000123")
			n.Add("remarks", "婚姻届")
			n.Add("name", "鷺宮")
			if hits := storetest.Hits(storetest.Dump(t, e, dsn), n); hits["birth_date"]+hits["notice_number"]+
				hits["resident_number"]+hits["remarks"]+hits["name"] != 0 {
				t.Errorf("readable after the migration: %v", hits)
			}
		})
	}
}
