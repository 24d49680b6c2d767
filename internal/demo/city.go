package demo

import (
	"context"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/juki"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
)

// City is what seeding the whole demo city needs: the services of a
// running server.
type City struct {
	DB      *store.DB
	Auth    *auth.Service
	Reserve *reserve.Service
	Clock   clock.Clock
	Loc     *time.Location
}

// Seed fills the demo city: accounts (new passwords each start), then
// cards and everything the workflow lists, the register and the bookings
// need. Each step leaves data that is already there alone, so a restarted
// demo keeps its data.
func (c City) Seed(ctx context.Context) ([]Account, error) {
	accs, err := Seed(ctx, c.Auth)
	if err != nil {
		return nil, err
	}
	now := c.Clock.Now()
	steps := []func() error{
		func() error { _, err := SeedCards(ctx, c.DB, now); return err },
		func() error { _, err := SeedPlaces(ctx, c.DB, now); return err },
		func() error {
			_, err := SeedRegister(ctx, c.DB, juki.New(c.DB, c.Clock, ledger.New(c.DB, c.Clock)), now)
			return err
		},
		func() error { _, err := SeedReissues(ctx, c.DB, c.Loc, now); return err },
		func() error { _, err := SeedSurfaceUpdates(ctx, c.DB, now); return err },
		func() error { _, err := SeedWeek(ctx, c.DB, c.Reserve); return err },
		func() error { _, err := SeedBookings(ctx, c.Reserve); return err },
		func() error { _, err := SeedNotices(ctx, c.DB, c.Loc, now, c.Reserve.Settings); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return accs, nil
}
