package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
)

// FunnelCounts counts, for each stage, the cards that are in one of its
// statuses, are on hold from one, or were ever moved into one (the card's
// history). An empty stage counts every card. Cards cancelled or disposed
// of thus still count for the stages they reached.
func (t *Tx) FunnelCounts(ctx context.Context, stages [][]card.Status) ([]int, error) {
	var c conds
	cols := make([]string, len(stages))
	for i, st := range stages {
		if len(st) == 0 {
			cols[i] = "COUNT(*)"
			continue
		}
		set := func() string { return c.inList(st) }
		cols[i] = `COALESCE(SUM(CASE WHEN c.status IN (` + set() + `) OR c.held_from IN (` + set() + `)
			OR EXISTS (SELECT 1 FROM card_events e WHERE e.card_id = c.id AND e.to_status IN (` + set() + `))
			THEN 1 ELSE 0 END), 0)`
	}
	out := make([]int, len(stages))
	dst := make([]any, len(stages))
	for i := range out {
		dst[i] = &out[i]
	}
	err := t.queryRow(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM cards c`, c.args...).Scan(dst...)
	return out, translate(err)
}

func (c *conds) inList(ss []card.Status) string {
	marks := make([]string, len(ss))
	for i, s := range ss {
		marks[i] = c.bind("?", string(s))
	}
	return strings.Join(marks, ", ")
}

// StockCount is how many cards of a status arrived on a delivery date.
type StockCount struct {
	Status       card.Status
	DeliveryDate string // "" when unknown
	Count        int
}

// StockByDelivery counts the cards in the statuses by delivery date, for
// the age of the stock on hand.
func (t *Tx) StockByDelivery(ctx context.Context, statuses []card.Status) ([]StockCount, error) {
	var c conds
	c.statuses(statuses)
	where := ""
	if len(c.parts) > 0 {
		where = " WHERE " + strings.Join(c.parts, " AND ")
	}
	rows, err := t.query(ctx, `SELECT c.status, c.delivery_date, COUNT(*) FROM cards c`+where+`
		GROUP BY c.status, c.delivery_date ORDER BY c.status, c.delivery_date`, c.args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []StockCount{}
	for rows.Next() {
		var s StockCount
		var delivery sql.NullString
		if err := rows.Scan(&s.Status, &delivery, &s.Count); err != nil {
			return nil, err
		}
		s.DeliveryDate = delivery.String
		out = append(out, s)
	}
	return out, rows.Err()
}

// StatusEventTimes returns when cards were moved into status to by staff
// (status events, not imports) at or after since, oldest first.
func (t *Tx) StatusEventTimes(ctx context.Context, to card.Status, since time.Time) ([]time.Time, error) {
	rows, err := t.query(ctx, `SELECT at FROM card_events WHERE kind = $1 AND to_status = $2 AND at >= $3 ORDER BY at`,
		EventStatus, string(to), millis(since))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []time.Time{}
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			return nil, err
		}
		out = append(out, fromMillis(at))
	}
	return out, rows.Err()
}
