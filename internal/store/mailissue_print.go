package store

import (
	"context"
	"time"
)

// IssuedCard is a card handed over in a period: the card with its owner
// and the status event that recorded the handover.
type IssuedCard struct {
	CardRecord
	IssuedAt time.Time
	IssuedBy string
	Reason   string // the event's reason: how it was handed over
}

// IssuedCards returns the cards handed over in [from, to), in the order
// they were handed over. A handover is a status event to issued, as the
// dashboard counts it (StatusEventTimes); a card that entered the ledger
// already issued (an import event) was handed over some other day.
func (t *Tx) IssuedCards(ctx context.Context, from, to time.Time) ([]IssuedCard, error) {
	rows, err := t.query(ctx, `SELECT `+recordColumns+`, e.at, e.actor, e.reason`+cardFrom+`
		JOIN card_events e ON e.card_id = c.id
		WHERE e.kind = $1 AND e.to_status = 'issued' AND e.at >= $2 AND e.at < $3 ORDER BY e.at, e.id`,
		EventStatus, millis(from), millis(to))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []IssuedCard{}
	for rows.Next() {
		var ic IssuedCard
		var at int64
		rec, err := t.scanRecord(rows, &at, &ic.IssuedBy, &ic.Reason)
		if err != nil {
			return nil, err
		}
		ic.CardRecord, ic.IssuedAt = rec, fromMillis(at)
		out = append(out, ic)
	}
	return out, rows.Err()
}

// HandedBack is what a resident handed back when their card was issued
// at a booking: the identity documents seen and the items returned.
type HandedBack struct {
	Attendance    string
	Documents     []string
	ItemsReturned []string
	Note          string
}

// HandedBackOf returns what was recorded at the booking that issued the
// card, or not_found when the card was not issued at a booking.
func (t *Tx) HandedBackOf(ctx context.Context, cardID int64) (HandedBack, error) {
	row := t.queryRow(ctx, `SELECT `+personColumns+personFrom+` WHERE p.card_id = $1 AND p.status = $2
		ORDER BY p.id DESC LIMIT 1`, cardID, PersonIssued)
	p, err := t.scanBookingPerson(row)
	if err != nil {
		return HandedBack{}, translate(err)
	}
	return HandedBack{Attendance: p.Attendance, Documents: p.Documents, ItemsReturned: p.ItemsReturned,
		Note: p.Note}, nil
}
