package demo

import (
	"context"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
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
