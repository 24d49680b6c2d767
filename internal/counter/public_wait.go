package counter

import (
	"context"
	"sync"
	"time"

	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/store"
)

// PlaceWait is today's wait at one place, as the citizen top page shows it.
type PlaceWait struct {
	Place   string // the place's ID
	Name    string // its name (Japanese; the page translates it)
	Waiting int    // tickets waiting now
	Minutes int    // rough wait of a ticket taken now
}

// PublicWaitTTL is how long the top page's figures are kept: the page is
// what a rush of residents opens first, so it reads the database at most
// once in this time per instance, and only reads.
const PublicWaitTTL = 30 * time.Second

// waitCache keeps the last PublicWaits answer.
type waitCache struct {
	ttl   time.Duration
	mu    sync.Mutex
	read  time.Time // on this machine's clock, for the TTL
	at    time.Time // on the service's clock, shown
	waits []PlaceWait
	on    bool
}

// PublicWaits answers today's wait per place, when it was read (the
// service's clock), and whether the city shows it (the setting
// public_wait); off, the list is empty. The answer is kept for
// PublicWaitTTL and nothing is written.
func (s *Service) PublicWaits(ctx context.Context) ([]PlaceWait, time.Time, bool, error) {
	c := &s.waits
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if !c.read.IsZero() && now.Sub(c.read) < c.ttl {
		return c.waits, c.at, c.on, nil
	}
	at := s.Clock.Now()
	waits, on, err := s.readWaits(ctx, at)
	if err != nil {
		return nil, at, false, err
	}
	c.read, c.at, c.waits, c.on = now, at, waits, on
	return waits, at, on, nil
}

func (s *Service) readWaits(ctx context.Context, now time.Time) ([]PlaceWait, bool, error) {
	bs, err := s.Bookings(ctx)
	if err != nil {
		return nil, false, err
	}
	loc, err := bs.Location()
	if err != nil {
		return nil, false, err
	}
	date := calendar.DateOf(now.In(loc)).String()
	var out []PlaceWait
	var on bool
	err = s.DB.View(ctx, func(tx *store.Tx) error {
		st, err := loadSettings(ctx, tx)
		if err != nil || !st.PublicWait {
			return err
		}
		on = true
		for _, p := range bs.Places {
			w, err := tx.WaitingAhead(ctx, p.ID, date, 1<<30)
			if err != nil {
				return err
			}
			desks, err := tx.ActiveDesks(ctx, p.ID, date)
			if err != nil {
				return err
			}
			out = append(out, PlaceWait{Place: p.ID, Name: p.Name, Waiting: w, Minutes: waitMinutes(w, desks, st.MinutesPerTicket)})
		}
		return nil
	})
	return out, on, err
}

// forget drops the kept answer.
func (c *waitCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.read = time.Time{}
}
