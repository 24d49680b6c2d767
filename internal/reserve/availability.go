package reserve

import (
	"context"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/store"
)

// maxAvailabilityDays bounds one availability request; a month view with
// the days around it fits.
const maxAvailabilityDays = 62

// AvailabilityQuery asks for the starts of a service at a place between
// two dates (both included) that can take People more people.
type AvailabilityQuery struct {
	Service string
	Place   string
	From    string // YYYY-MM-DD
	To      string // YYYY-MM-DD
	People  int
	Channel booking.Channel // "" is web
}

// Availability is the answer: bookable starts with the seats left for the
// channel, in time order, in the city's time zone. An answer of
// PublicAvailability may be shared with other requests: its Slots must not
// be changed.
type Availability struct {
	Slots    []booking.SlotAvailability
	Location *time.Location
	memo     *rendering // set on an answer kept for the residents (answers)
}

// PublicAvailability answers a resident's availability request, counted
// against the per-IP limit of reads (in memory: a read writes nothing).
// The answer may be up to PublicAvailabilityMaxAge old (answers).
func (s *Service) PublicAvailability(ctx context.Context, m auth.Meta, q AvailabilityQuery) (Availability, error) {
	if err := s.limitRead(ctx, m); err != nil {
		return Availability{}, err
	}
	q.Channel = booking.ChannelWeb
	return s.answers.get(ctx, q, func(ctx context.Context) (Availability, error) { return s.Availability(ctx, q) })
}

// Availability returns the starts inside the booking window that can take
// q.People more people. It reads the seat counts, never the bookings, so
// its cost depends on the slots asked for, not on how many bookings exist.
func (s *Service) Availability(ctx context.Context, q AvailabilityQuery) (Availability, error) {
	from, to, err := parseRange(q)
	if err != nil {
		return Availability{}, err
	}
	if q.Channel == "" {
		q.Channel = booking.ChannelWeb
	}
	var out Availability
	err = s.db.View(ctx, func(tx *store.Tx) error {
		st, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		out, err = available(ctx, tx, st, q, from, to, s.clock.Now())
		return err
	})
	return out, err
}

func available(ctx context.Context, tx *store.Tx, st booking.Settings, q AvailabilityQuery, from, to calendar.Date, now time.Time) (Availability, error) {
	svc, pl, err := lookup(st, q.Service, q.Place)
	if err != nil {
		return Availability{}, err
	}
	if err := st.CheckPeople(q.People); err != nil {
		return Availability{}, InvalidInput(apperr.FieldError{Field: "people", Message: apperr.MessageOf(err)})
	}
	loc, err := st.Location()
	if err != nil {
		return Availability{}, err
	}
	starts, err := windowStarts(st, svc, pl, from, to, now, loc)
	if err != nil || len(starts) == 0 {
		return Availability{Slots: []booking.SlotAvailability{}, Location: loc}, err
	}
	usage, err := tx.SlotUsage(ctx, pl.ID, starts[0].Start, starts[len(starts)-1].End, now)
	if err != nil {
		return Availability{}, err
	}
	slots := pl.AvailableFor(q.Channel, starts, channelBooked(usage), q.People)
	if slots == nil {
		slots = []booking.SlotAvailability{}
	}
	return Availability{Slots: slots, Location: loc}, nil
}

// windowStarts returns the starts between from and to that can be booked
// at now. The dates are first narrowed to the booking window; then only
// the starts on the window's first day can still be refused (they may have
// passed), so only those go through Bookable, which loads the time zone
// on every call and would cost a millisecond per start over a month.
func windowStarts(st booking.Settings, svc booking.Service, pl booking.Place, from, to calendar.Date, now time.Time, loc *time.Location) ([]booking.Slot, error) {
	first, last, err := st.Window(now)
	if err != nil {
		return nil, err
	}
	if from.Before(first) {
		from = first
	}
	if to.After(last) {
		to = last
	}
	if to.Before(from) {
		return nil, nil
	}
	all, err := st.ServiceStarts(svc.ID, pl.ID, from, to, loc)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, sl := range all {
		if calendar.DateOf(sl.Start.In(loc)) != from || st.Bookable(sl.Start, now) == nil {
			out = append(out, sl)
		}
	}
	return out, nil
}

func channelBooked(usage map[time.Time]map[string]int) booking.ChannelBooked {
	out := make(booking.ChannelBooked, len(usage))
	for t, byChannel := range usage {
		m := make(map[booking.Channel]int, len(byChannel))
		for ch, n := range byChannel {
			m[booking.Channel(ch)] = n
		}
		out[t] = m
	}
	return out
}

// parseRange checks the query's fields that do not need the settings.
func parseRange(q AvailabilityQuery) (from, to calendar.Date, err error) {
	var bad apperr.Fields
	from = parseDateField(&bad, "from", q.From)
	to = parseDateField(&bad, "to", q.To)
	if strings.TrimSpace(q.Service) == "" {
		bad.Addf("service", "サービスを指定してください。")
	}
	if strings.TrimSpace(q.Place) == "" {
		bad.Addf("place", "窓口を指定してください。")
	}
	if q.Channel != "" && !q.Channel.Valid() {
		bad.Addf("channel", "受付経路は web, phone, counter のいずれかを指定してください。")
	}
	if len(bad) == 0 && to.Before(from) {
		bad.Addf("to", "終了日は開始日以降の日付にしてください。")
	}
	if len(bad) == 0 && to.Time().Sub(from.Time()) >= maxAvailabilityDays*24*time.Hour {
		bad.Addf("to", "一度に表示できるのは %d 日分までです。", maxAvailabilityDays)
	}
	return from, to, bad.Err(validationMessage)
}

func parseDateField(bad *apperr.Fields, field, v string) calendar.Date {
	if strings.TrimSpace(v) == "" {
		bad.Addf(field, "日付を指定してください（例 2026-12-01）。")
		return calendar.Date{}
	}
	d, err := calendar.ParseDate(strings.TrimSpace(v))
	if err != nil || !calendar.Supported(d.Year) {
		bad.Addf(field, "日付は「2026-12-01」の形で、実在する日付を指定してください。")
		return calendar.Date{}
	}
	return d
}
