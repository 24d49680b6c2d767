package store

import (
	"context"
	"time"
)

// Reception modes: how a person's 交付受付確認票 was taken.
const (
	ReceptionSigned = "signed" // signed with a finger on the desk's tablet
	ReceptionPaper  = "paper"  // on the paper form, kept as before
)

// Reception is the 交付受付確認票 of one booked person. Ticks is what the
// resident confirmed (sealed JSON, the caller's format); the signature is
// the document DocumentID (0 for the paper form).
type Reception struct {
	PersonID   int64
	BookingID  int64
	CardID     int64
	Mode       string
	DocumentID int64
	Ticks      string
	CreatedAt  time.Time
	CreatedBy  string
}

const receptionColumns = `person_id, booking_id, COALESCE(card_id, 0), mode, COALESCE(document_id, 0), ticks, created_at, created_by`

func (t *Tx) scanReception(row interface{ Scan(...any) error }) (Reception, error) {
	var r Reception
	var created int64
	if err := row.Scan(&r.PersonID, &r.BookingID, &r.CardID, &r.Mode, &r.DocumentID, &r.Ticks, &created, &r.CreatedBy); err != nil {
		return r, translate(err)
	}
	r.CreatedAt = fromMillis(created)
	s := t.rowSealer(r.PersonID)
	s.open(&r.Ticks, "receptions.ticks")
	return r, s.err
}

// PutReception stores a person's reception, replacing an earlier one.
func (t *Tx) PutReception(ctx context.Context, r Reception) error {
	s := t.rowSealer(r.PersonID)
	ticks := s.seal(r.Ticks, "receptions.ticks")
	if s.err != nil {
		return s.err
	}
	_, err := t.exec(ctx, `INSERT INTO receptions (person_id, booking_id, card_id, mode, document_id, ticks, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (person_id) DO UPDATE SET booking_id = excluded.booking_id, card_id = excluded.card_id, mode = excluded.mode,
			document_id = excluded.document_id, ticks = excluded.ticks, created_at = excluded.created_at, created_by = excluded.created_by`,
		r.PersonID, r.BookingID, nullID(r.CardID), r.Mode, nullID(r.DocumentID), ticks, millis(r.CreatedAt), r.CreatedBy)
	return translate(err)
}

func (t *Tx) receptions(ctx context.Context, where string, args ...any) ([]Reception, error) {
	rows, err := t.query(ctx, `SELECT `+receptionColumns+` FROM receptions WHERE `+where+` ORDER BY created_at, person_id`, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []Reception{}
	for rows.Next() {
		r, err := t.scanReception(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, translate(rows.Err())
}

// BookingReceptions lists the receptions of a booking's people.
func (t *Tx) BookingReceptions(ctx context.Context, bookingID int64) ([]Reception, error) {
	return t.receptions(ctx, `booking_id = $1`, bookingID)
}

// CardReceptions lists the receptions taken for a card, oldest first.
func (t *Tx) CardReceptions(ctx context.Context, cardID int64) ([]Reception, error) {
	return t.receptions(ctx, `card_id = $1`, cardID)
}

// ReceptionOf returns a person's reception, or not_found.
func (t *Tx) ReceptionOf(ctx context.Context, personID int64) (Reception, error) {
	return t.scanReception(t.queryRow(ctx, `SELECT `+receptionColumns+` FROM receptions WHERE person_id = $1`, personID))
}
