package reserve

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/kofu-oss/kofu/internal/store"
)

// housekeepingBatch bounds the work of one Housekeeping call; the next
// call takes the rest.
const housekeepingBatch = 500

// rateLimitKeep is how long rate-limit windows are kept: the longest
// window (an hour) and a margin.
const rateLimitKeep = 2 * time.Hour

// HousekeepingResult tells what a Housekeeping call did.
type HousekeepingResult struct {
	HoldsExpired int
	NoShows      int
	LimitsPurged int64
}

// Housekeeping gives back the seats of expired holds, marks as no-shows
// the bookings of past days that nobody checked in for (their cards go
// back to waiting), and drops old rate-limit windows. Every step is
// idempotent and each booking has its own transaction, so several server
// processes may run it at once. Run it every few minutes.
func (s *Service) Housekeeping(ctx context.Context) (HousekeepingResult, error) {
	var res HousekeepingResult
	var errs []error
	var err error
	res.HoldsExpired, err = s.expireAllHolds(ctx)
	errs = append(errs, err)
	res.NoShows, err = s.markDueNoShows(ctx)
	errs = append(errs, err)
	err = s.update(ctx, func(tx *store.Tx, now time.Time) (err error) {
		res.LimitsPurged, err = tx.PurgeRateLimits(ctx, now.Add(-rateLimitKeep))
		return err
	})
	return res, errors.Join(append(errs, err)...)
}

func (s *Service) expireAllHolds(ctx context.Context) (int, error) {
	var ids []int64
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		ids, err = tx.ExpiredHolds(ctx, "", time.UnixMilli(1), time.UnixMilli(math.MaxInt64), s.clock.Now(), housekeepingBatch)
		return err
	})
	n := 0
	for _, id := range ids {
		if err != nil {
			break
		}
		done := false
		err = s.update(ctx, func(tx *store.Tx, now time.Time) error {
			h, err := tx.BookingByID(ctx, id)
			if err != nil || h.Status != store.BookingHeld || h.HoldUntil.After(now) {
				return err // booked or expired by another process meanwhile
			}
			done = true
			return endHold(ctx, tx, h, now)
		})
		n += count(done && err == nil)
	}
	return n, err
}

func (s *Service) markDueNoShows(ctx context.Context) (int, error) {
	var ids []int64
	var day string
	err := s.db.View(ctx, func(tx *store.Tx) error {
		st, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		day = today(st, s.clock.Now())
		ids, err = tx.DueNoShows(ctx, day, housekeepingBatch)
		return err
	})
	n := 0
	for _, id := range ids {
		if err != nil {
			break
		}
		done := false
		err = s.update(ctx, func(tx *store.Tx, now time.Time) error {
			b, err := tx.BookingByID(ctx, id)
			if err != nil || b.Status != store.BookingBooked || b.Date >= day {
				return err
			}
			done = true
			return markNoShow(ctx, tx, systemActor(), &b, "予約日を過ぎても来庁がなかったため（自動）", now)
		})
		n += count(done && err == nil)
	}
	return n, err
}

func count(ok bool) int {
	if ok {
		return 1
	}
	return 0
}
