package demo

import (
	"context"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/notice"
	"github.com/kofu-oss/kofu/internal/store"
)

// SeedNotices gives the demo city its notice settings, a batch mailed a
// week ago, one made today and not yet printed, and a year of population
// figures, so the batch, planner and report pages show data. A database
// that has batches already is left alone.
func SeedNotices(ctx context.Context, db *store.DB, loc *time.Location, now time.Time, bookings notice.BookingSettings) (int, error) {
	var existing []store.NoticeBatch
	err := db.View(ctx, func(tx *store.Tx) (err error) { existing, _, err = tx.NoticeBatches(ctx, 1, 0); return err })
	if err != nil || len(existing) > 0 {
		return 0, err
	}
	sys := auth.System("demo")
	svc := func(at time.Time) *notice.Service {
		clk := clock.NewFixed(at)
		return notice.New(notice.Deps{DB: db, Clock: clk, Loc: loc, Ledger: ledger.NewWorkflows(ledger.New(db, clk), loc),
			Gaiji: func(ctx context.Context) (map[rune]string, error) {
				var m map[rune]string
				err := db.View(ctx, func(tx *store.Tx) (err error) { m, err = tx.GaijiMap(ctx); return err })
				return m, err
			}, Bookings: bookings})
	}
	st := notice.DefaultSettings()
	st.City, st.Contact = "デモ市", "市民課 マイナンバーカード担当 079-000-0000（平日 8:30〜17:15）"
	st.SiteURL = "http://127.0.0.1:8080"
	if err := svc(now).SaveSettings(ctx, sys, auth.Meta{}, st); err != nil {
		return 0, err
	}
	weekAgo := now.AddDate(0, 0, -7)
	b, err := svc(weekAgo).Create(ctx, sys, auth.Meta{}, notice.Selection{Count: 20})
	if err != nil {
		return 0, err
	}
	if _, err := svc(weekAgo).Confirm(ctx, sys, auth.Meta{}, b.ID, weekAgo.In(loc).Format(time.DateOnly)); err != nil {
		return 1, err
	}
	if _, err := svc(now).Create(ctx, sys, auth.Meta{}, notice.Selection{Count: 15}); err != nil {
		return 1, err
	}
	month := now.In(loc)
	for i := range 12 {
		m := month.AddDate(0, -i, 0).Format("2006-01")
		if err := svc(now).SetPopulation(ctx, sys, auth.Meta{}, m, 52_400-i*15); err != nil {
			return 2, err
		}
	}
	return 2, nil
}
