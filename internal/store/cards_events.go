package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
)

// Kinds of card events.
const (
	EventStatus  = "status"  // a status change
	EventEdit    = "edit"    // a field changed by staff (Field, OldValue, NewValue)
	EventRemarks = "remarks" // the staff-only remarks changed
	EventImport  = "import"  // the card entered the ledger from a delivery list
)

// CardEvent is one entry of a card's history: who did what, when and why.
type CardEvent struct {
	ID         int64
	CardID     int64
	At         time.Time
	ActorID    int64 // 0 for the system
	Actor      string
	Kind       string
	FromStatus card.Status // status events
	ToStatus   card.Status
	Field      string // edits: which field
	OldValue   string
	NewValue   string
	Reason     string
}

// InsertCardEvent appends an event to a card's history and sets its ID.
func (t *Tx) InsertCardEvent(ctx context.Context, e *CardEvent) error {
	var actorID sql.NullInt64
	if e.ActorID != 0 {
		actorID = sql.NullInt64{Int64: e.ActorID, Valid: true}
	}
	s := t.rowSealer(e.CardID) // an edit of the name or address keeps both values; bound to the card
	oldV, newV := s.seal(e.OldValue, "card_events.old_value"), s.seal(e.NewValue, "card_events.new_value")
	if s.err != nil {
		return s.err
	}
	err := t.queryRow(ctx, `INSERT INTO card_events (card_id, at, actor_id, actor, kind, from_status,
		to_status, field, old_value, new_value, reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		e.CardID, millis(e.At), actorID, e.Actor, e.Kind, nullString(string(e.FromStatus)),
		nullString(string(e.ToStatus)), e.Field, oldV, newV, e.Reason).Scan(&e.ID)
	return translate(err)
}

// CardEvents returns a card's history, oldest first.
func (t *Tx) CardEvents(ctx context.Context, cardID int64) ([]CardEvent, error) {
	rows, err := t.query(ctx, `SELECT id, card_id, at, COALESCE(actor_id, 0), actor, kind, from_status,
		to_status, field, old_value, new_value, reason FROM card_events WHERE card_id = $1 ORDER BY id`, cardID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []CardEvent{}
	for rows.Next() {
		e, err := t.scanCardEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *Tx) scanCardEvent(row interface{ Scan(...any) error }) (CardEvent, error) {
	var e CardEvent
	var at int64
	var from, to sql.NullString
	err := row.Scan(&e.ID, &e.CardID, &at, &e.ActorID, &e.Actor, &e.Kind, &from, &to,
		&e.Field, &e.OldValue, &e.NewValue, &e.Reason)
	e.At, e.FromStatus, e.ToStatus = fromMillis(at), card.Status(from.String), card.Status(to.String)
	if err != nil {
		return e, err
	}
	s := t.rowSealer(e.CardID)
	s.open(&e.OldValue, "card_events.old_value")
	s.open(&e.NewValue, "card_events.new_value")
	return e, s.err
}
