package store

import (
	"context"
	"slices"
	"strings"
)

// nameOnly reports whether the search is a name alone in kana order, with
// keys that fit the stored fragments: the usual search at the counter.
// card_search then gives the count and the page without touching the
// cards, however many residents share the name.
func (f CardFilter) nameOnly() bool {
	if f.Sort != "" && f.Sort != "kana" {
		return false
	}
	rest := f
	rest.Query = ""
	if where, _ := rest.where(); where != "" {
		return false
	}
	keys := queryKeys(f.Query)
	_, exact := new(conds).fragmentRanges(keys)
	return len(keys) > 0 && exact
}

func (t *Tx) searchByName(ctx context.Context, f CardFilter) ([]CardRecord, int, error) {
	var c conds
	ranges, _ := c.fragmentRanges(queryKeys(f.Query))
	var total int
	err := t.queryRow(ctx, `SELECT COUNT(DISTINCT card_id) FROM card_search WHERE `+ranges, c.args...).Scan(&total)
	if err != nil || total <= f.Offset {
		return []CardRecord{}, total, translate(err)
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	ids, err := t.ids(ctx, `SELECT DISTINCT kana_key, card_id FROM card_search WHERE `+ranges+
		` ORDER BY kana_key`+dir+`, card_id`+dir+f.page(), c.args)
	if err != nil {
		return nil, 0, err
	}
	recs, err := t.cardsByIDs(ctx, ids)
	return recs, total, err
}

// ids returns the second column of each row, in order.
func (t *Tx) ids(ctx context.Context, q string, args []any) ([]int64, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var key string
		var id int64
		if err := rows.Scan(&key, &id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// cardsByIDs returns the records of the cards in the order of ids.
func (t *Tx) cardsByIDs(ctx context.Context, ids []int64) ([]CardRecord, error) {
	var c conds
	marks := make([]string, len(ids))
	for i, id := range ids {
		marks[i] = c.bind("?", id)
	}
	recs, err := t.cardList(ctx, `SELECT `+recordColumns+cardFrom+` WHERE c.id IN (`+strings.Join(marks, ", ")+`)`, c.args)
	if err != nil {
		return nil, err
	}
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	slices.SortFunc(recs, func(a, b CardRecord) int { return pos[a.ID] - pos[b.ID] })
	return recs, nil
}

// nameQuery matches cards whose resident's name or kana key contains one
// of the query's keys, through a range scan of card_search. Keys longer
// than the stored fragments are checked against the full keys as well.
func (c *conds) nameQuery(q string) {
	keys := queryKeys(q)
	if len(keys) == 0 {
		return
	}
	ranges, exact := c.fragmentRanges(keys)
	c.parts = append(c.parts, "c.id IN (SELECT card_id FROM card_search WHERE "+ranges+")")
	if !exact {
		c.containsAny(keys)
	}
}

// fragmentRanges returns the card_search condition for the keys, and
// whether the fragments hold the keys in full.
func (c *conds) fragmentRanges(keys []string) (string, bool) {
	ranges := make([]string, len(keys))
	allExact := true
	for i, k := range keys {
		lo, hi, exact := fragmentRange(k)
		allExact = allExact && exact
		ranges[i] = c.bind("(fragment >= ? AND fragment < ?)", lo, hi)
	}
	return strings.Join(ranges, " OR "), allExact
}

// containsAny keeps the residents whose name or kana key contains one of
// the keys: a candidate from a cut fragment may only share its start.
func (c *conds) containsAny(keys []string) {
	checks := make([]string, len(keys))
	for i, k := range keys {
		like := "%" + escapeLike(k) + "%"
		checks[i] = c.bind(`r.name_key LIKE ? ESCAPE '\' OR r.kana_key LIKE ? ESCAPE '\'`, like, like)
	}
	c.parts = append(c.parts, "("+strings.Join(checks, " OR ")+")")
}
