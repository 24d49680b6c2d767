package store_test

import (
	"bytes"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// Names that break naive handling: a CP932 user-defined character (PUA),
// an IVS sequence, a character outside the BMP, half-width kana.
const (
	gaijiName = "\ue000田　花子"
	ivsName   = "葛\U000E0100城　直美"
	yoshiName = "𠮷野　一郎"
)

func TestCardRoundTripKeepsEveryCharacter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		raw := []byte{0x93, 0x63, 0xF0, 0x40, 0x2C, 0x00, 0xFF, 0x0D} // CP932 with a 外字 byte pair
		for i, name := range []string{gaijiName, ivsName, yoshiName} {
			seeded := ledgertest.MustCard(t, db, ledgertest.Seed{App: i + 1, Name: name, Kana: "ｼﾞｮｳ ｶﾞｲ",
				Address: "三田市" + name, Raw: raw, Gaiji: i == 0, Flags: []string{"gaiji", "a"}})
			got := mustCardByID(t, db, seeded.ID)
			if got.Resident.Name != name || got.Resident.Address != "三田市"+name || got.Resident.NameKana != "ｼﾞｮｳ ｶﾞｲ" {
				t.Errorf("name %q came back as %q / %q / %q", name, got.Resident.Name, got.Resident.Address, got.Resident.NameKana)
			}
			if !bytes.Equal(got.RawRow, raw) {
				t.Errorf("raw row %x came back as %x", raw, got.RawRow)
			}
			if got.Resident.HasGaiji != (i == 0) || !slices.Equal(got.Flags, []string{"a", "gaiji"}) {
				t.Errorf("gaiji %v flags %v", got.Resident.HasGaiji, got.Flags)
			}
		}
	})
}

func TestCardAllFieldsRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		yes := true
		rec := ledgertest.Seed{App: 7, Notice: "A1B-123456", Resident: "000123", Sex: "female",
			Status: card.StatusSetupDone, Method: card.MethodAtApplication, Delivery: "2025-03-31",
			Box: "B-12", Storage: "A棚-3", Remarks: "本人より電話あり"}.Record()
		rec.IssueDate, rec.ExpiryDate, rec.Certificate = "2025-03-20", "2035-01-01", &yes
		rec.Application.FastTrack = true
		rec.Flags = []string{} // read back as an empty list, never nil
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.InsertCardRecord(ctx, &rec) }); err != nil {
			t.Fatal(err)
		}
		got := mustCardByID(t, db, rec.ID)
		normaliseTimes(&got, &rec)
		if !reflect.DeepEqual(got, rec) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, rec)
		}
		for name, get := range map[string]func(tx *store.Tx) (store.CardRecord, error){
			"notice":      func(tx *store.Tx) (store.CardRecord, error) { return tx.CardByNoticeNumber(ctx, "A1B-123456") },
			"application": func(tx *store.Tx) (store.CardRecord, error) { return tx.CardByApplicationID(ctx, ledgertest.AppID(7)) },
		} {
			var byKey store.CardRecord
			err := db.View(ctx, func(tx *store.Tx) (err error) { byKey, err = get(tx); return err })
			if err != nil || byKey.ID != rec.ID {
				t.Errorf("by %s: %v, id %d", name, err, byKey.ID)
			}
		}
	})
}

func normaliseTimes(recs ...*store.CardRecord) {
	for _, r := range recs {
		for _, tp := range []*time.Time{&r.CreatedAt, &r.UpdatedAt, &r.Application.CreatedAt, &r.Resident.CreatedAt, &r.Resident.UpdatedAt} {
			*tp = tp.UTC()
		}
	}
}

func mustCardByID(t *testing.T, db *store.DB, id int64) store.CardRecord {
	t.Helper()
	var rec store.CardRecord
	err := db.View(ctx, func(tx *store.Tx) (err error) { rec, err = tx.CardByID(ctx, id); return err })
	if err != nil {
		t.Fatalf("card %d: %v", id, err)
	}
	return rec
}

func TestCardKeysAreUnique(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "A1B-000001"})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 2}) // no notice number yet: many may lack one
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 3})
		for _, s := range []ledgertest.Seed{{App: 4, Notice: "A1B-000001"}, {App: 1}} {
			rec := s.Record()
			err := db.Update(ctx, func(tx *store.Tx) error { return tx.InsertCardRecord(ctx, &rec) })
			if !apperr.Is(err, apperr.Conflict) {
				t.Errorf("duplicate %+v: want conflict, got %v", s, err)
			}
		}
		err := db.View(ctx, func(tx *store.Tx) error { _, err := tx.CardByID(ctx, 999); return err })
		if !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing card: %v", err)
		}
	})
}

func TestUpdateCardRefusesStaleVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1})
		now := ledgertest.Created().Add(time.Hour)
		first, second := rec.Card, rec.Card
		first.Box, second.Box = "一人目", "二人目"
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdateCard(ctx, &first, now) }); err != nil {
			t.Fatal(err)
		}
		err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdateCard(ctx, &second, now) })
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("stale update: want conflict, got %v", err)
		}
		got := mustCardByID(t, db, rec.ID)
		if got.Box != "一人目" || got.Version != 2 || first.Version != 2 || !got.UpdatedAt.Equal(now) {
			t.Errorf("after update: %q v%d (caller v%d) at %v", got.Box, got.Version, first.Version, got.UpdatedAt)
		}
	})
}

func TestUpdateResidentRenewsSearchKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Resident: "42", Name: "山田　花子", Kana: "ヤマダ　ハナコ"})
		replacement := ledgertest.Seed{}.Record() // a second card for the same application
		replacement.Resident, replacement.Application = rec.Resident, rec.Application
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.InsertCardRecord(ctx, &replacement) }); err != nil {
			t.Fatal(err)
		}
		assertFound(t, db, store.CardFilter{Query: "山田"}, 1, 1)
		r := rec.Resident
		r.Name, r.NameKana = "川村　花子", "カワムラ　ハナコ"
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdateResident(ctx, r, time.Now()) }); err != nil {
			t.Fatal(err)
		}
		assertFound(t, db, store.CardFilter{Query: "山田"})
		assertFound(t, db, store.CardFilter{Query: "川村"}, 1, 1)
		assertFound(t, db, store.CardFilter{Query: "ｶﾜﾑﾗ"}, 1, 1)
		assertFound(t, db, store.CardFilter{Query: "ﾔﾏﾀﾞ"})
		var got store.Resident
		err := db.View(ctx, func(tx *store.Tx) (err error) { got, err = tx.ResidentByNumber(ctx, "42"); return err })
		if err != nil || got.Name != "川村　花子" || got.ID != r.ID {
			t.Errorf("by number: %+v %v", got, err)
		}
	})
}

func TestCardEventsListInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1})
		at := ledgertest.Created()
		events := []store.CardEvent{
			{CardID: rec.ID, At: at, Actor: "system", Kind: store.EventImport},
			{CardID: rec.ID, At: at.Add(time.Minute), ActorID: 3, Actor: "tanaka", Kind: store.EventStatus,
				FromStatus: card.StatusArrived, ToStatus: card.StatusSetupDone, Reason: "IC確認済"},
			{CardID: rec.ID, At: at.Add(2 * time.Minute), ActorID: 3, Actor: "tanaka", Kind: store.EventRemarks,
				Field: "remarks", OldValue: "", NewValue: "𠮷田様より電話"},
		}
		err := db.Update(ctx, func(tx *store.Tx) error {
			for i := range events {
				if err := tx.InsertCardEvent(ctx, &events[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []store.CardEvent
		err = db.View(ctx, func(tx *store.Tx) (err error) { got, err = tx.CardEvents(ctx, rec.ID); return err })
		for i := range got {
			got[i].At = got[i].At.UTC()
		}
		if err != nil || !reflect.DeepEqual(got, events) {
			t.Errorf("events %v:\n got %+v\nwant %+v", err, got, events)
		}
	})
}
