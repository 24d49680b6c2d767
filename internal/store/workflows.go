package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// Kinds of postings: mailings of a card's notice and their returns.
const (
	PostingNotice   = "notice"   // first mailing: the notice, or the card itself (申請時来庁)
	PostingResend   = "resend"   // mailed again, to a new address, after a return
	PostingRenotice = "renotice" // 再通知 after the notice's deadline
	PostingReturn   = "return"   // the post office brought it back
)

// EventWorkflow is the card event kind of a workflow step that does not
// change the status (a re-notice, a hold on disposal).
const EventWorkflow = "workflow"

// Posting is one mailing or return of a card's notice.
type Posting struct {
	ID         int64
	CardID     int64
	Kind       string
	Date       string // YYYY-MM-DD: the day it was posted or came back
	PostalCode string // where a mailing went
	Address    string
	Reason     string // returns: the reason code
	Note       string
	ActorID    int64 // 0 for the system
	Actor      string
	CreatedAt  time.Time
}

// InsertPosting appends a mailing or return to a card's postings.
func (t *Tx) InsertPosting(ctx context.Context, p *Posting) error {
	s := t.rowSealer(p.CardID) // bound to the card
	postal, addr := s.seal(p.PostalCode, "card_postings.postal_code"), s.seal(p.Address, "card_postings.address")
	note := s.seal(p.Note, "card_postings.note") // staff's words about a return may be personal
	if s.err != nil {
		return s.err
	}
	err := t.queryRow(ctx, `INSERT INTO card_postings (card_id, kind, posted_date, postal_code, address, reason,
		note, actor_id, actor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		p.CardID, p.Kind, p.Date, postal, addr, p.Reason, note, actorRef(p.ActorID), p.Actor,
		millis(p.CreatedAt)).Scan(&p.ID)
	return translate(err)
}

// CardPostings returns a card's mailings and returns, oldest first.
func (t *Tx) CardPostings(ctx context.Context, cardID int64) ([]Posting, error) {
	rows, err := t.query(ctx, `SELECT id, card_id, kind, posted_date, postal_code, address, reason, note,
		COALESCE(actor_id, 0), actor, created_at FROM card_postings WHERE card_id = $1 ORDER BY id`, cardID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []Posting{}
	for rows.Next() {
		var p Posting
		var created int64
		if err := rows.Scan(&p.ID, &p.CardID, &p.Kind, &p.Date, &p.PostalCode, &p.Address, &p.Reason, &p.Note,
			&p.ActorID, &p.Actor, &created); err != nil {
			return nil, err
		}
		s := t.rowSealer(p.CardID)
		s.open(&p.PostalCode, "card_postings.postal_code")
		s.open(&p.Address, "card_postings.address")
		s.open(&p.Note, "card_postings.note")
		if s.err != nil {
			return nil, s.err
		}
		p.CreatedAt = fromMillis(created)
		out = append(out, p)
	}
	return out, rows.Err()
}

// DisposalHold keeps a card from disposal until a date, at the resident's
// request.
type DisposalHold struct {
	CardID    int64
	Reason    string
	Until     string // YYYY-MM-DD, inclusive
	ActorID   int64
	Actor     string
	CreatedAt time.Time
}

// PutDisposalHold places or replaces the hold on a card.
func (t *Tx) PutDisposalHold(ctx context.Context, h DisposalHold) error {
	reason, err := t.seal(h.Reason, "disposal_holds.reason", rowKey(h.CardID)) // why a card is kept: a stay in hospital...
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO disposal_holds (card_id, reason, until_date, actor_id, actor, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (card_id) DO UPDATE SET reason = excluded.reason,
		until_date = excluded.until_date, actor_id = excluded.actor_id, actor = excluded.actor,
		created_at = excluded.created_at`,
		h.CardID, reason, h.Until, actorRef(h.ActorID), h.Actor, millis(h.CreatedAt))
	return translate(err)
}

// DeleteDisposalHold lifts the hold on a card; not_found when there is none.
func (t *Tx) DeleteDisposalHold(ctx context.Context, cardID int64) error {
	res, err := t.exec(ctx, `DELETE FROM disposal_holds WHERE card_id = $1`, cardID)
	return affectedOne(res, err)
}

// DisposalHoldOf returns the hold on a card, or not_found.
func (t *Tx) DisposalHoldOf(ctx context.Context, cardID int64) (DisposalHold, error) {
	h := DisposalHold{CardID: cardID}
	var created int64
	err := t.queryRow(ctx, `SELECT reason, until_date, COALESCE(actor_id, 0), actor, created_at
		FROM disposal_holds WHERE card_id = $1`, cardID).Scan(&h.Reason, &h.Until, &h.ActorID, &h.Actor, &created)
	h.CreatedAt = fromMillis(created)
	if err != nil {
		return h, translate(err)
	}
	h.Reason, err = t.open(h.Reason, "disposal_holds.reason", rowKey(cardID))
	return h, err
}

// Disposal is the record of a card's disposal: proposed by one staff
// member, confirmed by another.
type Disposal struct {
	CardID       int64
	Rule         string // which rule made the card due
	ProposedAt   time.Time
	ProposerID   int64
	Proposer     string
	ProposalNote string
	Method       string // shred, dissolve or other; "" until chosen
	DisposedDate string // YYYY-MM-DD; "" until confirmed
	ConfirmedAt  time.Time
	ConfirmerID  int64
	Confirmer    string
	Note         string // the confirmer's note
}

// Confirmed reports whether the disposal was carried out.
func (d Disposal) Confirmed() bool { return d.DisposedDate != "" }

// PutDisposalProposal records a proposal, replacing an earlier proposal
// that was never confirmed (the card went on hold and came back).
func (t *Tx) PutDisposalProposal(ctx context.Context, d Disposal) error {
	note, err := t.seal(d.ProposalNote, "disposals.proposal_note", rowKey(d.CardID))
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO disposals (card_id, rule, proposed_at, proposer_id, proposer, proposal_note, method)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (card_id) DO UPDATE SET rule = excluded.rule,
		proposed_at = excluded.proposed_at, proposer_id = excluded.proposer_id, proposer = excluded.proposer,
		proposal_note = excluded.proposal_note, method = excluded.method
		WHERE disposals.disposed_date IS NULL`,
		d.CardID, d.Rule, millis(d.ProposedAt), actorRef(d.ProposerID), d.Proposer, note, d.Method)
	return translate(err)
}

// DeleteDisposalProposal drops a card's proposal that was never confirmed
// (the card went back into stock); a confirmed disposal stays.
func (t *Tx) DeleteDisposalProposal(ctx context.Context, cardID int64) error {
	_, err := t.exec(ctx, `DELETE FROM disposals WHERE card_id = $1 AND disposed_date IS NULL`, cardID)
	return translate(err)
}

// ConfirmDisposalRecord writes the confirmation of a card's disposal. The
// card must have a proposal that is not yet confirmed; when the proposal
// was made through a plain status change (no row yet), d carries the
// proposer and a row is created.
func (t *Tx) ConfirmDisposalRecord(ctx context.Context, d Disposal) error {
	if err := t.PutDisposalProposal(ctx, d); err != nil {
		return err
	}
	note, err := t.seal(d.Note, "disposals.note", rowKey(d.CardID))
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE disposals SET method = $2, disposed_date = $3, confirmed_at = $4,
		confirmer_id = $5, confirmer = $6, note = $7 WHERE card_id = $1 AND disposed_date IS NULL`,
		d.CardID, d.Method, d.DisposedDate, millis(d.ConfirmedAt), actorRef(d.ConfirmerID), d.Confirmer, note)
	return affectedOne(res, err)
}

// DisposalOf returns the disposal record of a card, or not_found.
func (t *Tx) DisposalOf(ctx context.Context, cardID int64) (Disposal, error) {
	d, err := t.scanDisposal(t.queryRow(ctx, `SELECT `+disposalColumns+` FROM disposals d WHERE d.card_id = $1`, cardID))
	return d, translate(err)
}

const disposalColumns = `d.card_id, d.rule, d.proposed_at, COALESCE(d.proposer_id, 0), d.proposer, d.proposal_note,
	d.method, d.disposed_date, d.confirmed_at, COALESCE(d.confirmer_id, 0), d.confirmer, d.note`

func (t *Tx) scanDisposal(row interface{ Scan(...any) error }) (Disposal, error) {
	var d Disposal
	var proposed int64
	var disposed sql.NullString
	var confirmed sql.NullInt64
	err := row.Scan(&d.CardID, &d.Rule, &proposed, &d.ProposerID, &d.Proposer, &d.ProposalNote, &d.Method,
		&disposed, &confirmed, &d.ConfirmerID, &d.Confirmer, &d.Note)
	d.ProposedAt, d.DisposedDate = fromMillis(proposed), disposed.String
	if confirmed.Valid {
		d.ConfirmedAt = fromMillis(confirmed.Int64)
	}
	if err != nil {
		return d, err
	}
	return d, t.openDisposal(&d)
}

// openDisposal decrypts a disposal's notes in place.
func (t *Tx) openDisposal(d *Disposal) error {
	s := t.rowSealer(d.CardID)
	s.open(&d.ProposalNote, "disposals.proposal_note")
	s.open(&d.Note, "disposals.note")
	return s.err
}

// LastStatusEvent returns the newest status event that moved the card to
// status to, or not_found. A card put in disposal_pending from the card
// page has no proposal row; this event names who proposed it.
func (t *Tx) LastStatusEvent(ctx context.Context, cardID int64, to string) (CardEvent, error) {
	e, err := t.scanCardEvent(t.queryRow(ctx, `SELECT id, card_id, at, COALESCE(actor_id, 0), actor, kind, from_status,
		to_status, field, old_value, new_value, reason FROM card_events
		WHERE card_id = $1 AND to_status = $2 ORDER BY id DESC LIMIT 1`, cardID, to))
	return e, translate(err)
}

// NoShowCounts returns, per card, how many bookings its owner did not
// come to (booking people marked no_show). Cards without any are absent.
func (t *Tx) NoShowCounts(ctx context.Context, cardIDs []int64) (map[int64]int, error) {
	return t.countPerCard(ctx, `SELECT card_id, COUNT(*) FROM booking_people WHERE status = 'no_show' AND card_id IN (`, cardIDs)
}

// ReturnCounts returns, per card, how many times its mailing came back.
func (t *Tx) ReturnCounts(ctx context.Context, cardIDs []int64) (map[int64]int, error) {
	return t.countPerCard(ctx, `SELECT card_id, COUNT(*) FROM card_postings WHERE kind = 'return' AND card_id IN (`, cardIDs)
}

// countPerCard runs head + the card list + ") GROUP BY card_id".
func (t *Tx) countPerCard(ctx context.Context, head string, cardIDs []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(cardIDs) == 0 {
		return out, nil
	}
	var c conds
	marks := make([]string, len(cardIDs))
	for i, id := range cardIDs {
		marks[i] = c.bind("?", id)
	}
	rows, err := t.query(ctx, head+strings.Join(marks, ", ")+`) GROUP BY card_id`, c.args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// NoShowsSince counts the people who did not come to their booking and
// were marked so at or after since (the dashboard's month).
func (t *Tx) NoShowsSince(ctx context.Context, since time.Time) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM booking_people WHERE status = 'no_show' AND done_at >= $1`,
		millis(since)).Scan(&n)
	return n, translate(err)
}

// actorRef stores the system (0) as NULL, as card events do.
func actorRef(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }
