package store

import (
	"context"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
)

// CardFilter selects cards for a search. Empty fields do not filter; the
// values are expected in stored form (the ledger service normalises input).
type CardFilter struct {
	NoticeNumber    string        // exact
	ApplicationID   string        // exact, 23 digits
	Query           string        // name in kanji or kana, partial
	BirthDate       string        // YYYY-MM-DD
	Statuses        []card.Status // any of
	DeliveredFrom   string        // YYYY-MM-DD, inclusive
	DeliveredTo     string        // YYYY-MM-DD, inclusive
	Box             string        // exact
	StorageLocation string        // prefix: "A棚" finds "A棚-3-12"
	Remarks         string        // substring
	Method          card.Method
	Flag            string
	Sort            string // one of CardSorts; "" sorts by kana
	Desc            bool
	Limit           int // 0: DefaultCardLimit
	Offset          int
}

// DefaultCardLimit is the page size when none is given.
const DefaultCardLimit = 50

// CardSorts lists the sort keys SearchCards accepts, for validation and
// for the UI.
func CardSorts() []string {
	return []string{"kana", "name", "birth_date", "application_id", "notice_number", "status",
		"delivery_date", "box", "storage_location", "updated_at", "id"}
}

// sortColumn returns the column a sort key orders by in SQL. Names, birth
// dates and notice numbers are sealed, so those sorts are done in memory
// after decrypting (sortNamed, sortSealed) and stand for card ID order
// where SQL has to order, as in exports.
func sortColumn(key string) (string, bool) {
	cols := map[string]string{
		"": "c.id", "kana": "c.id", "name": "c.id", "birth_date": "c.id",
		"application_id": "a.application_id", "notice_number": "c.id", "status": "c.status",
		"delivery_date": "c.delivery_date", "box": "c.box", "storage_location": "c.storage_location",
		"updated_at": "c.updated_at", "id": "c.id",
	}
	col, ok := cols[key]
	return col, ok
}

// SearchCards returns one page of matching cards and the number of all
// matches. A name query or a sort by name or reading decrypts the names of
// the matching cards (at most memoryBound of them) and orders them in
// memory; other searches are answered by SQL alone.
func (t *Tx) SearchCards(ctx context.Context, f CardFilter) ([]CardRecord, int, error) {
	order, err := f.orderBy()
	if err != nil {
		return nil, 0, err
	}
	where, args, err := f.where(t.keys)
	if err != nil {
		return nil, 0, err
	}
	if f.Query != "" || f.byName() {
		return t.searchInMemory(ctx, f, where, args, order)
	}
	if f.decrypted() {
		return t.searchDecrypted(ctx, f, where, args, order)
	}
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*)`+cardFrom+where, args...).Scan(&total); err != nil {
		return nil, 0, translate(err)
	}
	if total <= f.Offset {
		return []CardRecord{}, total, nil
	}
	q := `SELECT ` + recordColumns + cardFrom + where + order + f.page()
	recs, err := t.cardList(ctx, q, args)
	return recs, total, err
}

// byName reports whether the cards are to be ordered by name or reading.
func (f CardFilter) byName() bool { return f.Sort == "" || f.Sort == "kana" || f.Sort == "name" }

func (f CardFilter) page() string {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultCardLimit
	}
	return ` LIMIT ` + itoa(limit) + ` OFFSET ` + itoa(max(f.Offset, 0))
}

func (t *Tx) cardList(ctx context.Context, q string, args []any) ([]CardRecord, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []CardRecord{}
	for rows.Next() {
		rec, err := t.scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

// orderBy sorts by the chosen column, absent values last on both engines,
// then by id so that paging is stable.
func (f CardFilter) orderBy() (string, error) {
	col, ok := sortColumn(f.Sort)
	if !ok {
		return "", apperr.New(apperr.Invalid, "並べ替えの指定が正しくありません。")
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	return " ORDER BY " + col + dir + " NULLS LAST, c.id" + dir, nil
}

// conds collects WHERE conditions written with ? and numbers the
// placeholders $1, $2... in order.
type conds struct {
	parts []string
	args  []any
}

func (c *conds) bind(cond string, args ...any) string {
	for _, a := range args {
		c.args = append(c.args, a)
		cond = strings.Replace(cond, "?", "$"+itoa(len(c.args)), 1)
	}
	return cond
}

func (c *conds) add(cond string, args ...any) { c.parts = append(c.parts, c.bind(cond, args...)) }

func (c *conds) addIf(v, cond string) {
	if v != "" {
		c.add(cond, v)
	}
}

func (f CardFilter) where(keys *fieldcrypt.Keyring) (string, []any, error) {
	var c conds
	for _, b := range []struct{ col, kind, v string }{
		{"c.notice_hash", blindNotice, f.NoticeNumber}, {"r.birth_hash", blindBirth, f.BirthDate},
	} {
		if b.v == "" {
			continue
		}
		if keys == nil { // nameAlone asks only whether there are other conditions
			c.parts = append(c.parts, b.col)
			continue
		}
		cond, err := c.blindCond(keys, b.col, b.kind, b.v)
		if err != nil {
			return "", nil, err
		}
		c.parts = append(c.parts, cond)
	}
	c.addIf(f.ApplicationID, "a.application_id = ?")
	c.addIf(f.DeliveredFrom, "c.delivery_date >= ?")
	c.addIf(f.DeliveredTo, "c.delivery_date <= ?")
	c.addIf(f.Box, "c.box = ?")
	c.addIf(string(f.Method), "a.method = ?")
	if f.StorageLocation != "" {
		lo, hi := prefixRange(f.StorageLocation)
		c.add("c.storage_location >= ? AND c.storage_location < ?", lo, hi)
	}
	if f.Remarks != "" { // sealed: matched after decrypting (see searchDecrypted)
		c.parts = append(c.parts, "r.remarks <> ''")
	}
	if f.Flag != "" {
		c.add(`(',' || c.flags || ',') LIKE ? ESCAPE '\'`, "%,"+escapeLike(f.Flag)+",%")
	}
	c.statuses(f.Statuses)
	if err := c.nameQuery(f.Query, keys); err != nil {
		return "", nil, err
	}
	if len(c.parts) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(c.parts, " AND "), c.args, nil
}

func (c *conds) statuses(ss []card.Status) {
	if len(ss) == 0 {
		return
	}
	marks := make([]string, len(ss))
	for i, s := range ss {
		marks[i] = c.bind("?", string(s))
	}
	c.parts = append(c.parts, "c.status IN ("+strings.Join(marks, ", ")+")")
}
