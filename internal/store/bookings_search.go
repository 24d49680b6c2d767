package store

import (
	"context"
	"strings"
)

// BookingSearch selects bookings across days for the staff search. Empty
// fields do not filter; values are in stored form (the reserve service
// normalises what staff type).
type BookingSearch struct {
	Code     string   // exact, stored form (no hyphen)
	CardIDs  []int64  // bookings holding any of these cards (notice number or name, resolved by the caller)
	ByCards  bool     // CardIDs was given: none means no booking matches
	From     string   // YYYY-MM-DD, inclusive
	To       string   // YYYY-MM-DD, inclusive
	Place    string   // "": every place
	Statuses []string // none: every status but holds
	Limit    int      // 0: no limit
	Offset   int
}

// SearchBookings returns one page of matching bookings with their people,
// by start time, and the number of all matches.
func (t *Tx) SearchBookings(ctx context.Context, f BookingSearch) ([]Booking, int, error) {
	if f.ByCards && len(f.CardIDs) == 0 {
		return []Booking{}, 0, nil
	}
	where, args := f.where()
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM bookings b`+where, args...).Scan(&total); err != nil {
		return nil, 0, translate(err)
	}
	if total <= f.Offset {
		return []Booking{}, total, nil
	}
	q := `SELECT ` + bookingColumns + ` FROM bookings b` + where + ` ORDER BY b.start_at, b.id`
	if f.Limit > 0 {
		q += ` LIMIT ` + itoa(f.Limit) + ` OFFSET ` + itoa(max(f.Offset, 0))
	}
	out, err := t.bookingsWithPeople(ctx, q, args...)
	return out, total, err
}

func (f BookingSearch) where() (string, []any) {
	var c conds
	c.addIf(f.Code, "b.code = ?")
	c.addIf(f.From, "b.slot_date >= ?")
	c.addIf(f.To, "b.slot_date <= ?")
	c.addIf(f.Place, "b.place = ?")
	if len(f.CardIDs) > 0 {
		marks := make([]string, len(f.CardIDs))
		for i, id := range f.CardIDs {
			marks[i] = c.bind("?", id)
		}
		c.parts = append(c.parts, "b.id IN (SELECT p.booking_id FROM booking_people p WHERE p.card_id IN ("+
			strings.Join(marks, ", ")+"))")
	}
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = []string{BookingBooked, BookingCheckedIn, BookingCompleted, BookingNoShow, BookingCancelled}
	}
	marks := make([]string, len(statuses))
	for i, s := range statuses {
		marks[i] = c.bind("?", s)
	}
	c.parts = append(c.parts, "b.status IN ("+strings.Join(marks, ", ")+")")
	return " WHERE " + strings.Join(c.parts, " AND "), c.args
}

// ActiveBookingsOfCard returns the bookings still waiting (booked or
// checked in) in which the card's holder is expected, by start time.
func (t *Tx) ActiveBookingsOfCard(ctx context.Context, cardID int64) ([]Booking, error) {
	return t.bookingsWithPeople(ctx, `SELECT `+bookingColumns+` FROM bookings b
		WHERE b.status IN ('booked', 'checked_in') AND b.id IN
		(SELECT p.booking_id FROM booking_people p WHERE p.card_id = $1 AND p.status = 'active')
		ORDER BY b.start_at, b.id`, cardID)
}
