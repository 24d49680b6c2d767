package store

import (
	"context"
	"strings"
	"time"
)

// BookingFilter selects the bookings of a day for the staff list.
type BookingFilter struct {
	Date     string   // YYYY-MM-DD, required
	Place    string   // "": every place
	Statuses []string // none: every status but holds
	Limit    int      // 0: no limit
}

// ListBookings returns the day's bookings with their people, by start
// time. The day index (place, slot_date, start_at) answers it.
func (t *Tx) ListBookings(ctx context.Context, f BookingFilter) ([]Booking, error) {
	q := `SELECT ` + bookingColumns + ` FROM bookings b WHERE b.slot_date = $1`
	args := []any{f.Date}
	if f.Place != "" {
		args = append(args, f.Place)
		q += ` AND b.place = $` + itoa(len(args))
	}
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = []string{BookingBooked, BookingCheckedIn, BookingCompleted, BookingNoShow, BookingCancelled}
	}
	marks := make([]string, len(statuses))
	for i, s := range statuses {
		args = append(args, s)
		marks[i] = "$" + itoa(len(args))
	}
	q += ` AND b.status IN (` + strings.Join(marks, ", ") + `) ORDER BY b.start_at, b.id`
	if f.Limit > 0 {
		q += ` LIMIT ` + itoa(f.Limit)
	}
	return t.bookingsWithPeople(ctx, q, args...)
}

func (t *Tx) bookingsWithPeople(ctx context.Context, q string, args ...any) ([]Booking, error) {
	out, err := t.scanBookings(ctx, q, args...)
	if err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, len(out))
	index := make(map[int64]int, len(out))
	for i, b := range out {
		ids[i], index[b.ID] = b.ID, i
	}
	people, err := t.bookingPeople(ctx, ids)
	for _, p := range people {
		b := &out[index[p.BookingID]]
		b.People = append(b.People, p)
	}
	return out, err
}

func (t *Tx) scanBookings(ctx context.Context, q string, args ...any) ([]Booking, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []Booking{}
	for rows.Next() {
		b, err := t.scanBooking(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// DueNoShows returns the IDs of bookings still waiting (booked, never
// checked in) whose day is before date, oldest first, at most limit.
func (t *Tx) DueNoShows(ctx context.Context, date string, limit int) ([]int64, error) {
	return t.bookingIDs(ctx, `SELECT id FROM bookings WHERE status = 'booked' AND slot_date < $1
		ORDER BY slot_date, id LIMIT `+itoa(limit), date)
}

// HitRateLimit counts one request in the bucket's window and returns the
// count so far, this request included. The upsert is one statement, so
// concurrent requests of several processes all count.
func (t *Tx) HitRateLimit(ctx context.Context, bucket string, window time.Time) (int, error) {
	var n int
	err := t.queryRow(ctx, `INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1)
		ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits`,
		bucket, millis(window)).Scan(&n)
	return n, translate(err)
}

// PurgeRateLimits removes windows that started before before.
func (t *Tx) PurgeRateLimits(ctx context.Context, before time.Time) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM rate_limits WHERE window_start < $1`, millis(before))
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}
