package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
)

// Kinds of storage places, from the top of the tree down.
const (
	PlaceCabinet = "cabinet"
	PlaceShelf   = "shelf"
	PlaceBox     = "box"
)

// PlaceSeparator joins the names of a place and its parents into its path,
// the text a card's storage_location holds ("キャビネットA-2段-05").
const PlaceSeparator = "-"

// Place is a cabinet, shelf or box cards are kept in. Capacity 0 means no
// limit; Position orders siblings.
type Place struct {
	ID        int64
	ParentID  int64 // 0 at the top
	Name      string
	Kind      string
	Path      string
	Capacity  int
	Position  int
	CreatedAt time.Time
	UpdatedAt time.Time
}

const placeColumns = `id, COALESCE(parent_id, 0), name, kind, path, capacity, position, created_at, updated_at`

func scanPlace(row interface{ Scan(...any) error }) (Place, error) {
	var p Place
	var created, updated int64
	err := row.Scan(&p.ID, &p.ParentID, &p.Name, &p.Kind, &p.Path, &p.Capacity, &p.Position, &created, &updated)
	p.CreatedAt, p.UpdatedAt = fromMillis(created), fromMillis(updated)
	return p, err
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// InsertPlace stores a new place and sets its ID; a path already taken is
// a conflict.
func (t *Tx) InsertPlace(ctx context.Context, p *Place, at time.Time) error {
	p.CreatedAt, p.UpdatedAt = at, at
	err := t.queryRow(ctx, `INSERT INTO storage_places (parent_id, name, kind, path, capacity, position, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		nullID(p.ParentID), p.Name, p.Kind, p.Path, p.Capacity, p.Position, millis(at), millis(at)).Scan(&p.ID)
	return translate(err)
}

// UpdatePlace saves a place's name, path, capacity and position.
func (t *Tx) UpdatePlace(ctx context.Context, p *Place, at time.Time) error {
	p.UpdatedAt = at
	_, err := t.exec(ctx, `UPDATE storage_places SET name = $1, path = $2, capacity = $3, position = $4, updated_at = $5
		WHERE id = $6`, p.Name, p.Path, p.Capacity, p.Position, millis(at), p.ID)
	return translate(err)
}

// DeletePlace removes a place.
func (t *Tx) DeletePlace(ctx context.Context, id int64) error {
	_, err := t.exec(ctx, `DELETE FROM storage_places WHERE id = $1`, id)
	return translate(err)
}

// PlaceByID returns a place (locked in a write transaction), or not_found.
func (t *Tx) PlaceByID(ctx context.Context, id int64) (Place, error) {
	p, err := scanPlace(t.queryRow(ctx, `SELECT `+placeColumns+` FROM storage_places WHERE id = $1`+t.lock(), id))
	return p, translate(err)
}

// Places returns every place, parents before children and siblings in
// their order, as a flat list.
func (t *Tx) Places(ctx context.Context) ([]Place, error) {
	rows, err := t.query(ctx, `SELECT `+placeColumns+` FROM storage_places ORDER BY position, name, id`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	all := []Place{}
	for rows.Next() {
		p, err := scanPlace(rows)
		if err != nil {
			return nil, err
		}
		all = append(all, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return treeOrder(all), nil
}

// treeOrder puts sorted places depth first: each parent, then its children.
func treeOrder(sorted []Place) []Place {
	children := map[int64][]Place{}
	for _, p := range sorted {
		children[p.ParentID] = append(children[p.ParentID], p)
	}
	out := make([]Place, 0, len(sorted))
	var walk func(parent int64)
	walk = func(parent int64) {
		for _, p := range children[parent] {
			out = append(out, p)
			walk(p.ID)
		}
	}
	walk(0)
	return out
}

// LocationCounts returns how many cards in one of statuses each storage
// location holds (locations that hold none are left out).
func (t *Tx) LocationCounts(ctx context.Context, statuses []card.Status) (map[string]int, error) {
	var c conds
	c.statuses(statuses)
	c.add("c.storage_location <> ?", "")
	rows, err := t.query(ctx, `SELECT c.storage_location, COUNT(*) FROM cards c WHERE `+
		strings.Join(c.parts, " AND ")+` GROUP BY c.storage_location`, c.args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var loc string
		var n int
		if err := rows.Scan(&loc, &n); err != nil {
			return nil, err
		}
		out[loc] = n
	}
	return out, rows.Err()
}

// CardsAtPlace returns the cards in one of statuses whose storage location
// is path or a place below it, by location then notice number; limit 0
// or less means all of them. Statuses empty means any status.
func (t *Tx) CardsAtPlace(ctx context.Context, path string, statuses []card.Status, limit int) ([]CardRecord, error) {
	var c conds
	c.statuses(statuses)
	lo, hi := prefixRange(path + PlaceSeparator)
	c.add("(c.storage_location = ? OR (c.storage_location >= ? AND c.storage_location < ?))", path, lo, hi)
	// Notice numbers are sealed: the cards of the place (a box, a shelf:
	// bounded by what fits in it) are ordered after decrypting.
	q := `SELECT ` + recordColumns + cardFrom + ` WHERE ` + strings.Join(c.parts, " AND ")
	out, err := t.cardList(ctx, q, c.args)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b CardRecord) int {
		return cmp.Or(strings.Compare(a.StorageLocation, b.StorageLocation), compareAbsentLast(a.NoticeNumber, b.NoticeNumber),
			cmp.Compare(a.ID, b.ID))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// compareAbsentLast orders strings with "" after every other value, as
// SQL's NULLS LAST does.
func compareAbsentLast(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	return strings.Compare(a, b)
}

// PlaceInUse reports whether a place has places below it or stock-taking
// sessions, which keep it from being deleted.
func (t *Tx) PlaceInUse(ctx context.Context, id int64) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM storage_places WHERE parent_id = $1)
		+ (SELECT COUNT(*) FROM stocktakes WHERE place_id = $1)`, id).Scan(&n)
	return n > 0, translate(err)
}
