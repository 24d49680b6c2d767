package reserve

import (
	"context"
	"sync"
	"time"

	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/store"
)

// slotLines lets the bookings of one slot made through this process take
// turns in Go instead of all waiting on the database's write lock (the
// single SQLite writer, the slot's row on PostgreSQL). Whoever ends a turn
// while others wait reads the slot's seats once and hands the counts on;
// those that no longer fit answer slot_full at once instead of queueing
// for a write that can only fail (issue #8: 200 residents on one slot of
// 5). The line only saves waiting: the write transaction still checks the
// seats, and bookings of other processes are ordered by the database.
type slotLines struct {
	mu    sync.Mutex
	lines map[lineKey]*slotLine
}

// lineKey names a slot: bookings of the same place, start and end take
// seats in the same base slots.
type lineKey struct {
	place      string
	start, end int64 // Unix ms
}

type slotLine struct {
	busy    bool          // a request holds the turn (its write transaction runs)
	waiting int           // requests waiting for the turn
	joined  uint64        // requests that joined so far, numbering them
	passed  chan struct{} // closed when a turn ends, then replaced
	seen    *seatsSeen    // what the last to leave read, if anything
}

// seatsSeen is the slot's usage read at the end of a turn with the
// settings text stored then, and how many requests had joined when the
// read began: only those were waiting while it was read, so only they may
// answer slot_full from it, and only if they planned with those settings.
type seatsSeen struct {
	usage    store.Usage
	settings string
	before   uint64
}

func newSlotLines() *slotLines { return &slotLines{lines: map[lineKey]*slotLine{}} }

// enter waits for the slot's turn, which the caller must leave. It answers
// slot_full when seats read while the request waited show that it no
// longer fits by the settings it was planned with (their stored text, ""
// when not known), and the context's error when that ends first.
func (ls *slotLines) enter(ctx context.Context, k lineKey, settings string, fits func(store.Usage) bool) error {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	l := ls.lines[k]
	if l == nil {
		l = &slotLine{passed: make(chan struct{})}
		ls.lines[k] = l
	}
	l.joined++
	me := l.joined
	l.waiting++
	defer func() { l.waiting--; ls.drop(k, l) }()
	for {
		if s := l.seen; s != nil && me <= s.before && settings != "" && s.settings == settings && !fits(s.usage) {
			return store.ErrSlotFull()
		}
		if !l.busy {
			l.busy = true
			return nil
		}
		passed := l.passed
		ls.mu.Unlock()
		select {
		case <-passed:
		case <-ctx.Done():
		}
		ls.mu.Lock()
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// leave ends the turn. When others wait, read gives them the slot's seats
// and the settings text as they are now, read while the turn is still
// held; a failed read tells them nothing and the next in line finds out in
// its own transaction.
func (ls *slotLines) leave(k lineKey, read func() (settings string, u store.Usage, err error)) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	l := ls.lines[k]
	if l.waiting > 0 {
		before := l.joined
		ls.mu.Unlock()
		settings, usage, err := read()
		ls.mu.Lock()
		if err == nil {
			l.seen = &seatsSeen{usage: usage, settings: settings, before: before}
		}
	}
	l.busy = false
	close(l.passed)
	l.passed = make(chan struct{})
	ls.drop(k, l)
}

// drop forgets a line nobody holds or waits in.
func (ls *slotLines) drop(k lineKey, l *slotLine) {
	if !l.busy && l.waiting == 0 {
		delete(ls.lines, k)
	}
}

func keyOf(place string, start, end time.Time) lineKey {
	return lineKey{place: place, start: start.UnixMilli(), end: end.UnixMilli()}
}

// turnReadTimeout bounds the read that hands a slot's seats to those
// waiting for it.
const turnReadTimeout = 2 * time.Second

// takeTurn answers slot_full at once when the slot has no room for the
// request, from a read that takes no write lock (SQLite's readers do not
// wait for its writer, nor PostgreSQL's for row locks); otherwise it waits
// for the slot's turn in this process. leave ends the turn. What the read
// cannot tell (a start not offered, a hold to turn into the booking, a
// failed read) is left to the write transaction, which checks everything.
func (s *Service) takeTurn(ctx context.Context, ch booking.Channel, in createInput) (leave func(), err error) {
	none := func() {}
	if in.hold != "" {
		return none, nil // the hold's own seats make room for it
	}
	n := len(in.people)
	r, err := s.room(ctx, ch, in)
	if err != nil || r.plan == nil {
		return none, nil
	}
	if !r.fits {
		return none, store.ErrSlotFull()
	}
	plan := r.plan
	fits := func(u store.Usage) bool { return plan.fits(ch, n, u) }
	k := keyOf(plan.place.ID, plan.slot.Start, plan.slot.End)
	if err := s.lines.enter(ctx, k, r.settings, fits); err != nil {
		return none, err
	}
	return func() { s.lines.leave(k, func() (string, store.Usage, error) { return s.seatsNow(ctx, plan) }) }, nil
}

// seatsNow reads the plan's seats and the settings text for those waiting
// in line, also when the request that ends its turn was cancelled.
func (s *Service) seatsNow(ctx context.Context, plan *slotPlan) (settings string, u store.Usage, err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), turnReadTimeout)
	defer cancel()
	err = s.db.View(ctx, func(tx *store.Tx) error {
		text, _, err := tx.LoadSettingText(ctx, booking.SettingsKey)
		if err != nil {
			return err
		}
		settings = text
		u, err = plan.usage(ctx, tx, s.clock.Now())
		return err
	})
	return settings, u, err
}

// roomRead is what room found: the plan (nil when the read cannot tell),
// whether the request fits, and the text of the settings it was planned
// with ("" when not known).
type roomRead struct {
	plan     *slotPlan
	fits     bool
	settings string
}

// room reads whether the request fits its slot, in one statement when it
// does: the request is planned with the settings this process decoded
// last, and the seats read still count expired holds. A "no" is never
// answered from those: the settings are checked to be the stored ones
// (or planned again) and the expired holds are taken out first.
func (s *Service) room(ctx context.Context, ch booking.Channel, in createInput) (r roomRead, err error) {
	n := len(in.people)
	err = s.db.View(ctx, func(tx *store.Tx) error {
		now := s.clock.Now()
		last := lastSettings.Load()
		if last == nil {
			return s.roomAsStored(ctx, tx, ch, in, now, &r)
		}
		p, planned := roomPlan(last.st, in, now) // read only: no copy needed
		if !planned {
			return s.roomAsStored(ctx, tx, ch, in, now, &r)
		}
		u, err := tx.TakenSeats(ctx, p.place.ID, p.starts[0], p.end())
		if err != nil {
			return err
		}
		if p.fits(ch, n, u) {
			// The line checks last.text against the settings as stored
			// before it answers anything from this plan.
			r = roomRead{plan: &p, fits: true, settings: last.text}
			return nil
		}
		text, found, err := tx.LoadSettingText(ctx, booking.SettingsKey)
		if err != nil || !found || text != last.text {
			return s.roomAsStored(ctx, tx, ch, in, now, &r)
		}
		if err := tx.LessExpiredHolds(ctx, u, p.place.ID, p.starts[0], p.end(), now); err != nil {
			return err
		}
		r = roomRead{plan: &p, fits: p.fits(ch, n, u), settings: text}
		return nil
	})
	return r, err
}

// roomAsStored is room with the settings as stored.
func (s *Service) roomAsStored(ctx context.Context, tx *store.Tx, ch booking.Channel, in createInput, now time.Time, r *roomRead) error {
	st, err := loadSettings(ctx, tx)
	if err != nil {
		return err
	}
	p, planned := roomPlan(st, in, now)
	if !planned {
		return nil
	}
	u, err := p.usage(ctx, tx, now)
	*r = roomRead{plan: &p, fits: p.fits(ch, len(in.people), u)}
	return err
}

// roomPlan plans the request as the write transaction will when the
// settings decide everything checked before the seats: the service and
// place, the kind of people, the slot and the booking window.
func roomPlan(st booking.Settings, in createInput, now time.Time) (slotPlan, bool) {
	svc, pl, err := lookup(st, in.service, in.place)
	if err != nil || checkPeopleKind(st, svc, in.people) != nil {
		return slotPlan{}, false
	}
	plan, err := planSlot(st, svc, pl, in.start)
	if err != nil || st.Bookable(plan.slot.Start, now) != nil {
		return plan, false
	}
	return plan, true
}

// usage reads the seats taken in the plan's base slots.
func (p slotPlan) usage(ctx context.Context, tx *store.Tx, now time.Time) (store.Usage, error) {
	return tx.SlotUsage(ctx, p.place.ID, p.starts[0], p.end(), now)
}

// end bounds the starts of the plan's base slots (exclusive).
func (p slotPlan) end() time.Time { return p.starts[len(p.starts)-1].Add(time.Millisecond) }

// fits tells whether n seats of the channel fit every base slot of the
// plan, by the rules the write transaction applies.
func (p slotPlan) fits(ch booking.Channel, n int, u store.Usage) bool {
	for _, t := range p.starts {
		taken := map[booking.Channel]int{}
		for c, k := range u[time.UnixMilli(t.UnixMilli()).UTC()] {
			taken[booking.Channel(c)] = k
		}
		if p.place.RemainingFor(ch, taken) < n {
			return false
		}
	}
	return true
}
