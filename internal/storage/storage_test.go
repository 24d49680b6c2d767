package storage_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/storage"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var ctx = context.Background()

func admin() auth.Principal {
	return auth.Principal{UserID: 1, Username: "kanri", Role: auth.RoleAdmin}
}
func staff() auth.Principal {
	return auth.Principal{UserID: 7, Username: "tanaka", Role: auth.RoleStaff}
}
func staff2() auth.Principal {
	return auth.Principal{UserID: 8, Username: "suzuki", Role: auth.RoleStaff}
}
func meta() auth.Meta { return auth.Meta{IP: "10.0.0.5", RequestID: "req-1"} }

func newService(db *store.DB) *storage.Service {
	c := clock.NewFixed(time.Date(2025, 6, 2, 10, 30, 0, 0, time.UTC))
	return storage.New(db, c, ledger.New(db, c))
}

// mustPlace adds a place or fails the test.
func mustPlace(t *testing.T, svc *storage.Service, parent int64, name, kind string, capacity int) store.Place {
	t.Helper()
	pl, err := svc.CreatePlace(ctx, admin(), meta(), storage.PlaceInput{ParentID: parent, Name: name, Kind: kind, Capacity: capacity})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return pl
}

// cabinet builds キャビネットA > 2段 > 01 (2 cards), 02 (2 cards).
func cabinet(t *testing.T, svc *storage.Service) (cab, shelf, box1, box2 store.Place) {
	t.Helper()
	cab = mustPlace(t, svc, 0, "キャビネットA", store.PlaceCabinet, 0)
	shelf = mustPlace(t, svc, cab.ID, "2段", store.PlaceShelf, 0)
	box1 = mustPlace(t, svc, shelf.ID, "01", store.PlaceBox, 2)
	box2 = mustPlace(t, svc, shelf.ID, "02", store.PlaceBox, 2)
	return cab, shelf, box1, box2
}

func auditCount(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	n := 0
	err := db.View(ctx, func(tx *store.Tx) error {
		_, err := tx.SearchAudit(ctx, store.AuditFilter{Action: action}, func(audit.Entry) error { n++; return nil })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPlacesHavePathsAndRejectBadNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		_, _, box1, _ := cabinet(t, svc)
		if box1.Path != "キャビネットA-2段-01" {
			t.Errorf("path %q", box1.Path)
		}
		for _, name := range []string{"", "A-1", "01"} {
			_, err := svc.CreatePlace(ctx, admin(), meta(), storage.PlaceInput{ParentID: box1.ParentID, Name: name, Kind: store.PlaceBox})
			if !apperr.Is(err, apperr.Invalid) {
				t.Errorf("name %q: %v", name, err)
			}
		}
		if n := auditCount(t, db, "storage.place_created"); n != 4 {
			t.Errorf("%d audit entries", n)
		}
	})
}

func TestSuggestionSkipsFullBoxesAndMovesAreLedgerEdits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		_, shelf, box1, box2 := cabinet(t, svc)
		for i := 1; i <= 3; i++ {
			ledgertest.MustCard(t, db, ledgertest.Seed{App: i, Notice: "A1B-00000" + string(rune('0'+i))})
		}
		// A card that left the city does not take room.
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 9, Notice: "A1B-000009", Status: card.StatusIssued, Storage: box1.Path})
		for i, want := range []string{box1.Path, box1.Path, box2.Path} {
			s, err := svc.Suggest(ctx, 0)
			if err != nil || s.Path != want {
				t.Fatalf("suggestion %d: %q, %v", i, s.Path, err)
			}
			d, _, err := svc.Move(ctx, staff(), meta(), 0, "a1b00000"+string(rune('1'+i)))
			if err != nil || d.Card.StorageLocation != want {
				t.Fatalf("move %d: %+v, %v", i, d.Card.StorageLocation, err)
			}
			if ev := d.Events[len(d.Events)-1]; ev.Field != "storage_location" || ev.NewValue != want {
				t.Errorf("event %+v", ev)
			}
		}
		if _, _, err := svc.Move(ctx, staff(), meta(), box1.ID, "A1B-000003"); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("move into a full box: %v", err)
		}
		tree, err := svc.Tree(ctx)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, n := range tree {
			counts[n.Path] = n.Count
		}
		if counts[shelf.Path] != 3 || counts[box1.Path] != 2 || counts[box2.Path] != 1 {
			t.Errorf("counts %v", counts)
		}
		c, err := svc.Contents(ctx, staff(), meta(), shelf.ID)
		if err != nil || len(c.Cards) != 3 || c.Cards[2].NoticeNumber != "A1B-000003" {
			t.Fatalf("contents %+v, %v", c.Cards, err)
		}
		if n := auditCount(t, db, "storage.contents_viewed"); n != 1 {
			t.Errorf("%d contents audit entries", n)
		}
		if n := auditCount(t, db, "card.storage_location_set"); n != 3 {
			t.Errorf("%d move audit entries", n)
		}
	})
}

func TestSuggestionWhenEveryBoxIsFull(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		cab := mustPlace(t, svc, 0, "B", store.PlaceCabinet, 0)
		box := mustPlace(t, svc, cab.ID, "1", store.PlaceBox, 1)
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Storage: box.Path})
		if _, err := svc.Suggest(ctx, 0); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("suggestion: %v", err)
		}
	})
}

func TestStocktakeFindsMissingMisplacedAndIssued(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		_, _, box1, box2 := cabinet(t, svc)
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "AAA-000001", Storage: box1.Path})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Notice: "AAA-000002", Storage: box1.Path, Name: "不在　花子"})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 3, Notice: "AAA-000003", Storage: box2.Path})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 4, Notice: "AAA-000004", Storage: box1.Path, Status: card.StatusIssued})

		st, joined, err := svc.StartStocktake(ctx, staff(), meta(), box1.ID)
		if err != nil || joined {
			t.Fatal(err)
		}
		// A second PC joins the same session.
		again, joined, err := svc.StartStocktake(ctx, staff2(), meta(), box1.ID)
		if err != nil || !joined || again.ID != st.ID {
			t.Fatalf("join: %+v, %v", again, err)
		}
		scans := []struct {
			who  auth.Principal
			code string
			want string
		}{
			{staff(), "AAA000001", storage.ScanOK},
			{staff2(), "https://example.jp/n?c=aaa-000003", storage.FindingMisplaced},
			{staff(), "ＡＡＡ－０００００４", storage.FindingNotOnHand},
			{staff2(), "AAA-000001", storage.ScanDuplicate},
		}
		for _, s := range scans {
			res, err := svc.Scan(ctx, s.who, meta(), st.ID, s.code)
			if err != nil || res.Outcome != s.want {
				t.Errorf("scan %q: %+v, %v", s.code, res, err)
			}
		}
		if _, err := svc.Scan(ctx, staff(), meta(), st.ID, "???"); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unreadable scan: %v", err)
		}

		r, err := svc.Report(ctx, staff(), meta(), st.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, f := range r.Findings {
			got[f.Notice] = f.Kind
		}
		want := map[string]string{"AAA-000002": storage.FindingMissing, "AAA-000003": storage.FindingMisplaced,
			"AAA-000004": storage.FindingNotOnHand}
		if len(r.Findings) != 3 || len(got) != 3 || got["AAA-000002"] != want["AAA-000002"] ||
			got["AAA-000003"] != want["AAA-000003"] || got["AAA-000004"] != want["AAA-000004"] {
			t.Errorf("findings %+v", r.Findings)
		}
		if r.Expected != 2 || r.Matched != 1 {
			t.Errorf("expected %d matched %d", r.Expected, r.Matched)
		}

		var buf bytes.Buffer
		if err := svc.ExportReport(ctx, staff(), meta(), st.ID, export.UTF8, &buf); err != nil {
			t.Fatal(err)
		}
		if lines := strings.Count(buf.String(), "\n"); lines != 4 || !strings.Contains(buf.String(), "不在　花子") {
			t.Errorf("csv:\n%s", buf.String())
		}

		if err := svc.CloseStocktake(ctx, staff(), meta(), st.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Scan(ctx, staff(), meta(), st.ID, "AAA-000002"); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("scan after close: %v", err)
		}
		if n := auditCount(t, db, "storage.stocktake_scanned"); n != 4 {
			t.Errorf("%d scan audit entries", n)
		}
	})
}

func TestPlaceWithCardsCannotBeDeletedOrRenamed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		_, shelf, box1, box2 := cabinet(t, svc)
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Storage: box1.Path})
		if err := svc.DeletePlace(ctx, admin(), meta(), box1.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("delete box with a card: %v", err)
		}
		if err := svc.DeletePlace(ctx, admin(), meta(), shelf.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("delete shelf with boxes: %v", err)
		}
		if _, err := svc.UpdatePlace(ctx, admin(), meta(), box1.ID, storage.PlaceInput{Name: "99", Capacity: 5}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("rename box with a card: %v", err)
		}
		pl, err := svc.UpdatePlace(ctx, admin(), meta(), box2.ID, storage.PlaceInput{Name: "03", Capacity: 5})
		if err != nil || pl.Path != "キャビネットA-2段-03" || pl.Capacity != 5 {
			t.Errorf("rename empty box: %+v, %v", pl, err)
		}
		if err := svc.DeletePlace(ctx, admin(), meta(), box2.ID); err != nil {
			t.Errorf("delete empty box: %v", err)
		}
	})
}
