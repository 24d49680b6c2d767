package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"
)

// Kinds of card surface updates (券面更新 / 追記).
const (
	SurfaceAddress = "address"
	SurfaceName    = "name"
	SurfaceExpiry  = "expiry"
)

// States of a surface update.
const (
	SurfacePending   = "pending"   // reported, not yet written on the card
	SurfaceDone      = "done"      // written on the card
	SurfaceWithdrawn = "withdrawn" // registered by mistake or no longer wanted
)

// SurfaceUpdate is one change written, or to be written, on a card's face
// and chip. Dates are YYYY-MM-DD; DoneDate is "" until it is done.
type SurfaceUpdate struct {
	ID            int64
	CardID        int64
	Kind          string
	OldValue      string
	NewValue      string
	OldDetail     string // the postal code with an address, the kana with a name
	NewDetail     string
	State         string
	RequestedDate string
	DoneDate      string
	Note          string
	RegisteredAt  time.Time
	RegistrarID   int64
	Registrar     string
	ClosedAt      time.Time // zero while pending
	CloserID      int64
	Closer        string
}

// Date is the day that matters for lists: the day it was written on the
// card, or the day it was reported while it is not.
func (u SurfaceUpdate) Date() string {
	if u.DoneDate != "" {
		return u.DoneDate
	}
	return u.RequestedDate
}

// SurfaceRow is a surface update with the card it belongs to.
type SurfaceRow struct {
	SurfaceUpdate
	Card CardRecord
}

const surfaceColumns = `u.id, u.card_id, u.kind, u.old_value, u.new_value, u.old_detail, u.new_detail, u.state, u.requested_date,
	u.done_date, u.note, u.registered_at, COALESCE(u.registrar_id, 0), u.registrar, u.closed_at,
	COALESCE(u.closer_id, 0), u.closer`

// surfaceScan holds the nullable columns of a surface row until converted.
type surfaceScan struct {
	registered int64
	closed     sql.NullInt64
}

func (s *surfaceScan) targets(u *SurfaceUpdate) []any {
	return []any{&u.ID, &u.CardID, &u.Kind, &u.OldValue, &u.NewValue, &u.OldDetail, &u.NewDetail, &u.State, &u.RequestedDate,
		&u.DoneDate, &u.Note, &s.registered, &u.RegistrarID, &u.Registrar, &s.closed, &u.CloserID, &u.Closer}
}

func (s *surfaceScan) finish(u *SurfaceUpdate) {
	u.RegisteredAt = fromMillis(s.registered)
	if s.closed.Valid {
		u.ClosedAt = fromMillis(s.closed.Int64)
	}
}

// InsertSurfaceUpdate stores a new surface update and sets its ID. A second
// pending update of the same kind for a card is a conflict.
func (t *Tx) InsertSurfaceUpdate(ctx context.Context, u *SurfaceUpdate) error {
	s := t.rowSealer(u.CardID) // old and new names and addresses are personal data; bound to the card
	oldV, newV := s.seal(u.OldValue, "surface_updates.old_value"), s.seal(u.NewValue, "surface_updates.new_value")
	oldD, newD := s.seal(u.OldDetail, "surface_updates.old_detail"), s.seal(u.NewDetail, "surface_updates.new_detail")
	note := s.seal(u.Note, "surface_updates.note") // 婚姻届, 転居届: tells what happened in a life
	if s.err != nil {
		return s.err
	}
	err := t.queryRow(ctx, `INSERT INTO surface_updates (card_id, kind, old_value, new_value, old_detail, new_detail,
		state, requested_date, done_date, note, registered_at, registrar_id, registrar, closed_at, closer_id, closer)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
		u.CardID, u.Kind, oldV, newV, oldD, newD, u.State, u.RequestedDate, u.DoneDate, note,
		millis(u.RegisteredAt), nullID(u.RegistrarID), u.Registrar, millisOrNull(u.ClosedAt),
		nullID(u.CloserID), u.Closer).Scan(&u.ID)
	return translate(err)
}

// CloseSurfaceUpdate saves the end of a pending update (done or withdrawn).
// An update that is no longer pending is not_found: someone closed it first.
func (t *Tx) CloseSurfaceUpdate(ctx context.Context, u SurfaceUpdate) error {
	res, err := t.exec(ctx, `UPDATE surface_updates SET state = $2, done_date = $3, closed_at = $4,
		closer_id = $5, closer = $6 WHERE id = $1 AND state = 'pending'`,
		u.ID, u.State, u.DoneDate, millis(u.ClosedAt), nullID(u.CloserID), u.Closer)
	return affectedOne(res, err)
}

// SurfaceUpdateByID returns one update with its card (the card row locked
// in a write transaction), or not_found.
func (t *Tx) SurfaceUpdateByID(ctx context.Context, id int64) (SurfaceRow, error) {
	rows, err := t.surfaceRows(ctx, `SELECT `+recordColumns+`, `+surfaceColumns+cardFrom+
		` JOIN surface_updates u ON u.card_id = c.id WHERE u.id = $1`+t.lockCard(), id)
	if err != nil {
		return SurfaceRow{}, err
	}
	if len(rows) == 0 {
		return SurfaceRow{}, translate(sql.ErrNoRows)
	}
	return rows[0], nil
}

// openSurface decrypts the values InsertSurfaceUpdate sealed.
func (t *Tx) openSurface(u *SurfaceUpdate) error {
	s := t.rowSealer(u.CardID)
	s.open(&u.OldValue, "surface_updates.old_value")
	s.open(&u.NewValue, "surface_updates.new_value")
	s.open(&u.OldDetail, "surface_updates.old_detail")
	s.open(&u.NewDetail, "surface_updates.new_detail")
	s.open(&u.Note, "surface_updates.note")
	return s.err
}

// CardSurfaceUpdates returns the updates of one card, newest first.
func (t *Tx) CardSurfaceUpdates(ctx context.Context, cardID int64) ([]SurfaceUpdate, error) {
	rows, err := t.surfaceRows(ctx, `SELECT `+recordColumns+`, `+surfaceColumns+cardFrom+
		` JOIN surface_updates u ON u.card_id = c.id WHERE c.id = $1 ORDER BY u.id DESC`, cardID)
	out := make([]SurfaceUpdate, len(rows))
	for i, r := range rows {
		out[i] = r.SurfaceUpdate
	}
	return out, err
}

// PendingSurfaceCount returns how many updates of a card are pending.
func (t *Tx) PendingSurfaceCount(ctx context.Context, cardID int64) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM surface_updates WHERE card_id = $1 AND state = 'pending'`, cardID).Scan(&n)
	return n, translate(err)
}

// SurfaceFilter selects surface updates for the list. Empty fields match
// everything; dates are YYYY-MM-DD and compared with SurfaceUpdate.Date.
type SurfaceFilter struct {
	Kind   string
	State  string
	From   string
	To     string
	Staff  string // the username of the staff member who registered or closed it
	Text   string // in the values and details, the note, the notice number or the name (matched after decrypting)
	Limit  int
	Offset int
}

func (f SurfaceFilter) where() (string, []any) {
	var c conds
	c.addIf(f.Kind, "u.kind = ?")
	c.addIf(f.State, "u.state = ?")
	const day = "(CASE WHEN u.done_date <> '' THEN u.done_date ELSE u.requested_date END)"
	c.addIf(f.From, day+" >= ?")
	c.addIf(f.To, day+" <= ?")
	if f.Staff != "" {
		c.add("(u.registrar = ? OR u.closer = ?)", f.Staff, f.Staff)
	}
	if len(c.parts) == 0 {
		return "1 = 1", nil
	}
	return strings.Join(c.parts, " AND "), c.args
}

// SurfaceUpdates returns one page of the updates f selects, newest day
// first, and how many there are in all.
func (t *Tx) SurfaceUpdates(ctx context.Context, f SurfaceFilter) ([]SurfaceRow, int, error) {
	where, args := f.where()
	from := cardFrom + ` JOIN surface_updates u ON u.card_id = c.id WHERE ` + where
	order := ` ORDER BY (CASE WHEN u.done_date <> '' THEN u.done_date ELSE u.requested_date END) DESC, u.id DESC`
	if f.Text != "" {
		// The values and names are sealed, so text is matched after
		// decrypting the rows the other filters leave (a city registers
		// a few hundred surface updates a year).
		rows, err := t.surfaceRows(ctx, `SELECT `+recordColumns+`, `+surfaceColumns+from+order, args...)
		if err != nil {
			return nil, 0, err
		}
		rows = slices.DeleteFunc(rows, func(r SurfaceRow) bool { return !r.contains(f.Text) })
		return page(rows, f.Offset, f.Limit), len(rows), nil
	}
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, translate(err)
	}
	q := `SELECT ` + recordColumns + `, ` + surfaceColumns + from + order
	if f.Limit > 0 {
		q += ` LIMIT ` + itoa(f.Limit) + ` OFFSET ` + itoa(max(0, f.Offset))
	}
	rows, err := t.surfaceRows(ctx, q, args...)
	return rows, total, err
}

// contains reports whether text occurs in the row's values, details,
// note, notice number, or the holder's name or reading.
func (r SurfaceRow) contains(text string) bool {
	for _, v := range []string{r.OldValue, r.NewValue, r.OldDetail, r.NewDetail, r.Note, r.Card.NoticeNumber,
		r.Card.Resident.Name, r.Card.Resident.NameKana} {
		if strings.Contains(v, text) {
			return true
		}
	}
	return false
}

// page cuts one page out of rows (limit 0: all of them).
func page[T any](rows []T, offset, limit int) []T {
	offset = min(max(0, offset), len(rows))
	rows = rows[offset:]
	if limit > 0 && limit < len(rows) {
		rows = rows[:limit]
	}
	return rows
}

func (t *Tx) surfaceRows(ctx context.Context, q string, args ...any) ([]SurfaceRow, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []SurfaceRow{}
	for rows.Next() {
		var r SurfaceRow
		var s surfaceScan
		if r.Card, err = t.scanRecord(rows, s.targets(&r.SurfaceUpdate)...); err != nil {
			return nil, err
		}
		s.finish(&r.SurfaceUpdate)
		if err := t.openSurface(&r.SurfaceUpdate); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
