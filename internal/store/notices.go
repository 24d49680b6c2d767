package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// NoticeBatch is a wave of notices whose cards were fixed when it was made.
type NoticeBatch struct {
	ID        int64
	Kind      string // guide, reminder or resend
	Cards     int    // cards to print and mail
	Held      int    // cards held out, with their reason
	CreatedAt time.Time
	CreatedBy string
	SentDate  string // YYYY-MM-DD once confirmed; "" before
	SentAt    time.Time
	SentBy    string
}

// NoticeBatchCard is a card of a batch in print order; a held card has its
// reason.
type NoticeBatchCard struct {
	CardID     int64
	Position   int
	HeldReason string
}

// InsertNoticeBatch stores a batch and its cards and sets its ID.
func (t *Tx) InsertNoticeBatch(ctx context.Context, b *NoticeBatch, cards []NoticeBatchCard) error {
	err := t.queryRow(ctx, `INSERT INTO notice_batches (kind, cards, held, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, b.Kind, b.Cards, b.Held, millis(b.CreatedAt), b.CreatedBy).Scan(&b.ID)
	if err != nil {
		return translate(err)
	}
	for _, c := range cards {
		if _, err := t.exec(ctx, `INSERT INTO notice_batch_cards (batch_id, card_id, position, held_reason)
			VALUES ($1, $2, $3, $4)`, b.ID, c.CardID, c.Position, c.HeldReason); err != nil {
			return translate(err)
		}
	}
	return nil
}

const noticeBatchColumns = `id, kind, cards, held, created_at, created_by, sent_date, sent_at, sent_by`

func scanNoticeBatch(row interface{ Scan(...any) error }) (NoticeBatch, error) {
	var b NoticeBatch
	var created int64
	var sentDate sql.NullString
	var sentAt sql.NullInt64
	err := row.Scan(&b.ID, &b.Kind, &b.Cards, &b.Held, &created, &b.CreatedBy, &sentDate, &sentAt, &b.SentBy)
	b.CreatedAt, b.SentDate = fromMillis(created), sentDate.String
	if sentAt.Valid {
		b.SentAt = fromMillis(sentAt.Int64)
	}
	return b, err
}

// NoticeBatchByID returns a batch, or not_found. In a write transaction
// the row is locked on PostgreSQL, so two confirmations queue up.
func (t *Tx) NoticeBatchByID(ctx context.Context, id int64) (NoticeBatch, error) {
	b, err := scanNoticeBatch(t.queryRow(ctx, `SELECT `+noticeBatchColumns+` FROM notice_batches WHERE id = $1`+t.lock(), id))
	return b, translate(err)
}

// NoticeBatches returns the newest batches first, one page, and how many
// there are.
func (t *Tx) NoticeBatches(ctx context.Context, limit, offset int) ([]NoticeBatch, int, error) {
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM notice_batches`).Scan(&total); err != nil {
		return nil, 0, translate(err)
	}
	rows, err := t.query(ctx, `SELECT `+noticeBatchColumns+` FROM notice_batches ORDER BY id DESC LIMIT $1 OFFSET $2`, limit, offset)
	if err != nil {
		return nil, 0, translate(err)
	}
	defer rows.Close()
	out := []NoticeBatch{}
	for rows.Next() {
		b, err := scanNoticeBatch(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, b)
	}
	return out, total, rows.Err()
}

// NoticeBatchCards returns a batch's cards in print order, held ones too.
func (t *Tx) NoticeBatchCards(ctx context.Context, batchID int64) ([]NoticeBatchCard, error) {
	rows, err := t.query(ctx, `SELECT card_id, position, held_reason FROM notice_batch_cards
		WHERE batch_id = $1 ORDER BY position`, batchID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []NoticeBatchCard{}
	for rows.Next() {
		var c NoticeBatchCard
		if err := rows.Scan(&c.CardID, &c.Position, &c.HeldReason); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// MarkNoticeBatchSent records the mailing date of a batch once: a second
// confirmation is a conflict.
func (t *Tx) MarkNoticeBatchSent(ctx context.Context, id int64, date string, at time.Time, by string) error {
	res, err := t.exec(ctx, `UPDATE notice_batches SET sent_date = $2, sent_at = $3, sent_by = $4
		WHERE id = $1 AND sent_date IS NULL`, id, date, millis(at), by)
	if err := affectedOne(res, err); apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.Conflict, "この発送分はすでに発送済みとして記録されています。")
	} else if err != nil {
		return err
	}
	return nil
}

// CardsInOpenNoticeBatches returns the cards of batches not yet confirmed
// as sent, so a card goes into one open batch at a time.
func (t *Tx) CardsInOpenNoticeBatches(ctx context.Context) (map[int64]int64, error) {
	rows, err := t.query(ctx, `SELECT bc.card_id, bc.batch_id FROM notice_batch_cards bc
		JOIN notice_batches b ON b.id = bc.batch_id WHERE b.sent_date IS NULL AND bc.held_reason = ''`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var card, batch int64
		if err := rows.Scan(&card, &batch); err != nil {
			return nil, err
		}
		out[card] = batch
	}
	return out, rows.Err()
}

// EachNoticeBatchCard streams the printable cards of a batch in print
// order, opened as every card list is, a few hundred rows in memory at a
// time.
func (t *Tx) EachNoticeBatchCard(ctx context.Context, batchID int64, fn func(CardRecord) error) error {
	rows, err := t.query(ctx, `SELECT `+recordColumns+cardFrom+`
		JOIN notice_batch_cards bc ON bc.card_id = c.id
		WHERE bc.batch_id = $1 AND bc.held_reason = '' ORDER BY bc.position`, batchID)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches, readErr := readBatches(ctx, rows, false)
	for batch := range batches {
		for i := range batch {
			if err := t.openScanned(&batch[i], nil, "", fn); err != nil {
				cancel()
				for range batches {
				}
				return err
			}
		}
	}
	return readErr()
}

// NoticeOutcome is one mailed notice and what came of it: the first
// pickup booked for the card on or after the mailing.
type NoticeOutcome struct {
	Sent     string // YYYY-MM-DD
	Booked   string // the booking's day; "" when none
	NoShow   bool   // that booking ended as a no-show
	CardID   int64
	Resolved bool // the booking's day has passed (issued or no-show)
	Waiting  bool // the card still waits for its owner (notice_sent)
}

// NoticeOutcomes returns every notice mailed (first mailing or re-send)
// from since on, with its first booking.
func (t *Tx) NoticeOutcomes(ctx context.Context, since string) ([]NoticeOutcome, error) {
	rows, err := t.query(ctx, `SELECT p.card_id, p.posted_date, c.status,
		COALESCE((SELECT MIN(b.slot_date || ' ' || bp.status) FROM booking_people bp
			JOIN bookings b ON b.id = bp.booking_id
			WHERE bp.card_id = p.card_id AND b.slot_date >= p.posted_date
			AND bp.status IN ('active', 'issued', 'served', 'no_show')), '')
		FROM card_postings p JOIN cards c ON c.id = p.card_id
		WHERE p.kind IN ('notice', 'resend') AND p.posted_date >= $1
		ORDER BY p.posted_date, p.id`, since)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []NoticeOutcome{}
	for rows.Next() {
		var o NoticeOutcome
		var first, status string
		if err := rows.Scan(&o.CardID, &o.Sent, &status, &first); err != nil {
			return nil, err
		}
		o.Waiting = status == "notice_sent"
		o.Booked, o.NoShow, o.Resolved = splitOutcome(first)
		out = append(out, o)
	}
	return out, rows.Err()
}

// splitOutcome reads "2026-05-01 status": the first booking's day and how
// it ended.
func splitOutcome(s string) (day string, noShow, resolved bool) {
	if len(s) < 10 {
		return "", false, false
	}
	day, status := s[:10], s[min(11, len(s)):]
	return day, status == "no_show", status == "issued" || status == "served" || status == "no_show"
}

// Population is the city's population in a month.
type Population struct {
	Month     string // YYYY-MM
	Residents int
	UpdatedAt time.Time
	UpdatedBy string
}

// PutPopulation stores or replaces a month's population.
func (t *Tx) PutPopulation(ctx context.Context, p Population) error {
	_, err := t.exec(ctx, `INSERT INTO population (month, residents, updated_at, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (month) DO UPDATE SET residents = excluded.residents, updated_at = excluded.updated_at,
		updated_by = excluded.updated_by`, p.Month, p.Residents, millis(p.UpdatedAt), p.UpdatedBy)
	return translate(err)
}

// PopulationSeries returns the months entered, oldest first.
func (t *Tx) PopulationSeries(ctx context.Context) ([]Population, error) {
	rows, err := t.query(ctx, `SELECT month, residents, updated_at, updated_by FROM population ORDER BY month`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []Population{}
	for rows.Next() {
		var p Population
		var at int64
		if err := rows.Scan(&p.Month, &p.Residents, &at, &p.UpdatedBy); err != nil {
			return nil, err
		}
		p.UpdatedAt = fromMillis(at)
		out = append(out, p)
	}
	return out, rows.Err()
}

// EachStatusEventTime streams the time of every status event that moved
// a card to one of statuses between from and to (Unix time, [from, to)).
func (t *Tx) EachStatusEventTime(ctx context.Context, statuses []string, from, to time.Time, fn func(status string, at time.Time)) error {
	var c conds
	c.statusesIn("e.to_status", statuses)
	rows, err := t.query(ctx, `SELECT e.to_status, e.at FROM card_events e WHERE e.kind = 'status' AND `+
		c.parts[0]+` AND e.at >= `+c.bind("?", millis(from))+` AND e.at < `+c.bind("?", millis(to)), c.args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var at int64
		if err := rows.Scan(&s, &at); err != nil {
			return err
		}
		fn(s, fromMillis(at))
	}
	return rows.Err()
}

func (c *conds) statusesIn(col string, ss []string) {
	marks := ""
	for i, s := range ss {
		if i > 0 {
			marks += ", "
		}
		marks += c.bind("?", s)
	}
	c.parts = append(c.parts, col+" IN ("+marks+")")
}

// MonthCount is a count per month (YYYY-MM).
type MonthCount map[string]int

// PostingsByMonth counts the mailings of a kind per month of posted_date
// between two days (both YYYY-MM-DD, inclusive).
func (t *Tx) PostingsByMonth(ctx context.Context, kind, from, to string) (MonthCount, error) {
	return t.monthCounts(ctx, `SELECT SUBSTR(posted_date, 1, 7), COUNT(*) FROM card_postings
		WHERE kind = $1 AND posted_date >= $2 AND posted_date <= $3 GROUP BY SUBSTR(posted_date, 1, 7)`, kind, from, to)
}

// DeliveriesByMonth counts the cards delivered by J-LIS per month.
func (t *Tx) DeliveriesByMonth(ctx context.Context, from, to string) (MonthCount, error) {
	return t.monthCounts(ctx, `SELECT SUBSTR(delivery_date, 1, 7), COUNT(*) FROM cards
		WHERE delivery_date >= $1 AND delivery_date <= $2 GROUP BY SUBSTR(delivery_date, 1, 7)`, from, to)
}

// IssuedBefore counts the cards issued to residents up to a moment: the
// numerator of the 交付率. A card the ledger received already issued (an
// imported ledger) has no status event; it counts from when it entered.
func (t *Tx) IssuedBefore(ctx context.Context, to time.Time) (int, error) {
	var moved, imported int
	err := t.queryRow(ctx, `SELECT COUNT(DISTINCT card_id) FROM card_events WHERE kind = 'status'
		AND to_status = 'issued' AND at < $1`, millis(to)).Scan(&moved)
	if err != nil {
		return 0, translate(err)
	}
	err = t.queryRow(ctx, `SELECT COUNT(*) FROM cards c WHERE c.status = 'issued' AND c.created_at < $1
		AND NOT EXISTS (SELECT 1 FROM card_events e WHERE e.card_id = c.id AND e.kind = 'status' AND e.to_status = 'issued')`,
		millis(to)).Scan(&imported)
	return moved + imported, translate(err)
}

func (t *Tx) monthCounts(ctx context.Context, q string, args ...any) (MonthCount, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := MonthCount{}
	for rows.Next() {
		var m string
		var n int
		if err := rows.Scan(&m, &n); err != nil {
			return nil, err
		}
		out[m] = n
	}
	return out, rows.Err()
}

// ApplicationsBetween counts the applications entered into the ledger in
// [from, to).
func (t *Tx) ApplicationsBetween(ctx context.Context, from, to time.Time) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM applications WHERE created_at >= $1 AND created_at < $2`,
		millis(from), millis(to)).Scan(&n)
	return n, translate(err)
}
