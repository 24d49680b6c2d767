package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// Notice numbers, birth dates and remarks are sealed: SQL finds a notice
// number or a birth date by its keyed hash, but cannot order by them or
// find a word in the remarks. Those searches decrypt the matching cards'
// values, at most NameOrderBound of them, and filter and order in memory.

// decrypted reports whether the search needs the decrypted values: a
// remarks filter or an order by notice number or birth date.
func (f CardFilter) decrypted() bool {
	return f.Remarks != "" || f.bySealed()
}

// bySealed reports whether the order is by a sealed column.
func (f CardFilter) bySealed() bool { return f.Sort == "notice_number" || f.Sort == "birth_date" }

// errRemarksTooBroad is returned for a remarks search of too many cards.
func errRemarksTooBroad(n int) error {
	return apperr.New(apperr.Invalid, fmt.Sprintf("備考で探すときは、ほかの条件（状態、納品日、箱など）で %d 件以下に絞ってください（いまの条件では %d 件）。",
		NameOrderBound, n))
}

// sealedRow is a card's decrypted notice number, birth date and remarks
// (its resident's).
type sealedRow struct {
	id                     int64
	notice, birth, remarks string
}

// sealedRows returns the decrypted sealed values of the cards matching
// where, the remarks already filtered by f.
func (t *Tx) sealedRows(ctx context.Context, f CardFilter, where string, args []any) ([]sealedRow, error) {
	rows, err := t.query(ctx, `SELECT c.id, r.id, COALESCE(c.notice_number, ''), r.birth_date, r.remarks`+cardFrom+where, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []sealedRow
	for rows.Next() {
		var r sealedRow
		var residentID int64
		if err := rows.Scan(&r.id, &residentID, &r.notice, &r.birth, &r.remarks); err != nil {
			return nil, err
		}
		s, res := t.rowSealer(r.id), t.rowSealer(residentID)
		res.open(&r.remarks, "residents.remarks")
		if res.err != nil {
			return nil, res.err
		}
		if f.Remarks != "" && !strings.Contains(r.remarks, f.Remarks) {
			continue
		}
		if f.bySealed() {
			s.open(&r.notice, "cards.notice_number")
			res.open(&r.birth, "residents.birth_date")
			if err := errors.Join(s.err, res.err); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// sortSealed orders by notice number or birth date (absent values last,
// as SQL's NULLS LAST), then card ID.
func sortSealed(rows []sealedRow, key string, desc bool) {
	slices.SortFunc(rows, func(a, b sealedRow) int {
		va, vb := a.notice, b.notice
		if key == "birth_date" {
			va, vb = a.birth, b.birth
		}
		c := compareAbsentLast(va, vb)
		if desc && c != 0 && va != "" && vb != "" {
			c = -c
		}
		id := cmp.Compare(a.id, b.id)
		if desc {
			id = -id
		}
		return cmp.Or(c, id)
	})
}

// searchDecrypted answers a search with a remarks filter or an order by a
// sealed column (and no name query).
func (t *Tx) searchDecrypted(ctx context.Context, f CardFilter, where string, args []any, order string) ([]CardRecord, int, error) {
	var n int
	if err := t.queryRow(ctx, `SELECT COUNT(*)`+cardFrom+where, args...).Scan(&n); err != nil {
		return nil, 0, translate(err)
	}
	if n > NameOrderBound {
		if f.Remarks != "" {
			return nil, 0, errRemarksTooBroad(n)
		}
		// Too many to order by a sealed value: card ID order, as a name
		// order of a long list (searchBySQL).
		recs, err := t.cardList(ctx, `SELECT `+recordColumns+cardFrom+where+order+f.page(), args)
		return recs, n, err
	}
	rows, err := t.sealedRows(ctx, f, where, args)
	if err != nil {
		return nil, 0, err
	}
	return t.sealedPage(ctx, f, rows, order)
}

// sealedPage returns one page of rows: in the sealed order when asked
// for, else in SQL's order.
func (t *Tx) sealedPage(ctx context.Context, f CardFilter, rows []sealedRow, order string) ([]CardRecord, int, error) {
	total := len(rows)
	if total <= f.Offset {
		return []CardRecord{}, total, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.id
	}
	if !f.bySealed() {
		return t.pageOf(ctx, ids, order, f, total)
	}
	sortSealed(rows, f.Sort, f.Desc)
	page := rows[f.Offset:min(total, f.Offset+f.limit())]
	pageIDs := make([]int64, len(page))
	for i, r := range page {
		pageIDs[i] = r.id
	}
	recs, err := t.cardsByIDs(ctx, pageIDs)
	return recs, total, err
}

// keepDecrypted narrows the candidates of a name search by the remarks and
// returns their sealed values, for a search that needs them.
func (t *Tx) keepDecrypted(ctx context.Context, f CardFilter, cands []named) ([]named, []sealedRow, error) {
	if len(cands) == 0 {
		return cands, nil, nil
	}
	ids := make([]string, len(cands))
	for i, n := range cands {
		ids[i] = itoa64(n.id) // IDs read from the database: safe to inline, as pageOf does
	}
	rows, err := t.sealedRows(ctx, f, ` WHERE c.id IN (`+strings.Join(ids, ",")+`)`, nil)
	if err != nil {
		return nil, nil, err
	}
	kept := make(map[int64]bool, len(rows))
	for _, r := range rows {
		kept[r.id] = true
	}
	out := cands[:0]
	for _, n := range cands {
		if kept[n.id] {
			out = append(out, n)
		}
	}
	return out, rows, nil
}
