package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Mail statuses in the outbox.
const (
	MailPending   = "pending"
	MailSent      = "sent"
	MailFailed    = "failed"    // the worker gave up; last_error says why
	MailCancelled = "cancelled" // made moot by a later change, never sent
)

// MailMessage is one row of the mail outbox.
type MailMessage struct {
	ID           int64
	Kind         string // confirmation, change, cancellation, reminder
	BookingID    int64
	BookingCode  string
	To           string
	Subject      string
	Body         string
	ICS          string
	DedupeKey    string // "" for none; a second row with the same key is not queued
	Status       string
	NotBefore    time.Time
	Attempts     int
	LastError    string
	SentAt       time.Time
	ClaimedBy    string
	ClaimedUntil time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

const mailColumns = `id, kind, booking_id, booking_code, to_addr, subject, body, ics, dedupe_key, status,
	not_before, attempts, last_error, sent_at, claimed_by, claimed_until, created_at, updated_at`

// InsertMail queues m as pending and sets its ID. It reports false,
// queuing nothing, when a row with m's dedupe key already exists.
func (t *Tx) InsertMail(ctx context.Context, m *MailMessage) (bool, error) {
	m.Status, m.UpdatedAt = MailPending, m.CreatedAt
	id, err := t.nextID(ctx, "mail_outbox")
	if err != nil {
		return false, err
	}
	s := t.rowSealer(id) // a rendered mail names the resident
	to, body, ics := s.seal(m.To, "mail_outbox.to_addr"), s.seal(m.Body, "mail_outbox.body"), s.seal(m.ICS, "mail_outbox.ics")
	if s.err != nil {
		return false, s.err
	}
	err = t.queryRow(ctx, `INSERT INTO mail_outbox (id, kind, booking_id, booking_code, to_addr, subject, body, ics,
		dedupe_key, status, not_before, attempts, last_error, claimed_by, created_at, updated_at)
		VALUES ($11, $1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, 0, '', '', $10, $10)
		ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
		m.Kind, m.BookingID, m.BookingCode, to, m.Subject, body, ics, nullString(m.DedupeKey),
		millis(m.NotBefore), millis(m.CreatedAt), id).Scan(&m.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, translate(err)
}

// CancelPendingMail cancels the pending messages of a kind for a booking
// (a reminder made moot by a change or cancellation) and frees their
// dedupe keys. A message a worker is sending right now is cancelled too;
// its sent mark then finds it no longer pending.
func (t *Tx) CancelPendingMail(ctx context.Context, bookingID int64, kind string, now time.Time) (int64, error) {
	res, err := t.exec(ctx, `UPDATE mail_outbox SET status = 'cancelled', dedupe_key = NULL, updated_at = $3
		WHERE booking_id = $1 AND kind = $2 AND status = 'pending'`, bookingID, kind, millis(now))
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}

// ClaimMail leases up to limit due messages to worker until until. Rows
// another transaction has locked are skipped on PostgreSQL, so several
// workers claim disjoint sets; SQLite's single writer serialises claims.
func (t *Tx) ClaimMail(ctx context.Context, worker string, now, until time.Time, limit int) ([]MailMessage, error) {
	ms, err := t.mailRows(ctx, `SELECT `+mailColumns+` FROM mail_outbox
		WHERE status = 'pending' AND not_before <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)
		ORDER BY not_before, id LIMIT $2`+t.skipLocked(), millis(now), limit)
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	ids := make([]int64, len(ms))
	for i := range ms {
		ids[i] = ms[i].ID
		ms[i].ClaimedBy, ms[i].ClaimedUntil = worker, fromMillis(millis(until))
	}
	in, args := bookingIDList(ids, 3)
	_, err = t.exec(ctx, `UPDATE mail_outbox SET claimed_by = $1, claimed_until = $2, updated_at = $3
		WHERE id IN (`+in+`)`, append([]any{worker, millis(until), millis(now)}, args...)...)
	return ms, translate(err)
}

// skipLocked locks the selected rows on PostgreSQL, passing over rows
// that another worker holds.
func (t *Tx) skipLocked() string {
	if l := t.lock(); l != "" {
		return l + " SKIP LOCKED"
	}
	return ""
}

// MarkMailSent records that worker sent the message. It reports false
// when the message is no longer pending under worker's claim (its lease
// ran out and another worker took it, or it was cancelled meanwhile).
func (t *Tx) MarkMailSent(ctx context.Context, id int64, worker string, now time.Time) (bool, error) {
	res, err := t.exec(ctx, `UPDATE mail_outbox SET status = 'sent', sent_at = $3, attempts = attempts + 1,
		last_error = '', claimed_by = '', claimed_until = NULL, updated_at = $3
		WHERE id = $1 AND claimed_by = $2 AND status = 'pending'`, id, worker, millis(now))
	return changedOne(res, err)
}

// MarkMailFailed records a failed attempt by worker: the message is due
// again at retryAt, or failed for good when giveUp is set.
func (t *Tx) MarkMailFailed(ctx context.Context, id int64, worker, reason string, retryAt time.Time, giveUp bool, now time.Time) (bool, error) {
	status := MailPending
	if giveUp {
		status = MailFailed
	}
	res, err := t.exec(ctx, `UPDATE mail_outbox SET status = $4, not_before = $5, attempts = attempts + 1,
		last_error = $3, claimed_by = '', claimed_until = NULL, updated_at = $6
		WHERE id = $1 AND claimed_by = $2 AND status = 'pending'`,
		id, worker, reason, status, millis(retryAt), millis(now))
	return changedOne(res, err)
}

// ReleaseMail gives back worker's claim on messages it did not try, so
// they are due again at once.
func (t *Tx) ReleaseMail(ctx context.Context, ids []int64, worker string, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	in, args := bookingIDList(ids, 2)
	_, err := t.exec(ctx, `UPDATE mail_outbox SET claimed_by = '', claimed_until = NULL, updated_at = $2
		WHERE claimed_by = $1 AND status = 'pending' AND id IN (`+in+`)`,
		append([]any{worker, millis(now)}, args...)...)
	return translate(err)
}

// RetryMail makes a failed message pending again, due at once, with a
// fresh count of attempts (an admin fixed the SMTP settings).
func (t *Tx) RetryMail(ctx context.Context, id int64, now time.Time) error {
	res, err := t.exec(ctx, `UPDATE mail_outbox SET status = 'pending', not_before = $2, attempts = 0,
		claimed_by = '', claimed_until = NULL, updated_at = $2 WHERE id = $1 AND status = 'failed'`, id, millis(now))
	return affectedOne(res, err)
}

// MailFilter selects outbox rows; zero fields select everything.
type MailFilter struct {
	Status    string
	BookingID int64
	Limit     int // 0 means 100
}

// ListMail returns outbox rows, newest first.
func (t *Tx) ListMail(ctx context.Context, f MailFilter) ([]MailMessage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	return t.mailRows(ctx, `SELECT `+mailColumns+` FROM mail_outbox
		WHERE (status = $1 OR $1 = '') AND (booking_id = $2 OR $2 = 0)
		ORDER BY id DESC LIMIT $3`, f.Status, f.BookingID, limit)
}

// PurgeMail deletes messages that are done (sent, failed or cancelled)
// and were last touched before before: their bodies hold personal data.
func (t *Tx) PurgeMail(ctx context.Context, before time.Time) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM mail_outbox WHERE status IN ('sent', 'failed', 'cancelled') AND updated_at < $1`, millis(before))
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}

func (t *Tx) mailRows(ctx context.Context, q string, args ...any) ([]MailMessage, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []MailMessage
	for rows.Next() {
		m, err := t.scanMail(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, translate(rows.Err())
}

func (t *Tx) scanMail(rows *sql.Rows) (MailMessage, error) {
	var m MailMessage
	var key sql.NullString
	var notBefore, created, updated int64
	var sent, claimed sql.NullInt64
	err := rows.Scan(&m.ID, &m.Kind, &m.BookingID, &m.BookingCode, &m.To, &m.Subject, &m.Body, &m.ICS, &key,
		&m.Status, &notBefore, &m.Attempts, &m.LastError, &sent, &m.ClaimedBy, &claimed, &created, &updated)
	m.DedupeKey, m.NotBefore, m.CreatedAt, m.UpdatedAt = key.String, fromMillis(notBefore), fromMillis(created), fromMillis(updated)
	m.SentAt, m.ClaimedUntil = fromMillis(sent.Int64), fromMillis(claimed.Int64)
	if err != nil {
		return m, err
	}
	s := t.rowSealer(m.ID)
	s.open(&m.To, "mail_outbox.to_addr")
	s.open(&m.Body, "mail_outbox.body")
	s.open(&m.ICS, "mail_outbox.ics")
	return m, s.err
}

// changedOne reports whether an UPDATE changed a row.
func changedOne(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, translate(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
