package store

import (
	"cmp"
	"context"
	"github.com/kofu-oss/kofu/internal/apperr"
	"slices"
)

// deferLimit bounds the rows held back (about 20,000 cards' worth), so an
// import's memory stays flat however long the file is.
const deferLimit = 1 << 18

// searchRow is one row of card_search waiting to be written.
type searchRow struct {
	token, cardID int64
}

// DeferSearchIndex makes the transaction collect the search rows of new
// cards instead of writing them one card at a time; FlushSearchIndex then
// writes them in key order, which B-trees take far faster than scattered
// inserts. Bulk imports use it; the rows must be flushed before commit.
func (t *Tx) DeferSearchIndex() { t.deferred = &[]searchRow{} }

// FlushSearchIndex writes the collected search rows.
func (t *Tx) FlushSearchIndex(ctx context.Context) error {
	if t.deferred == nil {
		return nil
	}
	rows := *t.deferred
	*t.deferred = nil
	return t.writeSearchRows(ctx, rows)
}

var searchTable = bulkTable{name: "card_search", cols: []string{"token", "card_id"}, types: []string{"bigint", "bigint"}}

// writeSearchRows writes search rows sorted by key, in bulk.
func (t *Tx) writeSearchRows(ctx context.Context, rows []searchRow) error {
	slices.SortFunc(rows, cmpRows)
	return t.insertBulk(ctx, searchTable, searchRows(rows))
}

// searchRows are the rows of card_search as a bulk insert reads them.
type searchRows []searchRow

func (r searchRows) Len() int { return len(r) }

func (r searchRows) appendRow(args []any, i int) []any { return append(args, r[i].token, r[i].cardID) }

func (r searchRows) column(j int, _ string, lo, hi int) (any, error) {
	out := make([]int64, hi-lo)
	for i, row := range r[lo:hi] {
		out[i] = row.token
		if j == 1 {
			out[i] = row.cardID
		}
	}
	return out, nil
}

func cmpRows(a, b searchRow) int {
	if c := cmp.Compare(a.token, b.token); c != 0 {
		return c
	}
	return cmp.Compare(a.cardID, b.cardID)
}

// deferRows queues a card's search rows when indexing is deferred.
func (t *Tx) deferRows(cardID int64, toks []int64) bool {
	if t.deferred == nil {
		return false
	}
	for _, tok := range toks {
		*t.deferred = append(*t.deferred, searchRow{token: tok, cardID: cardID})
	}
	return true
}

// CardIDByApplicationID returns the newest card of an application, or
// not_found; cheaper than CardByApplicationID when most rows are new.
func (t *Tx) CardIDByApplicationID(ctx context.Context, applicationID string) (int64, error) {
	var id int64
	err := t.queryRow(ctx, `SELECT c.id FROM cards c JOIN applications a ON a.id = c.application_ref
		WHERE a.application_id = $1 ORDER BY c.id DESC LIMIT 1`, applicationID).Scan(&id)
	return id, translate(err)
}

// CardIDByNoticeNumber returns the card holding a notice number, or
// not_found.
func (t *Tx) CardIDByNoticeNumber(ctx context.Context, notice string) (int64, error) {
	ids, err := t.CardIDsByNoticeNumbers(ctx, []string{notice})
	if err != nil {
		return 0, err
	}
	id, ok := ids[notice]
	if !ok {
		return 0, apperr.New(apperr.NotFound, "見つかりません。")
	}
	return id, nil
}

// importCacheKiB is the SQLite page cache of a bulk import's transaction:
// the writer's usual 64 MiB cache fills with the import's dirty pages and
// keeps them, which alone pushed a 99,000-row ledger past 200 MB of RSS.
// Pages beyond it spill to the WAL (rolled back with a dry run).
const importCacheKiB, writerCacheKiB = 16384, 65536

// SmallCache shrinks SQLite's page cache for the rest of a bulk import's
// transaction; the returned function restores it and must run before the
// transaction ends. PostgreSQL keeps its memory in its own process.
func (t *Tx) SmallCache(ctx context.Context) (restore func() error, err error) {
	if !t.d.positional {
		return func() error { return nil }, nil
	}
	if _, err := t.exec(ctx, "PRAGMA cache_size = -"+itoa(importCacheKiB)); err != nil {
		return nil, err
	}
	return func() error {
		_, err := t.exec(context.WithoutCancel(ctx), "PRAGMA cache_size = -"+itoa(writerCacheKiB))
		return err
	}, nil
}
