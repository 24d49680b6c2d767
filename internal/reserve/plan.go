package reserve

import (
	"context"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/store"
)

// slotPlan is where and when a booking goes: the service and place from
// the settings, the slot and the base slots it takes seats in.
type slotPlan struct {
	service booking.Service
	place   booking.Place
	loc     *time.Location
	slot    booking.Slot
	starts  []time.Time
}

// lookup finds the service and the place that offers it, or says which
// field is wrong.
func lookup(st booking.Settings, serviceID, placeID string) (booking.Service, booking.Place, error) {
	svc, ok := st.Service(serviceID)
	if !ok {
		return svc, booking.Place{}, InvalidInput(apperr.FieldError{Field: "service", Message: "指定されたサービスはありません。"})
	}
	pl, ok := st.Place(placeID)
	if !ok || !offers(svc, placeID) {
		return svc, pl, InvalidInput(apperr.FieldError{Field: "place", Message: "このサービスはこの窓口では受け付けていません。"})
	}
	return svc, pl, nil
}

func offers(svc booking.Service, placeID string) bool {
	for _, id := range svc.Places {
		if id == placeID {
			return true
		}
	}
	return false
}

// planSlot finds the slot of the service starting at start, which must be
// one of the starts the settings offer that day.
func planSlot(st booking.Settings, svc booking.Service, pl booking.Place, start time.Time) (slotPlan, error) {
	loc, err := st.Location()
	if err != nil {
		return slotPlan{}, err
	}
	day := calendar.DateOf(start.In(loc))
	noSlot := InvalidInput(apperr.FieldError{Field: "start", Message: "この日時には予約できません。空いている日時から選んでください。"})
	if !calendar.Supported(day.Year) {
		return slotPlan{}, noSlot
	}
	slots, err := st.ServiceStarts(svc.ID, pl.ID, day, day, loc)
	if err != nil {
		return slotPlan{}, err
	}
	for _, sl := range slots {
		if sl.Start.Equal(start) {
			return slotPlan{service: svc, place: pl, loc: loc, slot: sl, starts: baseStarts(sl, pl.SlotDuration())}, nil
		}
	}
	return slotPlan{}, noSlot
}

// baseStarts lists the base slots a booking of the slot takes seats in.
func baseStarts(sl booking.Slot, step time.Duration) []time.Time {
	var out []time.Time
	for t := sl.Start; t.Before(sl.End); t = t.Add(step) {
		out = append(out, t)
	}
	return out
}

// seatCaps are the place's seat rules in the store's terms. The shared
// pool is what a channel can use beyond its reserved seats.
func seatCaps(pl booking.Place) store.SeatCaps {
	reserved := make(map[string]int, len(pl.ChannelCapacity))
	for ch, n := range pl.ChannelCapacity {
		reserved[string(ch)] = n
	}
	shared := pl.Seats(booking.ChannelWeb) - pl.ChannelCapacity[booking.ChannelWeb]
	return store.SeatCaps{Capacity: pl.Capacity, Shared: shared, Reserved: reserved}
}

// takes are the seat changes that give n seats of the channel in each
// slot of the plan.
func (p slotPlan) takes(ch booking.Channel, n int) []store.SeatChange {
	caps := seatCaps(p.place)
	out := make([]store.SeatChange, len(p.starts))
	for i, t := range p.starts {
		out[i] = store.SeatChange{Start: t, Channel: string(ch), Delta: n, Caps: caps}
	}
	return out
}

// releases are the seat changes that give back what b takes.
func releases(b store.Booking) []store.SeatChange {
	out := make([]store.SeatChange, len(b.Slots))
	for i, t := range b.Slots {
		out[i] = store.SeatChange{Start: t, Channel: b.Channel, Delta: -b.Seats}
	}
	return out
}

// expireHolds ends the holds at the place that expired by now in the
// slots from..to, and returns the seat changes that give their seats back.
// Running it before taking seats lets a booking use seats an abandoned
// form left, without waiting for Housekeeping.
func expireHolds(ctx context.Context, tx *store.Tx, place string, from, to, now time.Time) ([]store.SeatChange, error) {
	ids, err := tx.ExpiredHolds(ctx, place, from, to, now, 0)
	if err != nil {
		return nil, err
	}
	var out []store.SeatChange
	for _, id := range ids { // in ID order, so racing transactions lock them alike
		ok, err := tx.ExpireHold(ctx, id, now)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue // another transaction expired it first
		}
		h, err := tx.BookingByID(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, releases(h)...)
		if err := tx.SetBookingSlots(ctx, id, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// changeSeats applies the changes after giving back the seats of expired
// holds in the same slots, all in one pass in slot order.
func changeSeats(ctx context.Context, tx *store.Tx, place string, now time.Time, changes []store.SeatChange) error {
	if len(changes) == 0 {
		return nil
	}
	from, to := changes[0].Start, changes[0].Start
	for _, c := range changes {
		from, to = minTime(from, c.Start), maxTime(to, c.Start)
	}
	freed, err := expireHolds(ctx, tx, place, from, to, now)
	if err != nil {
		return err
	}
	return tx.ChangeSeats(ctx, place, append(freed, changes...))
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
