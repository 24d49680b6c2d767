package store

import (
	"context"
	"database/sql"
	"time"
)

// Ticket statuses: waiting to be called, called to a desk, called but not
// there, served.
const (
	TicketWaiting = "waiting"
	TicketCalled  = "called"
	TicketAbsent  = "absent"
	TicketDone    = "done"
)

// Ticket is a numbered ticket of a place's day.
type Ticket struct {
	ID        int64
	Place     string
	Day       string // YYYY-MM-DD in the city's zone
	Number    int    // 1, 2, … per place and day
	Label     string // what the resident reads: "A012"
	BookingID int64  // 0 for a walk-in
	Status    string
	Desk      string
	Calls     int   // how often it was called (1 + recalls)
	CallSeq   int64 // the place's call sequence at its last call
	IssuedAt  time.Time
	IssuedBy  string
	CalledAt  time.Time // first call
	DoneAt    time.Time
	NearMail  string // "", NearMailAsked or NearMailQueued
}

// The states of a ticket's mail when its turn is near.
const (
	NearMailAsked  = "asked"
	NearMailQueued = "queued"
)

const ticketColumns = `id, place, day, number, label, booking_id, status, desk, calls, call_seq,
	issued_at, issued_by, called_at, done_at, near_mail`

func scanTicket(row interface{ Scan(...any) error }) (Ticket, error) {
	var tk Ticket
	var booking, called, done sql.NullInt64
	var issued int64
	err := row.Scan(&tk.ID, &tk.Place, &tk.Day, &tk.Number, &tk.Label, &booking, &tk.Status, &tk.Desk,
		&tk.Calls, &tk.CallSeq, &issued, &tk.IssuedBy, &called, &done, &tk.NearMail)
	tk.BookingID, tk.IssuedAt = booking.Int64, fromMillis(issued)
	tk.CalledAt, tk.DoneAt = fromMillis(called.Int64), fromMillis(done.Int64)
	return tk, err
}

func (t *Tx) tickets(ctx context.Context, q string, args ...any) ([]Ticket, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Ticket
	for rows.Next() {
		tk, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, tk)
	}
	return out, rows.Err()
}

// TicketByBooking returns the ticket of a booking, or not_found.
func (t *Tx) TicketByBooking(ctx context.Context, bookingID int64) (Ticket, error) {
	tk, err := scanTicket(t.queryRow(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE booking_id = $1`, bookingID))
	return tk, translate(err)
}

// TicketByID returns a ticket, or not_found. In a write transaction the
// row is locked.
func (t *Tx) TicketByID(ctx context.Context, id int64) (Ticket, error) {
	tk, err := scanTicket(t.queryRow(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE id = $1`+t.lock(), id))
	return tk, translate(err)
}

// NextTicketNumber hands out the next number of the place's day. The
// counter row stays locked until the transaction ends, so two check-ins
// never get the same number.
func (t *Tx) NextTicketNumber(ctx context.Context, place, day string) (int, error) {
	var n int
	err := t.queryRow(ctx, `INSERT INTO counter_days (place, day, last_number) VALUES ($1, $2, 1)
		ON CONFLICT (place, day) DO UPDATE SET last_number = counter_days.last_number + 1
		RETURNING last_number`, place, day).Scan(&n)
	return n, translate(err)
}

// BumpCallSeq advances the place's call sequence and returns it. Every
// call takes this row's lock first, so the calls of one place run one
// after the other on every instance: no ticket is called twice.
func (t *Tx) BumpCallSeq(ctx context.Context, place, day string) (int64, error) {
	var n int64
	err := t.queryRow(ctx, `INSERT INTO counter_days (place, day, call_seq) VALUES ($1, $2, 1)
		ON CONFLICT (place, day) DO UPDATE SET call_seq = counter_days.call_seq + 1
		RETURNING call_seq`, place, day).Scan(&n)
	return n, translate(err)
}

// CallSeq is the place's call sequence (0 before the first call): the
// displays poll it to see that something changed.
func (t *Tx) CallSeq(ctx context.Context, place, day string) (int64, error) {
	var n int64
	err := t.queryRow(ctx, `SELECT COALESCE(MAX(call_seq), 0) FROM counter_days WHERE place = $1 AND day = $2`,
		place, day).Scan(&n)
	return n, translate(err)
}

// InsertTicket stores a new ticket and sets its ID.
func (t *Tx) InsertTicket(ctx context.Context, tk *Ticket) error {
	err := t.queryRow(ctx, `INSERT INTO tickets (place, day, number, label, booking_id, status, desk, calls,
		call_seq, issued_at, issued_by) VALUES ($1, $2, $3, $4, $5, $6, '', 0, 0, $7, $8) RETURNING id`,
		tk.Place, tk.Day, tk.Number, tk.Label, idOrNull(tk.BookingID), tk.Status, millis(tk.IssuedAt), tk.IssuedBy).Scan(&tk.ID)
	tk.IssuedAt = fromMillis(millis(tk.IssuedAt))
	return translate(err)
}

// UpdateTicket writes a ticket's status, desk and call fields.
func (t *Tx) UpdateTicket(ctx context.Context, tk Ticket) error {
	res, err := t.exec(ctx, `UPDATE tickets SET status = $2, desk = $3, calls = $4, call_seq = $5,
		called_at = $6, done_at = $7 WHERE id = $1`,
		tk.ID, tk.Status, tk.Desk, tk.Calls, tk.CallSeq, millisOrNull(tk.CalledAt), millisOrNull(tk.DoneAt))
	return affectedOne(res, err)
}

// NextWaitingTicket is the waiting ticket with the lowest number, or
// not_found when nobody waits.
func (t *Tx) NextWaitingTicket(ctx context.Context, place, day string) (Ticket, error) {
	tk, err := scanTicket(t.queryRow(ctx, `SELECT `+ticketColumns+` FROM tickets
		WHERE place = $1 AND day = $2 AND status = 'waiting' ORDER BY number LIMIT 1`, place, day))
	return tk, translate(err)
}

// DeskTicket is the ticket a desk has called and not finished, or
// not_found.
func (t *Tx) DeskTicket(ctx context.Context, place, day, desk string) (Ticket, error) {
	tk, err := scanTicket(t.queryRow(ctx, `SELECT `+ticketColumns+` FROM tickets
		WHERE place = $1 AND day = $2 AND desk = $3 AND status = 'called' ORDER BY call_seq DESC LIMIT 1`, place, day, desk))
	return tk, translate(err)
}

// WaitingAhead counts the tickets waiting before number.
func (t *Tx) WaitingAhead(ctx context.Context, place, day string, number int) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM tickets WHERE place = $1 AND day = $2 AND status = 'waiting'
		AND number < $3`, place, day, number).Scan(&n)
	return n, translate(err)
}

// RecentCalls lists the tickets of the place's day that were called, the
// latest call first.
func (t *Tx) RecentCalls(ctx context.Context, place, day string, limit int) ([]Ticket, error) {
	return t.tickets(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE place = $1 AND day = $2 AND call_seq > 0
		ORDER BY call_seq DESC LIMIT $3`, place, day, limit)
}

// DayTickets lists every ticket of the place's day in number order.
func (t *Tx) DayTickets(ctx context.Context, place, day string) ([]Ticket, error) {
	return t.tickets(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE place = $1 AND day = $2 ORDER BY number`, place, day)
}

// ActiveDesks counts the desks that called a ticket in the place's day.
func (t *Tx) ActiveDesks(ctx context.Context, place, day string) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(DISTINCT desk) FROM tickets WHERE place = $1 AND day = $2 AND desk <> ''`,
		place, day).Scan(&n)
	return n, translate(err)
}

// CalledTickets lists the tickets called between the days (inclusive),
// at every place, for the figures.
func (t *Tx) CalledTickets(ctx context.Context, from, to string) ([]Ticket, error) {
	return t.tickets(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE day >= $1 AND day <= $2 AND called_at IS NOT NULL
		ORDER BY day, number`, from, to)
}

// FirstWaiting lists the first n waiting tickets of the place's day, in
// number order.
func (t *Tx) FirstWaiting(ctx context.Context, place, day string, n int) ([]Ticket, error) {
	return t.tickets(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE place = $1 AND day = $2 AND status = 'waiting'
		ORDER BY number LIMIT $3`, place, day, n)
}

// SetNearMail moves a ticket's near-turn mail from one state to the next;
// it reports false, changing nothing, when the ticket is not in from
// (another transaction moved it first).
func (t *Tx) SetNearMail(ctx context.Context, id int64, from, to string) (bool, error) {
	return changedOne(t.exec(ctx, `UPDATE tickets SET near_mail = $3 WHERE id = $1 AND near_mail = $2`, id, from, to))
}

// BookingHasEmail reports whether a booking has an e-mail address,
// without opening it.
func (t *Tx) BookingHasEmail(ctx context.Context, id int64) (bool, error) {
	var has bool
	err := t.queryRow(ctx, `SELECT email <> '' FROM bookings WHERE id = $1`, id).Scan(&has)
	return has, translate(err)
}
