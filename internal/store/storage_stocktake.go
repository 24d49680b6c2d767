package store

import (
	"context"
	"errors"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
)

// Stock-taking session statuses.
const (
	StocktakeOpen   = "open"
	StocktakeClosed = "closed"
)

// Stocktake is one stock-taking (棚卸) session of a place and the places
// below it. PlacePath is the place's path when the session started.
type Stocktake struct {
	ID        int64
	PlaceID   int64
	PlacePath string
	Status    string
	StartedAt time.Time
	StarterID int64
	Starter   string
	ClosedAt  time.Time
	Closer    string
	Scans     int // number of notice numbers scanned (lists only)
}

// StocktakeScan is one notice number scanned in a session, with what the
// ledger says of its card now (CardID 0: not in the ledger).
type StocktakeScan struct {
	NoticeNumber string
	ScannedAt    time.Time
	Actor        string
	CardID       int64
	Status       card.Status
	Location     string
	Name         string
	NameKana     string
}

const stocktakeColumns = `s.id, s.place_id, s.place_path, s.status, s.started_at, COALESCE(s.starter_id, 0), s.starter,
	COALESCE(s.closed_at, 0), s.closer, (SELECT COUNT(*) FROM stocktake_scans x WHERE x.stocktake_id = s.id)`

func scanStocktake(row interface{ Scan(...any) error }) (Stocktake, error) {
	var s Stocktake
	var started, closed int64
	err := row.Scan(&s.ID, &s.PlaceID, &s.PlacePath, &s.Status, &started, &s.StarterID, &s.Starter, &closed, &s.Closer, &s.Scans)
	s.StartedAt, s.ClosedAt = fromMillis(started), fromMillis(closed)
	return s, err
}

// InsertStocktake opens a session and sets its ID; a place with an open
// session already is a conflict.
func (t *Tx) InsertStocktake(ctx context.Context, s *Stocktake) error {
	s.Status = StocktakeOpen
	err := t.queryRow(ctx, `INSERT INTO stocktakes (place_id, place_path, status, started_at, starter_id, starter)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		s.PlaceID, s.PlacePath, s.Status, millis(s.StartedAt), nullID(s.StarterID), s.Starter).Scan(&s.ID)
	return translate(err)
}

// StocktakeByID returns a session (locked in a write transaction), or
// not_found.
func (t *Tx) StocktakeByID(ctx context.Context, id int64) (Stocktake, error) {
	s, err := scanStocktake(t.queryRow(ctx, `SELECT `+stocktakeColumns+` FROM stocktakes s WHERE s.id = $1`+t.lock(), id))
	return s, translate(err)
}

// OpenStocktake returns the open session of a place, or not_found.
func (t *Tx) OpenStocktake(ctx context.Context, placeID int64) (Stocktake, error) {
	s, err := scanStocktake(t.queryRow(ctx, `SELECT `+stocktakeColumns+` FROM stocktakes s
		WHERE s.place_id = $1 AND s.status = 'open'`, placeID))
	return s, translate(err)
}

// Stocktakes returns the newest sessions first; placeID 0 means all places.
func (t *Tx) Stocktakes(ctx context.Context, placeID int64, limit int) ([]Stocktake, error) {
	rows, err := t.query(ctx, `SELECT `+stocktakeColumns+` FROM stocktakes s
		WHERE $1 = 0 OR s.place_id = $1 ORDER BY s.id DESC LIMIT `+itoa(limit), placeID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []Stocktake{}
	for rows.Next() {
		s, err := scanStocktake(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// CloseStocktake ends a session; no scans are taken after.
func (t *Tx) CloseStocktake(ctx context.Context, id int64, closer string, at time.Time) error {
	_, err := t.exec(ctx, `UPDATE stocktakes SET status = 'closed', closed_at = $1, closer = $2 WHERE id = $3`,
		millis(at), closer, id)
	return translate(err)
}

// InsertStocktakeScan records a scanned notice number; it reports false
// when the number was scanned in the session already (by anyone).
func (t *Tx) InsertStocktakeScan(ctx context.Context, stocktakeID int64, notice string, cardID, actorID int64, actor string, at time.Time) (bool, error) {
	sealed, err := t.seal(notice, "stocktake_scans.notice_number", rowKey(stocktakeID)) // bound to the session
	if err != nil {
		return false, err
	}
	hash, err := t.blind(blindNotice, notice)
	if err != nil {
		return false, err
	}
	res, err := t.exec(ctx, `INSERT INTO stocktake_scans (stocktake_id, notice_number, notice_hash, card_id, scanned_at, actor_id, actor)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (stocktake_id, notice_hash) DO NOTHING`,
		stocktakeID, sealed, hash, nullID(cardID), millis(at), nullID(actorID), actor)
	if err != nil {
		return false, translate(err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// StocktakeScans returns a session's scans in scan order, each with its
// card's present status, location and name.
func (t *Tx) StocktakeScans(ctx context.Context, stocktakeID int64) ([]StocktakeScan, error) {
	rows, err := t.query(ctx, `SELECT x.notice_number, x.scanned_at, x.actor, COALESCE(c.id, 0), COALESCE(c.status, ''),
		COALESCE(c.storage_location, ''), COALESCE(r.id, 0), COALESCE(r.name, ''), COALESCE(r.name_kana, '')
		FROM stocktake_scans x LEFT JOIN cards c ON c.id = x.card_id
		LEFT JOIN applications a ON a.id = c.application_ref LEFT JOIN residents r ON r.id = a.resident_id
		WHERE x.stocktake_id = $1 ORDER BY x.id`, stocktakeID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []StocktakeScan{}
	for rows.Next() {
		var s StocktakeScan
		var at, residentID int64
		if err := rows.Scan(&s.NoticeNumber, &at, &s.Actor, &s.CardID, &s.Status, &s.Location, &residentID, &s.Name, &s.NameKana); err != nil {
			return nil, err
		}
		o, r := t.rowSealer(stocktakeID), t.rowSealer(residentID)
		o.open(&s.NoticeNumber, "stocktake_scans.notice_number")
		r.open(&s.Name, "residents.name")
		r.open(&s.NameKana, "residents.name_kana")
		if err := errors.Join(o.err, r.err); err != nil {
			return nil, err
		}
		s.ScannedAt = fromMillis(at)
		out = append(out, s)
	}
	return out, rows.Err()
}
