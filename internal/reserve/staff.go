package reserve

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/store"
)

// maxListed bounds one day's list; a counter serves far fewer people.
const maxListed = 2000

// ListQuery selects a day's bookings for the counter.
type ListQuery struct {
	Date     string   // YYYY-MM-DD; "" is today
	Place    string   // "": every place
	Statuses []string // none: all but holds
}

// List returns the day's bookings with their people and cards, and audits
// that p looked at them (the list names residents).
func (s *Service) List(ctx context.Context, p auth.Principal, m auth.Meta, q ListQuery) ([]Booking, error) {
	var out []Booking
	err := s.db.View(ctx, func(tx *store.Tx) error {
		st, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		f, err := listFilter(st, q, s.clock.Now())
		if err != nil {
			return err
		}
		bs, err := tx.ListBookings(ctx, f)
		for _, b := range bs {
			out = append(out, view(st, b, s.clock.Now()))
		}
		q.Date = f.Date
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, s.update(ctx, func(tx *store.Tx, now time.Time) error {
		return staffActor(p, m).audit(ctx, tx, now, "booking.listed", "bookings:"+q.Date,
			map[string]any{"date": q.Date, "place": q.Place, "status": q.Statuses, "count": len(out)})
	})
}

func listFilter(st booking.Settings, q ListQuery, now time.Time) (store.BookingFilter, error) {
	f := store.BookingFilter{Date: strings.TrimSpace(q.Date), Place: strings.TrimSpace(q.Place), Limit: maxListed}
	var bad apperr.Fields
	if f.Date == "" {
		loc, err := st.Location()
		if err != nil {
			return f, err
		}
		f.Date = calendar.DateOf(now.In(loc)).String()
	} else if _, err := calendar.ParseDate(f.Date); err != nil {
		bad.Addf("date", "日付は「2026-12-01」の形で指定してください。")
	}
	for _, s := range q.Statuses {
		if !slices.Contains(listable(), s) {
			bad.Addf("status", "状態「%s」はありません。%s のいずれかを指定してください。", s, strings.Join(listable(), ", "))
			continue
		}
		f.Statuses = append(f.Statuses, s)
	}
	return f, bad.Err(validationMessage)
}

func listable() []string {
	return []string{store.BookingBooked, store.BookingCheckedIn, store.BookingCompleted, store.BookingNoShow, store.BookingCancelled}
}

// StaffGet returns one booking for staff and audits the view.
func (s *Service) StaffGet(ctx context.Context, p auth.Principal, m auth.Meta, id int64) (Booking, error) {
	var out Booking
	err := s.db.View(ctx, func(tx *store.Tx) error {
		b, err := byID(id)(ctx, tx)
		if err != nil {
			return err
		}
		st, err := loadSettings(ctx, tx)
		out = view(st, b, s.clock.Now())
		return err
	})
	if err != nil {
		return Booking{}, err
	}
	return out, s.update(ctx, func(tx *store.Tx, now time.Time) error {
		return staffActor(p, m).audit(ctx, tx, now, "booking.viewed", bookingTarget(id), nil)
	})
}

// CheckIn records that the people of a booking arrived (来庁), on the day
// of the booking.
func (s *Service) CheckIn(ctx context.Context, p auth.Principal, m auth.Meta, id int64) (Booking, error) {
	a := staffActor(p, m)
	return s.act(ctx, id, func(tx *store.Tx, st booking.Settings, b *store.Booking, now time.Time) error {
		if b.Status != store.BookingBooked {
			return stateError("この予約は来庁を記録できません（%s）。", StatusLabel(b.Status))
		}
		if today(st, now) != b.Date {
			return stateError("来庁は予約日（%s）の当日に記録してください。", b.Date)
		}
		b.Status, b.CheckedInAt = store.BookingCheckedIn, now
		if err := tx.UpdateBooking(ctx, b, now); err != nil {
			return err
		}
		return a.audit(ctx, tx, now, "booking.checked_in", bookingTarget(b.ID), map[string]any{"code": b.Code})
	})
}

// NoShow records that the people still expected did not come: their
// cards go back to waiting for pickup. Only once the booking has started.
func (s *Service) NoShow(ctx context.Context, p auth.Principal, m auth.Meta, id int64, reason string) (Booking, error) {
	if err := checkReason(reason, false); err != nil {
		return Booking{}, err
	}
	a := staffActor(p, m)
	return s.act(ctx, id, func(tx *store.Tx, _ booking.Settings, b *store.Booking, now time.Time) error {
		if now.Before(b.Start) {
			return stateError("来庁なしは予約の時刻を過ぎてから記録してください。")
		}
		return markNoShow(ctx, tx, a, b, strings.TrimSpace(reason), now)
	})
}

// markNoShow ends the active people as no-shows and the booking with them.
func markNoShow(ctx context.Context, tx *store.Tx, a actor, b *store.Booking, reason string, now time.Time) error {
	if b.Status != store.BookingBooked && b.Status != store.BookingCheckedIn {
		return stateError("この予約は来庁なしにできません（%s）。", StatusLabel(b.Status))
	}
	waiting := active(b.People)
	for _, p := range waiting {
		if err := endPerson(ctx, tx, a, p, store.PersonNoShow, "来庁なし "+FormatCode(b.Code), now); err != nil {
			return err
		}
	}
	b.Status = store.BookingNoShow
	if len(waiting) < len(b.People) && anyServed(b.People) {
		b.Status = store.BookingCompleted // some were served; the rest did not come
	}
	if err := tx.UpdateBooking(ctx, b, now); err != nil {
		return err
	}
	return a.audit(ctx, tx, now, "booking.no_show", bookingTarget(b.ID), map[string]any{
		"code": b.Code, "people": len(waiting), "cards": cardIDs(waiting), "reason": reason})
}

func anyServed(people []store.BookingPerson) bool {
	return slices.ContainsFunc(people, func(p store.BookingPerson) bool {
		return p.Status == store.PersonIssued || p.Status == store.PersonServed
	})
}

// act runs a staff action on a booking in one transaction and answers the
// booking as it is afterwards.
func (s *Service) act(ctx context.Context, id int64, fn func(*store.Tx, booking.Settings, *store.Booking, time.Time) error) (Booking, error) {
	var out Booking
	err := s.update(ctx, func(tx *store.Tx, now time.Time) error {
		b, err := byID(id)(ctx, tx)
		if err != nil {
			return err
		}
		st, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		if err := fn(tx, st, &b, now); err != nil {
			return err
		}
		out, err = finish(ctx, tx, st, id, now)
		return err
	})
	return out, err
}

// today is the date of now in the city's time zone (UTC if the settings
// have none, which Validate prevents).
func today(st booking.Settings, now time.Time) string {
	loc, err := st.Location()
	if err != nil {
		loc = time.UTC
	}
	return calendar.DateOf(now.In(loc)).String()
}

// personOf picks the person an action is about: the one named, or the
// only one still expected.
func personOf(b store.Booking, personID int64) (store.BookingPerson, error) {
	waiting := active(b.People)
	if personID == 0 && len(waiting) == 1 {
		return waiting[0], nil
	}
	for _, p := range b.People {
		if p.ID == personID && personID != 0 {
			if p.Status != store.PersonActive {
				return p, stateError("この方はすでに対応済みです（%s）。", PersonStatusLabel(p.Status))
			}
			return p, nil
		}
	}
	return store.BookingPerson{}, InvalidInput(apperr.FieldError{Field: "person_id", Message: "対応する方を選んでください。"})
}
