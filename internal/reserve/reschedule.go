package reserve

import (
	"context"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/store"
)

// changing is one change of a booking in a transaction.
type changing struct {
	tx      *store.Tx
	a       actor
	now     time.Time
	st      booking.Settings
	b       store.Booking
	plan    slotPlan
	added   []matched
	removed []store.BookingPerson
	count   int // people after the change
}

func (s *Service) change(ctx context.Context, a actor, find finder, in changeInput, o Override) (Booking, error) {
	if err := checkReason(o.Reason, false); err != nil {
		return Booking{}, err
	}
	var out Booking
	err := s.update(ctx, func(tx *store.Tx, now time.Time) error {
		b, st, err := loadChangeable(ctx, tx, find, now, a, o)
		if err != nil {
			return err
		}
		c := &changing{tx: tx, a: a, now: now, st: st, b: b}
		if err := c.run(ctx, in); err != nil {
			return err
		}
		if out, err = finish(ctx, tx, st, b.ID, now); err != nil {
			return err
		}
		if err := s.mailChanged(ctx, tx, view(st, b, now), out, now); err != nil {
			return err
		}
		return c.audit(ctx, out.Booking, o)
	})
	return out, err
}

func (c *changing) run(ctx context.Context, in changeInput) error {
	if err := c.prepare(ctx, in); err != nil {
		return err
	}
	moved := !c.plan.slot.Start.Equal(c.b.Start)
	if moved || c.count != c.b.Seats {
		changes := append(releases(c.b), c.plan.takes(booking.Channel(c.b.Channel), c.count)...)
		if err := changeSeats(ctx, c.tx, c.b.Place, c.now, changes); err != nil {
			return err
		}
		if err := c.tx.SetBookingSlots(ctx, c.b.ID, c.plan.starts); err != nil {
			return err
		}
	}
	if err := c.swapPeople(ctx); err != nil {
		return err
	}
	b := c.b
	b.Start, b.End, b.Date, b.Seats = c.plan.slot.Start, c.plan.slot.End, c.plan.slot.Start.In(c.plan.loc).Format(time.DateOnly), c.count
	return c.tx.UpdateBooking(ctx, &b, c.now)
}

// prepare works out the new slot and people and checks them.
func (c *changing) prepare(ctx context.Context, in changeInput) error {
	svc, pl, err := lookup(c.st, c.b.Service, c.b.Place)
	if err != nil {
		return err
	}
	if err := c.planStart(svc, pl, in.start); err != nil {
		return err
	}
	current := active(c.b.People)
	c.count = len(current)
	if in.people == nil {
		return nil
	}
	if err := checkPeopleKind(c.st, svc, in.people); err != nil {
		return err
	}
	own := map[int64]bool{}
	for _, p := range current {
		own[p.CardID] = p.CardID != 0
	}
	people, err := matchPeople(ctx, c.tx, in.people, own)
	if err != nil {
		return err
	}
	c.added, c.removed = diffPeople(current, people)
	c.count = len(people)
	return nil
}

// planStart plans the new start, or keeps the booking's own slots when the
// start does not change (today's hours may no longer offer it).
func (c *changing) planStart(svc booking.Service, pl booking.Place, start *time.Time) error {
	loc, err := c.st.Location()
	if err != nil {
		return err
	}
	if start == nil || start.Equal(c.b.Start) {
		c.plan = slotPlan{service: svc, place: pl, loc: loc, starts: c.b.Slots,
			slot: booking.Slot{Place: pl.ID, Start: c.b.Start, End: c.b.End}}
		return nil
	}
	if c.plan, err = planSlot(c.st, svc, pl, *start); err != nil {
		return err
	}
	return ruleError(c.st.Bookable(c.plan.slot.Start, c.now))
}

// diffPeople returns who joins and who leaves the booking.
func diffPeople(current []store.BookingPerson, people []matched) (added []matched, removed []store.BookingPerson) {
	next := map[string]bool{}
	for _, m := range people {
		next[matchedRef(m)] = true
	}
	had := map[string]bool{}
	for _, p := range current {
		had[personRef(p)] = true
		if !next[personRef(p)] {
			removed = append(removed, p)
		}
	}
	for _, m := range people {
		if !had[matchedRef(m)] {
			added = append(added, m)
		}
	}
	return added, removed
}

func matchedRef(m matched) string {
	if m.rec != nil {
		return personRef(store.BookingPerson{CardID: m.rec.ID})
	}
	return m.key
}

// swapPeople ends the people who leave before adding those who join, so
// the one-booking-per-person indexes see each person once.
func (c *changing) swapPeople(ctx context.Context) error {
	for _, p := range c.removed {
		if err := endPerson(ctx, c.tx, c.a, p, store.PersonCancelled, "予約変更 "+FormatCode(c.b.Code), c.now); err != nil {
			return err
		}
	}
	seq := 0
	for _, p := range c.b.People {
		seq = max(seq, p.Seq)
	}
	_, err := insertPeople(ctx, c.tx, c.a, c.b, c.added, seq+1, c.now)
	return err
}

func (c *changing) audit(ctx context.Context, after store.Booking, o Override) error {
	var added []int64
	for _, m := range c.added {
		if m.rec != nil {
			added = append(added, m.rec.ID)
		}
	}
	return c.a.audit(ctx, c.tx, c.now, "booking.changed", bookingTarget(after.ID), map[string]any{
		"code": after.Code, "from_start": c.b.Start.UTC(), "to_start": after.Start.UTC(),
		"from_people": c.b.Seats, "to_people": after.Seats, "added_cards": added, "removed_cards": cardIDs(c.removed),
		"override_cutoff": o.Cutoff, "reason": strings.TrimSpace(o.Reason)})
}
