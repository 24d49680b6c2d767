package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/reissue"
	"github.com/kofu-oss/kofu/internal/store"
)

// demoReissue is a reissue the demo city registered some days ago.
type demoReissue struct {
	daysAgo  int
	resident int // index of the demo card whose resident it is
	in       reissue.Input
	void     string // a void reason: voided today
}

func demoReissues() []demoReissue {
	paid := func(reason string, cert, fast bool) reissue.Input {
		return reissue.Input{Reason: reason, Chargeable: true, Certificate: cert, FastTrack: fast}
	}
	free := func(reason, why string) reissue.Input {
		return reissue.Input{Reason: reason, FreeReason: why, Certificate: true}
	}
	return []demoReissue{
		{daysAgo: 1, resident: 3, in: paid(reissue.ReasonStolen, true, true)},
		{daysAgo: 1, resident: 8, in: free(reissue.ReasonCardDefect, reissue.FreeCardDefect)},
		{daysAgo: 1, resident: 15, in: paid(reissue.ReasonLost, true, false), void: "紛失したカードが見つかり、申請を取り下げ"},
		{daysAgo: 0, resident: 21, in: paid(reissue.ReasonLost, true, false)},
		{daysAgo: 0, resident: 34, in: paid(reissue.ReasonDamaged, false, false)},
		{daysAgo: 0, resident: 55, in: free(reissue.ReasonMarginFull, reissue.FreeMarginFull)},
	}
}

// SeedReissues registers a few fictional reissues and fees over the last
// two days (one voided today), so the list and the daily report are not
// empty. A database that has reissues already is left alone.
func SeedReissues(ctx context.Context, db *store.DB, loc *time.Location, now time.Time) (int, error) {
	var existing []store.Reissue
	err := db.View(ctx, func(tx *store.Tx) (err error) {
		existing, err = tx.Reissues(ctx, store.ReissueFilter{Limit: 1})
		return err
	})
	if err != nil || len(existing) > 0 {
		return 0, err
	}
	sys := auth.System("demo")
	today := reissue.New(db, clock.NewFixed(now), loc)
	n := 0
	for _, d := range demoReissues() {
		svc := reissue.New(db, clock.NewFixed(now.AddDate(0, 0, -d.daysAgo)), loc)
		d.in.ResidentNumber = fmt.Sprintf("9%09d", d.resident+1)
		x, err := svc.Register(ctx, sys, auth.Meta{}, d.in)
		if err != nil {
			return n, fmt.Errorf("demo reissue %d: %w", n, err)
		}
		if d.void != "" {
			if _, err := today.Void(ctx, sys, auth.Meta{}, x.ID, d.void); err != nil {
				return n, err
			}
		}
		n++
	}
	return n, nil
}
