package demo

import (
	"context"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/reissue"
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
