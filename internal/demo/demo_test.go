package demo

import (
	"context"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/juki"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/reissue"
	"github.com/kofu-oss/kofu/internal/storage"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestDemoCardsCoverEveryStatusOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		n, err := SeedCards(ctx, db, now)
		if err != nil || n != demoCards {
			t.Fatalf("seeded %d: %v", n, err)
		}
		for _, s := range card.AllStatuses() {
			var total int
			err := db.View(ctx, func(tx *store.Tx) (err error) {
				_, total, err = tx.SearchCards(ctx, store.CardFilter{Statuses: []card.Status{s}, Limit: 1})
				return err
			})
			if err != nil || total == 0 {
				t.Errorf("no demo card in %s (%v)", s, err)
			}
		}
		if again, err := SeedCards(ctx, db, now); err != nil || again != 0 {
			t.Fatalf("a second start must not add cards: %d %v", again, err)
		}
	})
}

func TestDemoCardsFillEveryWorkflowList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		if _, err := SeedCards(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		wf := ledger.NewWorkflows(ledger.New(db, clock.NewFixed(now)), time.UTC)
		p := auth.Principal{UserID: 1, Username: "demo", Role: auth.RoleStaff}
		d, err := wf.Dashboard(ctx, p, auth.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if d.RenoticesDue == 0 || d.NoticesOverdue == 0 || d.DisposalsDue == 0 || d.DisposalsPending == 0 || d.DisposalsHeld == 0 {
			t.Errorf("an empty list in the demo: %+v", d)
		}
		if n, err := SeedPlaces(ctx, db, now); err != nil || n != demoCabinets*(1+demoShelves*(1+demoBoxesPerShelf)) {
			t.Fatalf("places: %d %v", n, err)
		}
		if again, _ := SeedPlaces(ctx, db, now); again != 0 {
			t.Errorf("a second start added %d places", again)
		}
		// Every demo card on hand sits in a known box, none over capacity.
		tree, err := storage.New(db, clock.NewFixed(now), nil).Tree(ctx)
		if err != nil {
			t.Fatal(err)
		}
		inBoxes, inCabinets := 0, 0
		for _, n := range tree {
			switch n.Kind {
			case store.PlaceBox:
				inBoxes += n.Count
				if n.Count > n.Capacity {
					t.Errorf("%s over capacity: %d", n.Path, n.Count)
				}
			case store.PlaceCabinet:
				inCabinets += n.Count
			}
		}
		if inBoxes == 0 || inBoxes != inCabinets {
			t.Errorf("cards in boxes %d, in cabinets %d: every card on hand must be in a box", inBoxes, inCabinets)
		}
		jk := juki.New(db, clock.NewFixed(now), ledger.New(db, clock.NewFixed(now)))
		res, err := SeedRegister(ctx, db, jk, now)
		if err != nil || res.Rows != demoRegisterSize || res.Proposed == 0 {
			t.Fatalf("register: %+v %v", res, err)
		}
		if again, err := SeedRegister(ctx, db, jk, now); err != nil || again.Rows != 0 {
			t.Errorf("a second start imported the register again: %+v %v", again, err)
		}
		returns, err := wf.Returns(ctx, p, auth.Meta{}, ledger.ListQuery{})
		if err != nil || len(returns.Items) == 0 {
			t.Errorf("no returned notice in the demo (%v)", err)
		}
	})
}

func TestDemoReissuesFillTodaysReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tokyo, _ := time.LoadLocation("Asia/Tokyo")
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, tokyo)
		if _, err := SeedCards(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		n, err := SeedReissues(ctx, db, tokyo, now)
		if err != nil || n != len(demoReissues()) {
			t.Fatalf("seeded %d: %v", n, err)
		}
		svc := reissue.New(db, clock.NewFixed(now), tokyo)
		rep, err := svc.Report(ctx, auth.System("test"), auth.Meta{}, "")
		if err != nil || len(rep.Received) == 0 || len(rep.Voids) != 1 || rep.Total.Net == 0 {
			t.Fatalf("today's report: %+v %v", rep.Total, err)
		}
		if again, err := SeedReissues(ctx, db, tokyo, now); err != nil || again != 0 {
			t.Fatalf("a second start must not add reissues: %d %v", again, err)
		}
	})
}

func TestDemoSurfaceUpdatesFillTheListAndFlagPendingCards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		if n, err := SeedSurfaceUpdates(ctx, db, now); err != nil || n != 0 {
			t.Fatalf("an empty ledger gets no surface updates: %d %v", n, err)
		}
		if _, err := SeedCards(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		n, err := SeedSurfaceUpdates(ctx, db, now)
		if err != nil || n != len(demoSurfaces) {
			t.Fatalf("seeded %d: %v", n, err)
		}
		var pending, flagged int
		err = db.View(ctx, func(tx *store.Tx) (err error) {
			if _, pending, err = tx.SurfaceUpdates(ctx, store.SurfaceFilter{State: store.SurfacePending, Limit: 1}); err != nil {
				return err
			}
			_, flagged, err = tx.SearchCards(ctx, store.CardFilter{Flag: card.FlagSurfacePending, Limit: 1})
			return err
		})
		if err != nil || pending != 2 || flagged != 2 {
			t.Fatalf("pending %d, flagged cards %d: %v", pending, flagged, err)
		}
		if again, err := SeedSurfaceUpdates(ctx, db, now); err != nil || again != 0 {
			t.Fatalf("a second start must not add surface updates: %d %v", again, err)
		}
	})
}
