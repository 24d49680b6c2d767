package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/apperr"
	"slices"
	"strings"

	"github.com/kofu-oss/kofu/internal/fieldcrypt"
)

// NameOrderBound is how many matching cards a search decrypts to check and
// order by reading or name. A longer list comes in card ID order (see
// searchBySQL): a name query that selects more than this many cards of a
// ledger is too short to be read page by page anyway.
const NameOrderBound = 20_000

// nameQuery keeps the cards whose resident has every piece of one of the
// query's keys (see queryGrams), looked up in card_search by keyed hash.
// Pieces can meet by chance (in the name and the reading, or out of order),
// so the candidates are checked against the decrypted keys afterwards.
func (c *conds) nameQuery(q string, keys *fieldcrypt.Keyring) error {
	sub, err := c.nameCandidates(q, keys)
	if sub != "" {
		c.parts = append(c.parts, "c.id IN ("+sub+")")
	}
	return err
}

// nameCandidates returns the query of the IDs of the cards whose resident
// has every piece of one of the query's keys, or "" without a query.
func (c *conds) nameCandidates(q string, keys *fieldcrypt.Keyring) (string, error) {
	qkeys := queryKeys(q)
	if len(qkeys) == 0 || shortQuery(q) {
		return "", nil // a 1-character query is checked on the other conditions' cards
	}
	if keys == nil {
		return "", errNoKeys()
	}
	var alts []string
	for _, k := range qkeys {
		if utf8.RuneCountInString(k) < 2 {
			continue // not indexed; the other key of the query or shortQuery covers it
		}
		grams := queryGrams(k)
		for _, key := range keys.Keys() { // one alternative per key: a card's rows are under one of them
			toks := tokensUnder(key, grams)
			marks := make([]string, len(toks))
			for i, tok := range toks {
				marks[i] = c.bind("?", tok)
			}
			alts = append(alts, "SELECT card_id FROM card_search WHERE token IN ("+strings.Join(marks, ", ")+
				") GROUP BY card_id HAVING COUNT(*) = "+itoa(len(toks)))
		}
	}
	return strings.Join(alts, " UNION "), nil
}

// errShortQuery is returned for a 1-character name query whose other
// conditions leave more cards (n) than a search decrypts.
func errShortQuery(n int) error {
	return apperr.New(apperr.Invalid, fmt.Sprintf("氏名・フリガナ 1 文字で探すときは、生年月日や状態などの条件と組み合わせて"+
		"%d 件以下に絞ってください（いまの条件では %d 件）。", NameOrderBound, n))
}

// countMatches counts the cards of a search: from card_search alone when
// the name is the only condition, the usual search at the counter.
func (t *Tx) countMatches(ctx context.Context, f CardFilter, where string, args []any) (int, error) {
	q := `SELECT COUNT(*)` + cardFrom + where
	if f.nameAlone() {
		var c conds
		sub, err := c.nameCandidates(f.Query, t.keys)
		if err != nil {
			return 0, err
		}
		q, args = `SELECT COUNT(*) FROM (`+sub+`) m`, c.args
	}
	var n int
	err := t.queryRow(ctx, q, args...).Scan(&n)
	return n, translate(err)
}

// named is a candidate card with its resident's decrypted reading key; the
// name key is decrypted only when needed (sealedName until then).
type named struct {
	id         int64
	keys       searchKeys
	sealedName string
}

// openName decrypts the name key of a candidate.
func (t *Tx) openName(n *named) error {
	if n.sealedName == "" {
		return nil
	}
	name, err := t.open(n.sealedName, "card_names.name_key", rowKey(n.id))
	n.keys.name, n.sealedName = name, ""
	return err
}

// keep drops the candidates whose reading and name hold none of qkeys.
func (t *Tx) keep(cands []named, qkeys []string) ([]named, error) {
	var err error
	out := cands[:0]
	for _, n := range cands {
		if !n.keys.matches(qkeys) {
			if err = errors.Join(err, t.openName(&n)); !n.keys.matches(qkeys) {
				continue
			}
		}
		out = append(out, n)
	}
	return out, err
}

// searchInMemory checks the candidates of a name query against their
// decrypted keys and orders them by reading or name; with another sort the
// checked cards are ordered by SQL.
func (t *Tx) searchInMemory(ctx context.Context, f CardFilter, where string, args []any, order string) ([]CardRecord, int, error) {
	n, err := t.countMatches(ctx, f, where, args)
	if err != nil {
		return nil, 0, err
	}
	if n > NameOrderBound {
		if f.Remarks != "" {
			return nil, 0, errRemarksTooBroad(n)
		}
		if shortQuery(f.Query) {
			return nil, 0, errShortQuery(n)
		}
		return t.searchBySQL(ctx, f, where, args, order, n)
	}
	cands, err := t.candidates(ctx, f, where, args)
	if err != nil {
		return nil, 0, err
	}
	if qkeys := queryKeys(f.Query); len(qkeys) > 0 {
		if cands, err = t.keep(cands, qkeys); err != nil {
			return nil, 0, err
		}
	}
	if f.decrypted() {
		var rows []sealedRow
		if cands, rows, err = t.keepDecrypted(ctx, f, cands); err != nil {
			return nil, 0, err
		}
		if f.bySealed() {
			return t.sealedPage(ctx, f, rows, order)
		}
	}
	if f.Sort == "name" {
		for i := range cands {
			if err := t.openName(&cands[i]); err != nil {
				return nil, 0, err
			}
		}
	}
	total := len(cands)
	if total <= f.Offset {
		return []CardRecord{}, total, nil
	}
	if !f.byName() {
		ids := make([]int64, len(cands))
		for i, n := range cands {
			ids[i] = n.id
		}
		return t.pageOf(ctx, ids, order, f, total)
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

// candidates returns the matching cards with their decrypted reading keys.
func (t *Tx) candidates(ctx context.Context, f CardFilter, where string, args []any) ([]named, error) {
	q := `SELECT n.card_id, n.name_key, n.kana_key FROM card_names n WHERE n.card_id IN (SELECT c.id` + cardFrom + where + `)`
	if f.nameAlone() { // the usual search: no need to visit the cards
		var c conds
		sub, err := c.nameCandidates(f.Query, t.keys)
		if err != nil {
			return nil, err
		}
		q, args = `SELECT n.card_id, n.name_key, n.kana_key FROM card_names n WHERE n.card_id IN (`+sub+`)`, c.args
	}
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []named
	for rows.Next() {
		var n named
		var kana string
		if err := rows.Scan(&n.id, &n.sealedName, &kana); err != nil {
			return nil, err
		}
		if n.keys.kana, err = t.open(kana, "card_names.kana_key", rowKey(n.id)); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
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
func (t *Tx) pageOf(ctx context.Context, cardIDs []int64, order string, f CardFilter, total int) ([]CardRecord, int, error) {
	ids := make([]string, len(cardIDs))
	for i, id := range cardIDs {
		ids[i] = itoa64(id) // IDs read from the database: safe to inline, and no parameter limit
	}
	recs, err := t.cardList(ctx, `SELECT `+recordColumns+cardFrom+` WHERE c.id IN (`+strings.Join(ids, ",")+`)`+order+f.page(), nil)
	return recs, total, err
}

// searchBySQL answers a search with more than NameOrderBound matches with
// SQL alone: a list that long cannot be ordered by the sealed names, so it
// comes in card ID order (the order of arrival) when a name order was
// asked for. The cards shown are checked against their decrypted names;
// the total comes from the tokens and may count a few chance matches.
func (t *Tx) searchBySQL(ctx context.Context, f CardFilter, where string, args []any, order string, total int) ([]CardRecord, int, error) {
	if total <= f.Offset {
		return []CardRecord{}, total, nil
	}
	// The page is read with spare rows, and the chance matches of the
	// tokens (see GramBits) among them are dropped after decrypting, so
	// every card shown holds the query; the total may count a few.
	qkeys := queryKeys(f.Query)
	spared := f
	if len(qkeys) > 0 {
		spared.Limit = f.limit() + pageSpare
	}
	var recs []CardRecord
	var err error
	if f.nameAlone() && f.byName() {
		var c conds
		sub, err := c.nameCandidates(f.Query, t.keys)
		if err != nil {
			return nil, 0, err
		}
		ids, err := t.idList(ctx, `SELECT card_id FROM (`+sub+`) m ORDER BY card_id`+spared.page(), c.args)
		if err != nil {
			return nil, 0, err
		}
		recs, err = t.cardsByIDs(ctx, ids)
	} else {
		recs, err = t.cardList(ctx, `SELECT `+recordColumns+cardFrom+where+order+spared.page(), args)
	}
	if err != nil || len(qkeys) == 0 {
		return recs, total, err
	}
	if recs, err = t.keepRecords(ctx, recs, qkeys); err != nil {
		return nil, 0, err
	}
	return recs[:min(len(recs), f.limit())], total, nil
}

// pageSpare is how many rows more than a page searchBySQL reads, to
// replace the chance matches it drops.
const pageSpare = 16

// keepRecords drops the records whose card's search keys hold none of
// qkeys.
func (t *Tx) keepRecords(ctx context.Context, recs []CardRecord, qkeys []string) ([]CardRecord, error) {
	if len(recs) == 0 {
		return recs, nil
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = itoa64(r.ID) // IDs read from the database: safe to inline, as pageOf does
	}
	rows, err := t.query(ctx, `SELECT card_id, name_key, kana_key FROM card_names WHERE card_id IN (`+strings.Join(ids, ",")+`)`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	match := make(map[int64]bool, len(recs))
	for rows.Next() {
		var id int64
		var name, kana string
		if err := rows.Scan(&id, &name, &kana); err != nil {
			return nil, err
		}
		keys, err := t.openKeys("card_names", id, name, kana)
		if err != nil {
			return nil, err
		}
		match[id] = keys.matches(qkeys)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return slices.DeleteFunc(recs, func(r CardRecord) bool { return !match[r.ID] }), nil
}

// nameAlone reports whether the name query is the search's only condition
// and card_search answers it (a 1-character query it does not index).
func (f CardFilter) nameAlone() bool {
	if shortQuery(f.Query) {
		return false
	}
	rest := f
	rest.Query = ""
	w, _, _ := rest.where(nil)
	return w == "" && f.Query != ""
}

func (t *Tx) idList(ctx context.Context, q string, args []any) ([]int64, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
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
