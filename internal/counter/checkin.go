package counter

import (
	"context"
	"fmt"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/store"
)

// Ticket is a ticket as residents and staff see it: a number, never a name.
type Ticket struct {
	ID        int64
	Number    string // "A012"
	BookingID int64  // 0 for a walk-in
	Place     string
	PlaceName string
	Day       string
	Status    string
	Desk      string
	Position  int // 1 = next to be called; 0 once called
	IssuedAt  time.Time
	Follow    string // the token of the resident's status page
}

// Ticket prefixes: booked residents and walk-ins.
const (
	prefixBooked = "A"
	prefixWalkIn = "B"
)

// errUnknownCode is the one answer to a code that is malformed or names
// no booking, so a kiosk cannot be used to learn which codes exist.
func errUnknownCode() error {
	return apperr.New(apperr.NotFound, "予約を確認できませんでした。予約確認のメールまたは控えの予約番号をお確かめのうえ、窓口の職員にお声がけください。")
}

// CheckIn checks the booking named by code in at the place and answers
// its ticket. created is false when the booking had its ticket already:
// checking in twice gives the same ticket.
func (s *Service) CheckIn(ctx context.Context, a Actor, code, place string) (tk Ticket, created bool, err error) {
	d, err := s.today(ctx, place)
	if err != nil {
		return Ticket{}, false, err
	}
	sc, ok := ParseScan(code)
	if !ok {
		return Ticket{}, false, errUnknownCode()
	}
	err = s.update(ctx, func(tx *store.Tx, now time.Time) error {
		st, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		b, err := findBooking(ctx, tx, sc)
		if err != nil {
			return err
		}
		if err := checkable(b, d, st, now); err != nil {
			return err
		}
		t, err := tx.TicketByBooking(ctx, b.ID)
		if err == nil {
			tk, created = s.view(ctx, tx, d, t), false
			return nil
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if t, err = s.checkIn(ctx, tx, a, d, b, now); err != nil {
			return err
		}
		tk, created = s.view(ctx, tx, d, t), true
		return nil
	})
	return tk, created, err
}

// findBooking loads the booking a scan names (locked), or the calm
// not-found answer.
func findBooking(ctx context.Context, tx *store.Tx, sc Scanned) (store.Booking, error) {
	var b store.Booking
	var err error
	if sc.Kind == ScanBooking {
		b, err = tx.BookingByCode(ctx, sc.Value)
	} else {
		var cardID, id int64
		if cardID, err = tx.CardIDByNoticeNumber(ctx, sc.Value); err == nil {
			if id, err = tx.BookingOfCard(ctx, cardID); err == nil {
				b, err = tx.BookingByID(ctx, id)
			}
		}
	}
	if apperr.Is(err, apperr.NotFound) || (err == nil && (b.Status == store.BookingHeld || b.Status == store.BookingExpired)) {
		return b, errUnknownCode()
	}
	return b, err
}

// checkable refuses, in plain words, a booking that cannot get a ticket
// here and now.
func checkable(b store.Booking, d day, st Settings, now time.Time) error {
	switch {
	case b.Status == store.BookingCancelled:
		return apperr.New(CodeCancelled, "この予約は取り消されています。窓口の職員にお声がけください。")
	case b.Status == store.BookingCompleted || !hasActive(b):
		return apperr.New(CodeAlreadyIssued, "この予約のカードはお渡し済みです。ご不明な点は窓口の職員にお声がけください。")
	case b.Date != d.date || b.Status == store.BookingNoShow:
		return apperr.New(CodeNotToday, fmt.Sprintf("この予約は本日ではありません（予約日 %s）。予約の日にお越しください。", jpDate(b.Start.In(d.loc))))
	case b.Place != d.place.ID:
		return apperr.New(CodeWrongPlace, "この予約は別の窓口のものです。予約確認のメールで場所をお確かめください。")
	case st.EarlyMinutes > 0 && now.Before(b.Start.Add(-time.Duration(st.EarlyMinutes)*time.Minute)):
		open := b.Start.Add(-time.Duration(st.EarlyMinutes) * time.Minute).In(d.loc)
		return apperr.New(CodeTooEarly, fmt.Sprintf("受付は %s からです。もうしばらくお待ちください。", open.Format("15:04")))
	}
	return nil
}

func hasActive(b store.Booking) bool {
	for _, p := range b.People {
		if p.Status == store.PersonActive {
			return true
		}
	}
	return false
}

func jpDate(t time.Time) string {
	wd := []string{"日", "月", "火", "水", "木", "金", "土"}[t.Weekday()]
	return fmt.Sprintf("%d月%d日（%s） %s", t.Month(), t.Day(), wd, t.Format("15:04"))
}

// checkIn records the arrival and hands out the next number.
func (s *Service) checkIn(ctx context.Context, tx *store.Tx, a Actor, d day, b store.Booking, now time.Time) (store.Ticket, error) {
	if b.Status == store.BookingBooked {
		b.Status, b.CheckedInAt = store.BookingCheckedIn, now
		if err := tx.UpdateBooking(ctx, &b, now); err != nil {
			return store.Ticket{}, err
		}
	}
	t, err := issue(ctx, tx, a, d, b.ID, prefixBooked, now)
	if err != nil {
		return t, err
	}
	return t, a.audit(ctx, tx, now, "counter.checked_in", "booking:"+itoa(b.ID),
		map[string]any{"code": b.Code, "ticket": t.Label, "place": d.place.ID})
}

// issue hands out the place's next number today.
func issue(ctx context.Context, tx *store.Tx, a Actor, d day, bookingID int64, prefix string, now time.Time) (store.Ticket, error) {
	n, err := tx.NextTicketNumber(ctx, d.place.ID, d.date)
	if err != nil {
		return store.Ticket{}, err
	}
	t := store.Ticket{Place: d.place.ID, Day: d.date, Number: n, Label: fmt.Sprintf("%s%03d", prefix, n),
		BookingID: bookingID, Status: store.TicketWaiting, IssuedAt: now, IssuedBy: a.Name}
	return t, tx.InsertTicket(ctx, &t)
}

// WalkIn hands out a ticket without a booking, when the city allows it.
func (s *Service) WalkIn(ctx context.Context, a Actor, place string) (Ticket, error) {
	d, err := s.today(ctx, place)
	if err != nil {
		return Ticket{}, err
	}
	var tk Ticket
	err = s.update(ctx, func(tx *store.Tx, now time.Time) error {
		st, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		if !st.WalkIns {
			return apperr.New(CodeWalkInsOff, "予約のない方の受付は行っていません。窓口の職員にお声がけください。")
		}
		t, err := issue(ctx, tx, a, d, 0, prefixWalkIn, now)
		if err != nil {
			return err
		}
		tk = s.view(ctx, tx, d, t)
		return a.audit(ctx, tx, now, "counter.walk_in", "ticket:"+itoa(t.ID), map[string]any{"ticket": t.Label, "place": d.place.ID})
	})
	return tk, err
}

// view is the ticket as shown, with its place in the queue.
func (s *Service) view(ctx context.Context, tx *store.Tx, d day, t store.Ticket) Ticket {
	tk := Ticket{ID: t.ID, Number: t.Label, BookingID: t.BookingID, Place: t.Place, PlaceName: d.place.Name, Day: t.Day,
		Status: t.Status, Desk: t.Desk, IssuedAt: t.IssuedAt, Follow: s.followToken(t.ID, t.Day)}
	if t.Status == store.TicketWaiting {
		if n, err := tx.WaitingAhead(ctx, t.Place, t.Day, t.Number); err == nil {
			tk.Position = n + 1
		}
	}
	return tk
}

func itoa(n int64) string { return fmt.Sprint(n) }
