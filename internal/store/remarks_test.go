package store_test

import (
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// Migration 70 moves the cards' remarks to their residents: the two cards
// of one person (a reissue: a second application of the same resident)
// show both texts, oldest first, the same text once; another person keeps
// their own; remark search finds every card of the person; nothing is
// left on the cards.
func TestMigrationMovesCardRemarksToTheResident(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			dsn := storetest.MustDSN(t, e)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.UseKeys(storetest.Keys())
			if err := db.MigrateToForTest(ctx, 15); err != nil {
				t.Fatal(err)
			}
			raw := sqlOpen(t, e, dsn)
			for _, q := range []string{
				`INSERT INTO residents (id, resident_number, name, name_kana, name_key, kana_key, birth_date, created_at, updated_at)
				 VALUES (1, '777000123', '備考　一郎', 'ビコウ　イチロウ', '備考一郎', 'ビコウイチロウ', '1982-05-06', 0, 0)`,
				`INSERT INTO residents (id, resident_number, name, name_kana, name_key, kana_key, birth_date, created_at, updated_at)
				 VALUES (2, '777000124', '別人　二郎', 'ベツジン　ジロウ', '別人二郎', 'ベツジンジロウ', '1983-05-06', 0, 0)`,
				`INSERT INTO applications (id, application_id, resident_id, method, created_at) VALUES (1, '00000000000000000000001', 1, 'counter', 0)`,
				`INSERT INTO applications (id, application_id, resident_id, method, created_at) VALUES (2, '00000000000000000000002', 1, 'counter', 0)`,
				`INSERT INTO applications (id, application_id, resident_id, method, created_at) VALUES (3, '00000000000000000000003', 2, 'counter', 0)`,
				`INSERT INTO cards (id, application_ref, status, remarks, created_at, updated_at) VALUES (1, 1, 'cancelled', '𠮷田様より電話', 0, 0)`,
				`INSERT INTO cards (id, application_ref, status, remarks, created_at, updated_at) VALUES (2, 2, 'arrived', '代理人は長女', 0, 0)`,
				`INSERT INTO cards (id, application_ref, status, remarks, created_at, updated_at) VALUES (4, 2, 'arrived', '𠮷田様より電話', 0, 0)`,
				`INSERT INTO cards (id, application_ref, status, remarks, created_at, updated_at) VALUES (3, 3, 'arrived', '', 0, 0)`,
			} {
				if _, err := raw.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for id, want := range map[int64]string{1: "𠮷田様より電話\n代理人は長女", 2: "𠮷田様より電話\n代理人は長女", 4: "𠮷田様より電話\n代理人は長女", 3: ""} {
				if got := mustCardByID(t, db, id).Resident.Remarks; got != want {
					t.Errorf("card %d shows %q, want %q", id, got, want)
				}
			}
			if recs, n := mustSearch(t, db, store.CardFilter{Remarks: "長女", Sort: "id"}); n != 3 || recs[0].ID != 1 {
				t.Errorf("remark search finds %d cards: %+v", n, recs)
			}
			var sealed string
			if err := raw.QueryRow(`SELECT remarks FROM residents WHERE id = 1`).Scan(&sealed); err != nil || sealed == "" || sealed[:4] != "enc2" {
				t.Errorf("the resident's remarks are stored as %q (%v)", sealed, err)
			}
		})
	}
}

// A reissued card (a new application of the same resident) starts with
// the person's remarks, and a change on either card shows on both.
func TestResidentRemarksShowOnEveryCardOfThePerson(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		first := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Resident: "42", Remarks: "耳が遠いため筆談"})
		again := ledgertest.Seed{App: 2, Resident: "42"}.Record()
		again.Resident = first.Resident
		err := db.Update(ctx, func(tx *store.Tx) error { return tx.InsertCardRecord(ctx, &again) })
		if err != nil {
			t.Fatal(err)
		}
		if got := mustCardByID(t, db, again.ID).Resident.Remarks; got != "耳が遠いため筆談" {
			t.Fatalf("the reissued card shows %q", got)
		}
		err = db.Update(ctx, func(tx *store.Tx) error {
			return tx.SetResidentRemarks(ctx, again.Resident.ID, "耳が遠いため筆談\n代理人は長女", time.Now())
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := mustCardByID(t, db, first.ID).Resident.Remarks; got != "耳が遠いため筆談\n代理人は長女" {
			t.Errorf("the first card shows %q", got)
		}
	})
}

func TestMergeRemarks(t *testing.T) {
	for _, tt := range []struct{ remarks, text, want string }{
		{"", "甲", "甲"}, {"甲", "", "甲"}, {"甲", "甲", "甲"}, {"甲\n乙", "乙", "甲\n乙"}, {"甲", " 乙 ", "甲\n乙"},
	} {
		if got := store.MergeRemarks(tt.remarks, tt.text); got != tt.want {
			t.Errorf("MergeRemarks(%q, %q) = %q, want %q", tt.remarks, tt.text, got, tt.want)
		}
	}
}
