package demo

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
)

// Size of the demo week.
const (
	demoWeekDays     = 7  // opening days booked
	demoWeekPerDay   = 3  // bookings per day
	demoWeekBookings = 20 // bookings in all
	demoSearchDays   = 31 // days searched for the opening days
	demoCardLimit    = 1000
)

// demoNotice matches the notice numbers of the demo city's cards
// (SeedCards): D, a letter, a digit, a hyphen, then 1 and five digits.
var demoNotice = regexp.MustCompile(`^D[A-Z][0-9]-1[0-9]{5}$`)

// Settings are the demo city's booking rules: the defaults with a second,
// smaller place open two days a week.
func Settings() booking.Settings {
	st := booking.DefaultSettings()
	st.ContactPhone = "079-000-0000"
	st.Places[0].Capacity = 3
	st.Places[0].ChannelCapacity = map[booking.Channel]int{booking.ChannelPhone: 1}
	day := []string{"09:00-12:00", "13:00-16:00"}
	st.Places = append(st.Places, booking.Place{ID: "north", Name: "北部支所 市民窓口（デモ）", SlotMinutes: 30, Capacity: 1,
		Hours: map[string][]string{"tue": day, "thu": day}})
	for i := range st.Services {
		st.Services[i].Places = []string{"main", "north"}
	}
	return st
}

// SeedWeek gives the demo city its booking settings (Settings, unless some
// are saved already) and a week of pickups: about 20 bookings over the
// next 7 opening days of the main place for demo cards waiting for
// pickup, a family of two now and then, through the same capacity checks
// as every booking. Demo cards seeded as reserved without a booking first
// go back to waiting, so that every reserved card has its booking. A city
// with pickups already booked ahead is left alone. It returns how many
// bookings it made.
func SeedWeek(ctx context.Context, db *store.DB, r *reserve.Service) (int, error) {
	if err := r.SeedSettings(ctx, actor, Settings()); err != nil {
		return 0, err
	}
	st, err := r.Settings(ctx)
	if err != nil {
		return 0, err
	}
	svc, placeID, ok := pickupService(st)
	if !ok {
		return 0, nil
	}
	slots, err := demoSlots(ctx, r, st, svc.ID, placeID)
	if err != nil || len(slots) == 0 {
		return 0, err
	}
	if booked, err := pickupsAhead(ctx, db, st, svc.ID, slots); err != nil || booked {
		return 0, err
	}
	if err := releaseDemoOrphans(ctx, db, r.Now()); err != nil {
		return 0, err
	}
	cards, err := waitingCards(ctx, db)
	if err != nil {
		return 0, err
	}
	return bookWeek(ctx, r, svc.ID, placeID, slots, cards)
}

// pickupService is the first service with a card and its first place.
func pickupService(st booking.Settings) (booking.Service, string, bool) {
	for _, svc := range st.Services {
		if svc.RequiresCard && len(svc.Places) > 0 {
			return svc, svc.Places[0], true
		}
	}
	return booking.Service{}, "", false
}

// demoSlots picks the starts to book: a few per day, spread over the day,
// on the first opening days that can be booked.
func demoSlots(ctx context.Context, r *reserve.Service, st booking.Settings, service, place string) ([]time.Time, error) {
	loc, err := st.Location()
	if err != nil {
		return nil, err
	}
	from := calendar.DateOf(r.Now().In(loc))
	av, err := r.Availability(ctx, reserve.AvailabilityQuery{Service: service, Place: place, From: from.String(),
		To: from.AddDays(demoSearchDays).String(), People: 1, Channel: booking.ChannelWeb})
	if err != nil {
		return nil, err
	}
	var days [][]time.Time
	for _, sl := range av.Slots {
		d := calendar.DateOf(sl.Start.In(loc))
		if len(days) == 0 || calendar.DateOf(days[len(days)-1][0].In(loc)) != d {
			if len(days) == demoWeekDays {
				break
			}
			days = append(days, nil)
		}
		days[len(days)-1] = append(days[len(days)-1], sl.Start)
	}
	var out []time.Time
	for _, starts := range days {
		for k := range demoWeekPerDay {
			out = append(out, starts[(2*k+1)*len(starts)/(2*demoWeekPerDay)])
		}
	}
	return out[:min(len(out), demoWeekBookings)], nil
}

// pickupsAhead tells whether any pickup is booked on the days chosen.
func pickupsAhead(ctx context.Context, db *store.DB, st booking.Settings, service string, slots []time.Time) (bool, error) {
	loc, err := st.Location()
	if err != nil {
		return false, err
	}
	day := func(t time.Time) string { return calendar.DateOf(t.In(loc)).String() }
	found := false
	err = db.View(ctx, func(tx *store.Tx) error {
		for i, start := range slots {
			if i > 0 && day(start) == day(slots[i-1]) {
				continue
			}
			bs, err := tx.ListBookings(ctx, store.BookingFilter{Date: day(start), Statuses: []string{store.BookingBooked}})
			if err != nil {
				return err
			}
			for _, b := range bs {
				found = found || b.Service == service
			}
		}
		return nil
	})
	return found, err
}

// releaseDemoOrphans puts demo cards that the seed made reserved, with no
// booking behind them (no status change ever), back to waiting.
func releaseDemoOrphans(ctx context.Context, db *store.DB, now time.Time) error {
	return db.Update(ctx, func(tx *store.Tx) error {
		recs, _, err := tx.SearchCards(ctx, store.CardFilter{Statuses: []card.Status{card.StatusReserved}, Sort: "id", Limit: demoCardLimit})
		if err != nil {
			return err
		}
		for _, rec := range recs {
			orphan, err := seededOnly(ctx, tx, rec)
			if err != nil {
				return err
			}
			if orphan {
				if err := release(ctx, tx, &rec, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// release moves a reserved demo card back to waiting, with its card event.
func release(ctx context.Context, tx *store.Tx, rec *store.CardRecord, now time.Time) error {
	from, to := rec.Status, card.StatusNoticeSent
	if err := card.Transition(from, to, rec.Application.Method, ""); err != nil {
		return err
	}
	rec.Status = to
	if err := tx.UpdateCard(ctx, &rec.Card, now); err != nil {
		return err
	}
	ev := store.CardEvent{CardID: rec.ID, At: now, Actor: actor, Kind: store.EventStatus,
		FromStatus: from, ToStatus: to, Reason: "デモ: 予約のない予約済を交付通知済に戻す"}
	return tx.InsertCardEvent(ctx, &ev)
}

// seededOnly tells whether a demo card never changed status since the seed.
func seededOnly(ctx context.Context, tx *store.Tx, rec store.CardRecord) (bool, error) {
	if !demoNotice.MatchString(rec.NoticeNumber) {
		return false, nil
	}
	events, err := tx.CardEvents(ctx, rec.ID)
	if err != nil {
		return false, err
	}
	for _, ev := range events {
		if ev.Kind == store.EventStatus {
			return false, nil
		}
	}
	return true, nil
}

// waitingCards returns the demo cards waiting for pickup, by notice number.
func waitingCards(ctx context.Context, db *store.DB) ([]store.CardRecord, error) {
	var out []store.CardRecord
	err := db.View(ctx, func(tx *store.Tx) error {
		recs, _, err := tx.SearchCards(ctx, store.CardFilter{Statuses: []card.Status{card.StatusNoticeSent},
			Method: card.MethodCounter, Sort: "notice_number", Limit: demoCardLimit})
		for _, rec := range recs {
			if demoNotice.MatchString(rec.NoticeNumber) {
				out = append(out, rec)
			}
		}
		return err
	})
	return out, err
}

// bookWeek books the cards into the starts, one or two people each; a
// start that is full by now is skipped.
func bookWeek(ctx context.Context, r *reserve.Service, service, place string, slots []time.Time, cards []store.CardRecord) (int, error) {
	n := 0
	for i, start := range slots {
		people := min(1+i%5/4, len(cards)) // every fifth booking is a family of two
		if people == 0 {
			break
		}
		ch, req := weekRequest(service, place, start, cards[:people], i)
		_, err := r.SeedBook(ctx, actor, ch, req)
		switch {
		case apperr.Is(err, reserve.CodeSlotFull):
			continue
		case err != nil:
			return n, fmt.Errorf("demo pickup %d: %w", i+1, err)
		}
		cards = cards[people:]
		n++
	}
	return n, nil
}

// weekRequest is booking i for the cards: on the web with an e-mail
// address, every third by phone.
func weekRequest(service, place string, start time.Time, cards []store.CardRecord, i int) (booking.Channel, reserve.CreateRequest) {
	req := reserve.CreateRequest{Service: service, Place: place, Start: start.Format(time.RFC3339)}
	for _, rec := range cards {
		req.People = append(req.People, reserve.PersonInput{NoticeNumber: rec.NoticeNumber, BirthDate: rec.Resident.BirthDate})
	}
	if i%3 == 2 {
		req.Phone = fmt.Sprintf("079-000-1%03d", i)
		return booking.ChannelPhone, req
	}
	req.Email = fmt.Sprintf("demo%02d@example.jp", i+1)
	return booking.ChannelWeb, req
}
