package gaiji_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/fixture"
	"github.com/kofu-oss/kofu/internal/gaiji"
	"github.com/kofu-oss/kofu/internal/intake"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var ctx = context.Background()

var admin = auth.Principal{UserID: 1, Username: "admin", Role: auth.RoleAdmin}

func search(t *testing.T, db *store.DB, q string) []store.CardRecord {
	t.Helper()
	var recs []store.CardRecord
	err := db.View(ctx, func(tx *store.Tx) (err error) {
		recs, _, err = tx.SearchCards(ctx, store.CardFilter{Query: q, Limit: 200})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestGaijiMapResolvesFlaggedNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := clock.NewFixed(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
		if _, err := intake.New(db, c).ImportJLIS(ctx, admin, auth.Meta{}, bytes.NewReader(fixture.File(fixture.DeliveryCP932)), intake.Options{}); err != nil {
			t.Fatal(err)
		}
		svc := gaiji.New(db, c)
		before, err := svc.Review(ctx, admin, auth.Meta{})
		if err != nil || len(before) != fixture.GaijiRows {
			t.Fatalf("before the table: %d unresolved (want the %d 外字 rows), %v", len(before), fixture.GaijiRows, err)
		}
		var withE000 store.CardRecord
		for _, u := range before {
			if strings.ContainsRune(u.Card.Resident.Name, 0xE000) {
				withE000 = u.Card
			}
		}
		n, err := svc.LoadCSV(ctx, admin, auth.Meta{}, bytes.NewReader(fixture.File(fixture.GaijiMap)))
		if err != nil || n != fixture.GaijiCodes {
			t.Fatalf("load: %d %v", n, err)
		}
		after, _ := svc.Review(ctx, admin, auth.Meta{})
		if len(after) != 0 {
			t.Fatalf("every flagged name must resolve with gaiji-map.csv, %d left", len(after))
		}
		// The intended character now finds the name that holds U+E000.
		mapped := strings.ReplaceAll(withE000.Resident.Name, "\ue000", "辺")
		family := strings.Fields(strings.ReplaceAll(mapped, "　", " "))[0]
		found := false
		for _, r := range search(t, db, family) {
			found = found || r.ID == withE000.ID
		}
		if !found {
			t.Fatalf("searching %q must find card %d (%q)", family, withE000.ID, withE000.Resident.Name)
		}
		stored := search(t, db, family)
		for _, r := range stored {
			if r.ID == withE000.ID && !strings.ContainsRune(r.Resident.Name, 0xE000) {
				t.Fatal("the stored name must keep its 外字 code point")
			}
		}
	})
}

func TestBadCSVLoadsNothing(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	svc := gaiji.New(db, clock.System{})
	_, err := svc.LoadCSV(ctx, admin, auth.Meta{}, strings.NewReader("コード,文字\nU+E000,辺\nU+0041,A\nU+E002,\n"))
	fields := apperr.FieldsOf(err)
	if len(fields) != 2 || fields[0].Field != "3 行目" || fields[1].Field != "4 行目" {
		t.Fatalf("want problems on lines 3 and 4, got %v", err)
	}
	m, _ := svc.Map(ctx)
	if len(m) != 0 {
		t.Fatal("a bad file must load nothing")
	}
}
