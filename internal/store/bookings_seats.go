package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// seatChannels are the channels slot_usage keeps a column for. Column
// names in SQL are built from this list only, never from input.
func seatChannels() []string { return []string{"web", "phone", "counter"} }

// SeatCaps are a place's seat rules for one slot: the capacity, the seats
// reserved per channel and the pool shared by all channels (capacity minus
// the reserved seats). Without a split, Shared is the capacity.
type SeatCaps struct {
	Capacity int
	Shared   int
	Reserved map[string]int
}

// SeatChange adds Delta seats (negative: gives them back) for Channel in
// the base slot starting at Start. Caps apply to positive changes only: a
// release always succeeds, even when a smaller capacity is configured now.
type SeatChange struct {
	Start   time.Time
	Channel string
	Delta   int
	Caps    SeatCaps
}

// ChangeSeats applies the changes of one place. Rows are visited in slot
// order (releases before takes within a slot), so that concurrent
// transactions lock slot rows in the same order and cannot deadlock on
// them. A take that does not fit fails the whole call with slot_full, and
// the caller's transaction rolls back: all slots and people, or nothing.
func (t *Tx) ChangeSeats(ctx context.Context, place string, changes []SeatChange) error {
	sorted := slices.Clone(changes)
	slices.SortFunc(sorted, func(a, b SeatChange) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Delta, b.Delta), cmp.Compare(a.Channel, b.Channel))
	})
	for _, c := range sorted {
		if !slices.Contains(seatChannels(), c.Channel) {
			return fmt.Errorf("store: unknown channel %q", c.Channel)
		}
		var err error
		switch {
		case c.Delta > 0:
			err = t.takeSeats(ctx, place, c)
		case c.Delta < 0:
			err = t.releaseSeats(ctx, place, c)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// takeSeats adds seats with one conditional upsert. The condition is the
// channel arithmetic of booking.Place.RemainingFor written in SQL: after
// the change, the slot holds at most Capacity seats and the seats beyond
// each channel's reserved ones fit in the shared pool. A slot nobody took
// seats in yet has no row; the row is then inserted, and whether the seats
// fit an empty slot is checked here first. Concurrent creators agree
// through ON CONFLICT: the loser updates the winner's row, conditionally.
func (t *Tx) takeSeats(ctx context.Context, place string, c SeatChange) error {
	if !c.Caps.fitEmpty(c.Channel, c.Delta) {
		return ErrSlotFull()
	}
	res, err := t.exec(ctx, takeSeatsSQL(c.Channel), place, millis(c.Start), c.Delta,
		c.Caps.Capacity, c.Caps.Shared, c.Caps.Reserved["web"], c.Caps.Reserved["phone"], c.Caps.Reserved["counter"])
	if err != nil {
		return translate(err)
	}
	n, err := res.RowsAffected()
	if err == nil && n == 0 {
		return ErrSlotFull()
	}
	return err
}

// fitEmpty tells whether n seats of the channel fit a slot with no seats
// taken: the same arithmetic as takeSeatsSQL with every count at zero.
func (c SeatCaps) fitEmpty(channel string, n int) bool {
	return n <= c.Capacity && max(0, n-c.Reserved[channel]) <= c.Shared
}

// takeSeatsSQL is the conditional upsert for a channel. Parameters: $1
// place, $2 slot start, $3 seats, $4 capacity, $5 shared seats, $6-$8
// reserved seats of web, phone and counter.
func takeSeatsSQL(channel string) string {
	after := func(ch string) string { // a channel's count after the change
		if ch == channel {
			return "(slot_usage.taken_" + ch + " + $3)"
		}
		return "slot_usage.taken_" + ch
	}
	beyond := func(ch, reserved string) string { // seats it uses from the shared pool
		return "CASE WHEN " + after(ch) + " > " + reserved + " THEN " + after(ch) + " - " + reserved + " ELSE 0 END"
	}
	return `INSERT INTO slot_usage (place, slot_start, taken_` + channel + `) VALUES ($1, $2, $3)
		ON CONFLICT (place, slot_start) DO UPDATE SET taken_` + channel + ` = slot_usage.taken_` + channel + ` + $3
		WHERE ` + after("web") + ` + ` + after("phone") + ` + ` + after("counter") + ` <= $4
		AND (` + beyond("web", "$6") + `) + (` + beyond("phone", "$7") + `) + (` + beyond("counter", "$8") + `) <= $5`
}

func (t *Tx) releaseSeats(ctx context.Context, place string, c SeatChange) error {
	col := "taken_" + c.Channel
	res, err := t.exec(ctx, `UPDATE slot_usage SET `+col+` = `+col+` - $3
		WHERE place = $1 AND slot_start = $2 AND `+col+` >= $3`, place, millis(c.Start), -c.Delta)
	if err := affectedOne(res, err); err != nil {
		// The counts no longer match the bookings: a bug, never the user's doing.
		return fmt.Errorf("store: releasing %d %s seats at %s %v: %w", -c.Delta, c.Channel, place, c.Start, err)
	}
	return nil
}

// ErrSlotFull is the answer when a slot has no seats left (code
// slot_full), from a take that failed or from a check before one.
func ErrSlotFull() error { return &slotFullError{} }

type slotFullError struct{}

func (*slotFullError) Code() apperr.Code { return CodeSlotFull }
func (*slotFullError) Error() string {
	return "選んだ日時は満席になりました。別の日時を選んでください。"
}

// SetBookingSlots records the base slots a booking takes seats in,
// replacing those recorded before.
func (t *Tx) SetBookingSlots(ctx context.Context, bookingID int64, starts []time.Time) error {
	if _, err := t.exec(ctx, `DELETE FROM booking_slots WHERE booking_id = $1`, bookingID); err != nil {
		return translate(err)
	}
	return t.AddBookingSlots(ctx, bookingID, starts)
}

// AddBookingSlots records the base slots a new booking takes seats in,
// in one statement: a booking just inserted has none to replace.
func (t *Tx) AddBookingSlots(ctx context.Context, bookingID int64, starts []time.Time) error {
	if len(starts) == 0 {
		return nil
	}
	q := `INSERT INTO booking_slots (booking_id, slot_start) VALUES `
	args := make([]any, 0, 2*len(starts))
	for i, s := range starts {
		if i > 0 {
			q += ", "
		}
		q += "(" + t.d.param(2*i+1) + ", " + t.d.param(2*i+2) + ")"
		args = append(args, bookingID, millis(s))
	}
	_, err := t.exec(ctx, q, args...)
	return translate(err)
}

func (t *Tx) bookingSlots(ctx context.Context, bookingID int64) ([]time.Time, error) {
	rows, err := t.query(ctx, `SELECT slot_start FROM booking_slots WHERE booking_id = $1 ORDER BY slot_start`, bookingID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var ms int64
		if err := rows.Scan(&ms); err != nil {
			return nil, err
		}
		out = append(out, fromMillis(ms))
	}
	return out, rows.Err()
}

// Usage is the seats taken per base slot (its start in UTC) and channel.
type Usage = map[time.Time]map[string]int

// SlotUsage returns the seats taken per base slot and channel at the place
// for slots starting in [from, to). Holds that expired at now but are not
// released yet are left out, so they stop counting the moment they expire.
func (t *Tx) SlotUsage(ctx context.Context, place string, from, to, now time.Time) (Usage, error) {
	out, err := t.TakenSeats(ctx, place, from, to)
	if err != nil {
		return nil, err
	}
	return out, t.LessExpiredHolds(ctx, out, place, from, to, now)
}

// TakenSeats is SlotUsage still counting the expired holds not released
// yet, so never less than SlotUsage, in one statement.
func (t *Tx) TakenSeats(ctx context.Context, place string, from, to time.Time) (Usage, error) {
	out := Usage{}
	rows, err := t.query(ctx, `SELECT slot_start, taken_web, taken_phone, taken_counter FROM slot_usage
		WHERE place = $1 AND slot_start >= $2 AND slot_start < $3`, place, millis(from), millis(to))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var ms int64
		var web, phone, counter int
		if err := rows.Scan(&ms, &web, &phone, &counter); err != nil {
			return nil, err
		}
		out[time.UnixMilli(ms).UTC()] = map[string]int{"web": web, "phone": phone, "counter": counter}
	}
	return out, rows.Err()
}

// LessExpiredHolds takes the seats of the holds that expired at now, not
// released yet, out of usage read by TakenSeats: it then is SlotUsage.
func (t *Tx) LessExpiredHolds(ctx context.Context, usage Usage, place string, from, to, now time.Time) error {
	rows, err := t.query(ctx, `SELECT s.slot_start, b.channel, b.seats FROM bookings b
		JOIN booking_slots s ON s.booking_id = b.id
		WHERE b.status = 'held' AND b.hold_until <= $1 AND b.place = $2 AND s.slot_start >= $3 AND s.slot_start < $4`,
		millis(now), place, millis(from), millis(to))
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var ms int64
		var channel string
		var seats int
		if err := rows.Scan(&ms, &channel, &seats); err != nil {
			return err
		}
		if u := usage[time.UnixMilli(ms).UTC()]; u != nil {
			u[channel] = max(0, u[channel]-seats)
		}
	}
	return rows.Err()
}

// ExpiredHolds returns the IDs of holds at the place that expired at now
// and take seats in slots starting in [from, to], in ID order; all places
// when place is "". limit bounds the answer (0: no bound).
func (t *Tx) ExpiredHolds(ctx context.Context, place string, from, to, now time.Time, limit int) ([]int64, error) {
	q := `SELECT DISTINCT b.id FROM bookings b JOIN booking_slots s ON s.booking_id = b.id
		WHERE b.status = 'held' AND b.hold_until <= $1 AND s.slot_start >= $2 AND s.slot_start <= $3`
	args := []any{millis(now), millis(from), millis(to)}
	if place != "" {
		q += ` AND b.place = $4`
		args = append(args, place)
	}
	q += ` ORDER BY b.id`
	if limit > 0 {
		q += ` LIMIT ` + itoa(limit)
	}
	return t.bookingIDs(ctx, q, args...)
}

// ExpireHold marks a hold expired if it still is a hold that expired at
// now. It reports whether it did, so that of two transactions racing to
// expire it only one gives its seats back.
func (t *Tx) ExpireHold(ctx context.Context, id int64, now time.Time) (bool, error) {
	res, err := t.exec(ctx, `UPDATE bookings SET status = 'expired', hold_ip = '', updated_at = $2,
		version = version + 1 WHERE id = $1 AND status = 'held' AND hold_until <= $2`, id, millis(now))
	if err != nil {
		return false, translate(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// LiveHolds counts the holds of a client that have not expired at now.
func (t *Tx) LiveHolds(ctx context.Context, ip string, now time.Time) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM bookings WHERE status = 'held' AND hold_until > $1 AND hold_ip = $2`,
		millis(now), ip).Scan(&n)
	return n, translate(err)
}

func (t *Tx) bookingIDs(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// VerifySlotUsage checks that every seat count equals the seats of the
// bookings and holds that claim the slot. It returns the first mismatch;
// a mismatch means a bug, since counts change only with their claims.
func (t *Tx) VerifySlotUsage(ctx context.Context) error {
	type key struct {
		place   string
		start   int64
		channel string
	}
	want := map[key]int{}
	rows, err := t.query(ctx, `SELECT b.place, s.slot_start, b.channel, SUM(b.seats) FROM booking_slots s
		JOIN bookings b ON b.id = s.booking_id GROUP BY b.place, s.slot_start, b.channel`)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k key
		var n int
		if err := rows.Scan(&k.place, &k.start, &k.channel, &n); err != nil {
			return err
		}
		want[k] = n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	got := map[key]int{}
	usage, err := t.query(ctx, `SELECT place, slot_start, taken_web, taken_phone, taken_counter FROM slot_usage`)
	if err != nil {
		return translate(err)
	}
	defer usage.Close()
	for usage.Next() {
		var place string
		var start int64
		var web, phone, counter int
		if err := usage.Scan(&place, &start, &web, &phone, &counter); err != nil {
			return err
		}
		for ch, n := range map[string]int{"web": web, "phone": phone, "counter": counter} {
			if n != 0 {
				got[key{place, start, ch}] = n
			}
		}
	}
	if err := usage.Err(); err != nil {
		return err
	}
	for k, n := range want {
		if got[k] != n {
			return fmt.Errorf("slot usage %s %v %s: counted %d, claimed %d", k.place, time.UnixMilli(k.start), k.channel, got[k], n)
		}
		delete(got, k)
	}
	for k, n := range got {
		return fmt.Errorf("slot usage %s %v %s: counted %d, claimed by nobody", k.place, time.UnixMilli(k.start), k.channel, n)
	}
	return nil
}
