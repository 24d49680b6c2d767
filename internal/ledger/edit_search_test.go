package ledger_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestRemarksKeepTheirHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusIssued})
		if _, err := svc.UpdateRemarks(ctx, staff(), meta(), rec.ID, 1, "𠮷田様より電話\r\n再来庁予定"); err != nil {
			t.Fatal(err)
		}
		d, err := svc.UpdateRemarks(ctx, staff(), meta(), rec.ID, 0, "本人確認済")
		if err != nil {
			t.Fatal(err)
		}
		if d.Card.Resident.Remarks != "本人確認済" || d.Card.Version != 3 || len(d.Events) != 2 {
			t.Fatalf("card %q v%d, %d events", d.Card.Resident.Remarks, d.Card.Version, len(d.Events))
		}
		second := d.Events[1]
		if second.Kind != store.EventRemarks || second.Field != "remarks" || second.OldValue != "𠮷田様より電話\n再来庁予定" || second.NewValue != "本人確認済" {
			t.Errorf("history %+v", second)
		}
		for _, e := range auditEntries(t, db, "card.remarks_updated") {
			if strings.Contains(e.Detail, "𠮷田") || strings.Contains(e.Detail, "本人確認") || e.Target != "card:1" {
				t.Errorf("audit entry %s %s holds the remark text or the wrong card", e.Target, e.Detail)
			}
		}
		if len(auditEntries(t, db, "card.remarks_updated")) != 2 {
			t.Error("want one audit entry per change")
		}
	})
}

func TestRemarksRefuseStaleAndLongInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Remarks: "前の備考"})
		if _, err := svc.UpdateRemarks(ctx, staff(), meta(), rec.ID, 1, "一人目"); err != nil {
			t.Fatal(err)
		}
		_, err := svc.UpdateRemarks(ctx, staff(), meta(), rec.ID, 1, "二人目")
		if !apperr.Is(err, apperr.Conflict) {
			t.Errorf("stale version: %v", err)
		}
		_, err = svc.UpdateRemarks(ctx, staff(), meta(), rec.ID, 0, strings.Repeat("あ", 2001))
		if !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)[0].Field != "remarks" {
			t.Errorf("long remarks: %v", err)
		}
		d, err := svc.UpdateRemarks(ctx, staff(), meta(), rec.ID, 0, "一人目 ")
		if err != nil || len(d.Events) != 1 || d.Card.Version != 2 {
			t.Errorf("unchanged text recorded again: %v, %d events", err, len(d.Events))
		}
	})
}

func TestStorageLocationIsNormalisedWithHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Storage: "A棚-1"})
		d, err := svc.SetStorageLocation(ctx, staff(), meta(), rec.ID, 0, " Ａ棚－３ ")
		if err != nil {
			t.Fatal(err)
		}
		ev := d.Events[0]
		if d.Card.StorageLocation != "A棚-3" || ev.Kind != store.EventEdit || ev.Field != "storage_location" || ev.OldValue != "A棚-1" || ev.NewValue != "A棚-3" {
			t.Errorf("card %q, event %+v", d.Card.StorageLocation, ev)
		}
		det := detailOf(t, auditEntries(t, db, "card.storage_location_set")[0])
		if det["old"] != "A棚-1" || det["new"] != "A棚-3" {
			t.Errorf("audit detail %v", det)
		}
		res, err := svc.Search(ctx, staff(), meta(), ledger.Query{StorageLocation: "Ａ棚"})
		if err != nil || res.Total != 1 {
			t.Errorf("search by typed location: %v, %d", err, res.Total)
		}
	})
}

func TestSearchNormalisesInputAndRecordsIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		a := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "A1B-123456", Name: "三輪　直美", Kana: "ミワ　ナオミ", Birth: "1977-07-28"})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Name: "三輪　隆", Kana: "ミワ　タカシ", Status: card.StatusSetupDone})
		tests := []struct {
			name string
			q    ledger.Query
			want int
		}{
			{"notice typed loosely", ledger.Query{NoticeNumber: "ａ１ｂ１２３４５６"}, 1},
			{"application id with spaces", ledger.Query{ApplicationID: "0000 0000 0000 0000 0000 001"}, 1},
			{"birth date with slashes", ledger.Query{BirthDate: "1977/7/28"}, 1},
			{"half-width kana", ledger.Query{Q: "ﾐﾜ"}, 2},
			{"statuses comma-separated", ledger.Query{Statuses: []string{"arrived,setup_done"}}, 2},
			{"method", ledger.Query{Method: "at_application"}, 0},
		}
		for _, tt := range tests {
			res, err := svc.Search(ctx, staff(), meta(), tt.q)
			if err != nil || res.Total != tt.want {
				t.Errorf("%s: %v, total %d, want %d", tt.name, err, res.Total, tt.want)
			}
		}
		entries := auditEntries(t, db, "card.searched")
		if len(entries) != len(tests) {
			t.Fatalf("%d search entries for %d searches", len(entries), len(tests))
		}
		det := detailOf(t, entries[0])
		filter := det["filter"].(map[string]any)
		notice, _ := filter["notice_number"].(string)
		if !strings.HasPrefix(notice, "enc1:") || det["total"] != 1.0 || !slices.Equal(det["card_ids"].([]any), []any{float64(a.ID)}) {
			t.Errorf("audit detail %v", det) // the typed notice number is kept sealed
		}
		err := db.View(ctx, func(tx *store.Tx) error {
			typed, err := tx.Open(notice, "audit_log.q")
			if err != nil || typed != "ａ１ｂ１２３４５６" {
				t.Errorf("the sealed notice number opens as %q, %v", typed, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(entries[3].Detail, "三輪") || strings.Contains(entries[3].Detail, "ナオミ") {
			t.Errorf("search entry names residents: %s", entries[3].Detail)
		}
	})
}

func TestSearchReportsEveryBadField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, err := newService(db).Search(ctx, staff(), meta(), ledger.Query{
			NoticeNumber: "12-34", ApplicationID: "123", BirthDate: "1977-02-30", DeliveredFrom: "昨日",
			Statuses: []string{"arrived", "lost"}, Method: "post", Sort: "password", Limit: 1000, Offset: -1,
		})
		var fields []string
		for _, f := range apperr.FieldsOf(err) {
			fields = append(fields, f.Field)
		}
		want := []string{"notice_number", "application_id", "birth_date", "delivered_from", "status", "method", "sort", "limit", "offset"}
		if !apperr.Is(err, apperr.Invalid) || !slices.Equal(fields, want) {
			t.Errorf("err %v, fields %v, want %v", err, fields, want)
		}
		if n := len(auditEntries(t, db, "card.searched")); n != 0 {
			t.Errorf("%d entries for a refused search", n)
		}
	})
}

// Remarks are the person's: written on the old card, they show on the
// reissued one (a new application of the same resident), and a change
// there shows on the old one, with the history on the card it was made on.
func TestRemarksBelongToTheResident(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		old := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Resident: "42", Status: card.StatusIssued})
		if _, err := svc.UpdateRemarks(ctx, staff(), meta(), old.ID, 0, "耳が遠いため筆談"); err != nil {
			t.Fatal(err)
		}
		reissued := ledgertest.Seed{App: 2, Resident: "42"}.Record()
		reissued.Resident.ID = old.Resident.ID
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.InsertCardRecord(ctx, &reissued) }); err != nil {
			t.Fatal(err)
		}
		d, err := svc.UpdateRemarks(ctx, staff(), meta(), reissued.ID, 1, "耳が遠いため筆談\n代理人は長女")
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Events) != 1 || d.Events[0].OldValue != "耳が遠いため筆談" {
			t.Errorf("the reissued card's history %+v", d.Events)
		}
		other := ledgertest.MustCard(t, db, ledgertest.Seed{App: 3, Resident: "43"})
		err = db.View(ctx, func(tx *store.Tx) error {
			for id, want := range map[int64]string{old.ID: "耳が遠いため筆談\n代理人は長女", other.ID: ""} {
				rec, err := tx.CardByID(ctx, id)
				if err != nil {
					return err
				}
				if rec.Resident.Remarks != want {
					t.Errorf("card %d shows %q, want %q", id, rec.Resident.Remarks, want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
