package store

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
)

// memoryBound is how many cards a search may decrypt to check and order
// by name. A city's whole ledger is larger, but a name query selects far
// fewer cards, and a list by reading is used with conditions.
const memoryBound = 50_000

// nameQuery keeps the cards whose resident has every piece of one of the
// query's keys (see queryGrams), looked up in card_search by keyed hash.
// Pieces can meet by chance (in the name and the reading, or out of order),
// so the candidates are checked against the decrypted keys afterwards.
func (c *conds) nameQuery(q string, keys *fieldcrypt.Keyring) error {
	qkeys := queryKeys(q)
	if len(qkeys) == 0 {
		return nil
	}
	if keys == nil {
		return errNoKeys()
	}
	alts := make([]string, len(qkeys))
	for i, k := range qkeys {
		grams := queryGrams(k)
		var marks []string
		for _, g := range grams {
			for _, tok := range keys.Tokens(g) {
				marks = append(marks, c.bind("?", tok))
			}
		}
		alts[i] = "c.id IN (SELECT card_id FROM card_search WHERE token IN (" + strings.Join(marks, ", ") +
			") GROUP BY card_id HAVING COUNT(*) = " + itoa(len(grams)) + ")"
	}
	c.parts = append(c.parts, "("+strings.Join(alts, " OR ")+")")
	return nil
}

// named is a candidate card with its resident's decrypted search keys.
type named struct {
	id   int64
	keys searchKeys
}

// searchInMemory checks the candidates of a name query against their
// decrypted keys and orders them by reading or name; with another sort the
// checked cards are ordered by SQL.
func (t *Tx) searchInMemory(ctx context.Context, f CardFilter, where string, args []any, order string) ([]CardRecord, int, error) {
	cands, over, err := t.candidates(ctx, where, args)
	if err != nil {
		return nil, 0, err
	}
	if over {
		if f.Query == "" && f.Sort == "" {
			return t.searchByID(ctx, f, where, args) // the default order of a very long list
		}
		return nil, 0, apperr.New(apperr.Invalid, "該当するカードが多すぎて（"+itoa(memoryBound)+
			" 枚を超えます）、氏名で絞り込めません。氏名をもう少し詳しく入力するか、条件を加えてください。")
	}
	if qkeys := queryKeys(f.Query); len(qkeys) > 0 {
		cands = slices.DeleteFunc(cands, func(n named) bool { return !n.keys.matches(qkeys) })
	}
	total := len(cands)
	if total <= f.Offset {
		return []CardRecord{}, total, nil
	}
	if !f.byName() {
		return t.pageOf(ctx, cands, order, f, total)
	}
	sortNamed(cands, f.Sort == "name", f.Desc)
	page := cands[f.Offset:min(total, f.Offset+f.limit())]
	ids := make([]int64, len(page))
	for i, n := range page {
		ids[i] = n.id
	}
	recs, err := t.cardsByIDs(ctx, ids)
	return recs, total, err
}

func (f CardFilter) limit() int {
	if f.Limit <= 0 {
		return DefaultCardLimit
	}
	return f.Limit
}

// candidates returns the matching cards with their decrypted keys, or
// over when there are more than memoryBound.
func (t *Tx) candidates(ctx context.Context, where string, args []any) ([]named, bool, error) {
	rows, err := t.query(ctx, `SELECT c.id, r.name_key, r.kana_key`+cardFrom+where+` LIMIT `+itoa(memoryBound+1), args...)
	if err != nil {
		return nil, false, translate(err)
	}
	defer rows.Close()
	var out []named
	for rows.Next() {
		var n named
		var name, kana string
		if err := rows.Scan(&n.id, &name, &kana); err != nil {
			return nil, false, err
		}
		if n.keys, err = t.openKeys(name, kana); err != nil {
			return nil, false, err
		}
		out = append(out, n)
	}
	return out, len(out) > memoryBound, rows.Err()
}

// sortNamed orders by reading (or name), then card ID.
func sortNamed(ns []named, byKanji, desc bool) {
	slices.SortFunc(ns, func(a, b named) int {
		ka, kb := a.keys.kana, b.keys.kana
		if byKanji {
			ka, kb = a.keys.name, b.keys.name
		}
		c := cmp.Or(strings.Compare(ka, kb), cmp.Compare(a.id, b.id))
		if desc {
			return -c
		}
		return c
	})
}

// pageOf returns one page of the checked cards in SQL's order.
func (t *Tx) pageOf(ctx context.Context, cands []named, order string, f CardFilter, total int) ([]CardRecord, int, error) {
	ids := make([]string, len(cands))
	for i, n := range cands {
		ids[i] = itoa64(n.id) // IDs read from the database: safe to inline, and no parameter limit
	}
	recs, err := t.cardList(ctx, `SELECT `+recordColumns+cardFrom+` WHERE c.id IN (`+strings.Join(ids, ",")+`)`+order+f.page(), nil)
	return recs, total, err
}

// searchByID pages the matches in card ID order, with SQL alone.
func (t *Tx) searchByID(ctx context.Context, f CardFilter, where string, args []any) ([]CardRecord, int, error) {
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*)`+cardFrom+where, args...).Scan(&total); err != nil {
		return nil, 0, translate(err)
	}
	recs, err := t.cardList(ctx, `SELECT `+recordColumns+cardFrom+where+` ORDER BY c.id`+f.page(), args)
	return recs, total, err
}

// cardsByIDs returns the records of the cards in the order of ids.
func (t *Tx) cardsByIDs(ctx context.Context, ids []int64) ([]CardRecord, error) {
	if len(ids) == 0 {
		return []CardRecord{}, nil
	}
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
