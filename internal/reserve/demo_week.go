package reserve

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/card"
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
// (package demo): D, a letter, a digit, a hyphen, then 1 and five digits.
var demoNotice = regexp.MustCompile(`^D[A-Z][0-9]-1[0-9]{5}$`)

// DemoSettings are the demo city's booking rules: the defaults with a
// second, smaller place open two days a week.
func DemoSettings() booking.Settings {
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

// SeedDemoWeek gives the demo city its booking settings (DemoSettings,
// unless some are saved already) and a week of pickups: about 20 bookings
// over the next 7 opening days of the main place for demo cards waiting
// for pickup, a family of two now and then, through the same capacity
// checks as every booking. Demo cards seeded as reserved without a booking
// first go back to waiting, so that every reserved card has its booking.
// A city with pickups already booked ahead is left alone. It returns how
// many bookings it made.
func (s *Service) SeedDemoWeek(ctx context.Context) (int, error) {
	if err := s.seedDemoSettings(ctx); err != nil {
		return 0, err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return 0, err
	}
	svc, placeID, ok := pickupService(st)
	if !ok {
		return 0, nil
	}
	slots, err := s.demoSlots(ctx, st, svc.ID, placeID)
	if err != nil || len(slots) == 0 {
		return 0, err
	}
	if booked, err := s.pickupsAhead(ctx, svc.ID, slots); err != nil || booked {
		return 0, err
	}
	if err := s.releaseDemoOrphans(ctx); err != nil {
		return 0, err
	}
	cards, err := s.demoCards(ctx)
	if err != nil {
		return 0, err
	}
	return s.bookDemoWeek(ctx, svc.ID, placeID, slots, cards)
}

// seedDemoSettings saves DemoSettings when no settings are saved yet.
func (s *Service) seedDemoSettings(ctx context.Context) error {
	st := DemoSettings()
	defer s.settingsChanged()
	return s.update(ctx, func(tx *store.Tx, now time.Time) error {
		var saved booking.Settings
		found, err := tx.LoadSetting(ctx, booking.SettingsKey, &saved)
		if err != nil || found {
			return err
		}
		if err := tx.SaveSetting(ctx, booking.SettingsKey, st, "demo", now); err != nil {
			return err
		}
		return actor{name: "demo"}.audit(ctx, tx, now, "settings.booking_changed", "settings:booking", map[string]any{"new": st})
	})
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
func (s *Service) demoSlots(ctx context.Context, st booking.Settings, service, place string) ([]time.Time, error) {
	loc, err := st.Location()
	if err != nil {
		return nil, err
	}
	from := calendar.DateOf(s.clock.Now().In(loc))
	av, err := s.Availability(ctx, AvailabilityQuery{Service: service, Place: place, From: from.String(),
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

// pickupsAhead tells whether any pickup is booked on the days chosen
// (today is the date of an instant in the city's time zone).
func (s *Service) pickupsAhead(ctx context.Context, service string, slots []time.Time) (bool, error) {
	found := false
	err := s.db.View(ctx, func(tx *store.Tx) error {
		st, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		for i, start := range slots {
			if i > 0 && today(st, start) == today(st, slots[i-1]) {
				continue
			}
			bs, err := tx.ListBookings(ctx, store.BookingFilter{Date: today(st, start), Statuses: []string{store.BookingBooked}})
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
func (s *Service) releaseDemoOrphans(ctx context.Context) error {
	a := actor{name: "demo"}
	return s.update(ctx, func(tx *store.Tx, now time.Time) error {
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
				if err := moveCard(ctx, tx, a, &rec, card.StatusNoticeSent, "デモ: 予約のない予約済を交付通知済に戻す", now); err != nil {
					return err
				}
			}
		}
		return nil
	})
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

// demoCards returns the demo cards waiting for pickup, by notice number.
func (s *Service) demoCards(ctx context.Context) ([]store.CardRecord, error) {
	var out []store.CardRecord
	err := s.db.View(ctx, func(tx *store.Tx) error {
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

// bookDemoWeek books the cards into the starts, one or two people each;
// a start that is full by now is skipped.
func (s *Service) bookDemoWeek(ctx context.Context, service, place string, slots []time.Time, cards []store.CardRecord) (int, error) {
	n := 0
	for i, start := range slots {
		people := min(1+i%5/4, len(cards)) // every fifth booking is a family of two
		if people == 0 {
			break
		}
		in := demoInput(service, place, start, cards[:people], i)
		_, _, err := s.create(ctx, actor{name: "demo"}, in.channel, in.createInput, false)
		switch {
		case apperr.Is(err, CodeSlotFull):
			continue
		case err != nil:
			return n, fmt.Errorf("demo pickup %d: %w", i+1, err)
		}
		cards = cards[people:]
		n++
	}
	return n, nil
}

type demoBooking struct {
	createInput
	channel booking.Channel
}

// demoInput is booking i for the cards: on the web with an e-mail
// address, every third by phone.
func demoInput(service, place string, start time.Time, cards []store.CardRecord, i int) demoBooking {
	in := demoBooking{createInput: createInput{service: service, place: place, start: start}, channel: booking.ChannelWeb}
	for k, rec := range cards {
		in.people = append(in.people, person{index: k, notice: rec.NoticeNumber, birth: rec.Resident.BirthDate})
	}
	if i%3 == 2 {
		in.channel, in.phone = booking.ChannelPhone, fmt.Sprintf("079-000-1%03d", i)
	} else {
		in.email = fmt.Sprintf("demo%02d@example.jp", i+1)
	}
	return in
}
