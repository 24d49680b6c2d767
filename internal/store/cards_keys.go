package store

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/moji"
)

// fragmentRunes is how long the stored name suffixes are. A query up to
// this length is answered by the range scan alone; a longer one scans on
// its first fragmentRunes characters and is checked against the full keys.
// Four keeps the table small while a typical kanji or kana query fits.
const fragmentRunes = 4

// searchKeys are the normalised forms of a resident's name that searches
// compare: moji.NameKey of the name (spaces and variation selectors
// dropped) and moji.KanaKey of the reading (half-width, hiragana, small
// kana and long vowel marks folded).
type searchKeys struct{ name, kana string }

func keysOf(name, kana string) searchKeys {
	return searchKeys{name: moji.NameKey(name), kana: moji.KanaKey(kana)}
}

// fragments returns every suffix of both keys cut to fragmentRunes
// characters, without duplicates: "ミワナオミ" gives ミワナオ, ワナオミ, ナオミ,
// オミ, ミ.
func (k searchKeys) fragments() []string {
	var out []string
	for _, key := range []string{k.name, k.kana} {
		runes := []rune(key)
		for i := range runes {
			out = append(out, string(runes[i:min(len(runes), i+fragmentRunes)]))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// indexCard adds the search rows of a new card from its resident's keys.
func (t *Tx) indexCard(ctx context.Context, cardID, applicationRef int64) error {
	var k searchKeys
	err := t.queryRow(ctx, `SELECT r.name_key, r.kana_key FROM applications a
		JOIN residents r ON r.id = a.resident_id WHERE a.id = $1`, applicationRef).Scan(&k.name, &k.kana)
	if err != nil {
		return translate(err)
	}
	if t.deferRows(cardID, k) {
		if len(*t.deferred) >= deferLimit {
			return t.FlushSearchIndex(ctx)
		}
		return nil
	}
	return t.insertSearchRows(ctx, cardID, k)
}

// insertSearchRows stores a card's search rows in one statement, since a
// card has a dozen of them.
func (t *Tx) insertSearchRows(ctx context.Context, cardID int64, k searchKeys) error {
	frags := k.fragments()
	if len(frags) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO card_search (fragment, kana_key, card_id) VALUES `)
	args := make([]any, 0, len(frags)+2)
	args = append(args, cardID, k.kana)
	for i, f := range frags {
		if i > 0 {
			b.WriteString(", ")
		}
		args = append(args, f)
		b.WriteString("($" + itoa(len(args)) + ", $2, $1)")
	}
	_, err := t.exec(ctx, b.String(), args...)
	return translate(err)
}

// deleteSearchRows removes a card's search rows by their full primary
// key, which the old keys give, so no index on card_id is needed.
func (t *Tx) deleteSearchRows(ctx context.Context, cardID int64, k searchKeys) error {
	for _, f := range k.fragments() {
		_, err := t.exec(ctx, `DELETE FROM card_search WHERE fragment = $1 AND kana_key = $2 AND card_id = $3`,
			f, k.kana, cardID)
		if err != nil {
			return translate(err)
		}
	}
	return nil
}

// rekeyResidentCards replaces the search rows of every card of a resident
// whose name or reading changed.
func (t *Tx) rekeyResidentCards(ctx context.Context, residentID int64, old, keys searchKeys) error {
	ids, err := t.residentCardIDs(ctx, residentID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := t.deleteSearchRows(ctx, id, old); err != nil {
			return err
		}
		if err := t.insertSearchRows(ctx, id, keys); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) residentCardIDs(ctx context.Context, residentID int64) ([]int64, error) {
	rows, err := t.query(ctx, `SELECT c.id FROM cards c JOIN applications a ON a.id = c.application_ref
		WHERE a.resident_id = $1`, residentID)
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

// queryKeys returns the keys a free-text query is looked up by: its
// kanji form and its kana form, without duplicates or empty keys.
func queryKeys(q string) []string {
	var out []string
	k := keysOf(q, q)
	for _, key := range []string{k.name, k.kana} {
		if key != "" && !slices.Contains(out, key) {
			out = append(out, key)
		}
	}
	return out
}

// fragmentRange returns the bounds of the fragments that start with key
// (see prefixRange), and whether the fragments hold all of key.
func fragmentRange(key string) (lo, hi string, exact bool) {
	runes := []rune(key)
	exact = len(runes) <= fragmentRunes
	lo, hi = prefixRange(string(runes[:min(len(runes), fragmentRunes)]))
	return lo, hi, exact
}

// prefixRange returns the bounds of the values that start with a non-empty
// prefix: value >= lo AND value < hi. Both engines compare these columns
// byte by byte (PostgreSQL columns use COLLATE "C") and UTF-8 byte order is
// code point order, so hi is the prefix with its last character
// incremented; the B-tree answers with a range scan.
func prefixRange(prefix string) (lo, hi string) {
	last, size := utf8.DecodeLastRuneInString(prefix)
	return prefix, prefix[:len(prefix)-size] + string(nextRune(last))
}

// nextRune returns the code point after r, skipping the surrogate block
// that UTF-8 cannot encode.
func nextRune(r rune) rune {
	r++
	if 0xD800 <= r && r <= 0xDFFF {
		return 0xE000
	}
	if r > utf8.MaxRune {
		return utf8.MaxRune
	}
	return r
}
