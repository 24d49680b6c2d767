package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/moji"
)

// searchKeys are the normalised forms of a resident's name that searches
// compare: moji.NameKey of the name (spaces and variation selectors
// dropped) and moji.KanaKey of the reading (half-width, hiragana, small
// kana and long vowel marks folded). They are stored sealed in
// residents.name_key and kana_key; card_search holds keyed hashes of their
// pieces (see grams).
type searchKeys struct{ name, kana string }

func keysOf(name, kana string) searchKeys {
	return searchKeys{name: moji.NameKey(name), kana: moji.KanaKey(kana)}
}

// grams returns the pieces of the keys a search can look up: the 2- and
// 3-character pieces of the name and of the reading. Single characters
// are left out: each would be a token shared by a large part of the city
// (a common surname's first kanji), the easiest to match against public
// name rankings, and single kana select nothing anyway. A 1-character
// query is answered from the other conditions of a search (see
// shortQuery).
func (k searchKeys) grams() []string {
	out := ngrams(k.name, 2, 3)
	out = append(out, ngrams(k.kana, 2, 3)...)
	slices.Sort(out)
	return slices.Compact(out)
}

// ngrams returns every piece of s from lo to hi characters long.
func ngrams(s string, lo, hi int) []string {
	runes := []rune(s)
	var out []string
	for n := lo; n <= hi; n++ {
		for i := 0; i+n <= len(runes); i++ {
			out = append(out, string(runes[i:i+n]))
		}
	}
	return out
}

// queryGrams returns the pieces a query key is looked up by: the key itself
// up to 2 characters, else its 3-character pieces, all of which a match
// must have.
func queryGrams(key string) []string {
	if utf8.RuneCountInString(key) <= 2 {
		return []string{key}
	}
	g := ngrams(key, 3, 3)
	slices.Sort(g)
	return slices.Compact(g)
}

// shortQuery reports whether every key of a name query is one character,
// which card_search does not index.
func shortQuery(q string) bool {
	keys := queryKeys(q)
	for _, k := range keys {
		if utf8.RuneCountInString(k) > 1 {
			return false
		}
	}
	return len(keys) > 0
}

// GramBits is how many bits of its keyed hash a piece's token keeps. With
// 64 bits every piece of the city had a token of its own, and a stolen
// file showed how many residents share each piece: matched against
// surname and given-name rankings, that re-identifies people. With 20
// bits, about a million tokens stand for all pieces, so pieces share
// tokens and rare ones hide among others. A search then finds some cards
// by chance, and drops them when it checks the decrypted names (keep), so
// results stay exact.
const GramBits = 20

// gramToken is the token of a piece under a key.
func gramToken(k *fieldcrypt.Key, gram string) int64 {
	return int64(uint64(k.Token("gram\x00"+gram)) >> (64 - GramBits))
}

// tokensUnder returns the sorted, distinct tokens of pieces under a key.
func tokensUnder(k *fieldcrypt.Key, grams []string) []int64 {
	out := make([]int64, len(grams))
	for i, g := range grams {
		out[i] = gramToken(k, g)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// tokens returns the current key's tokens of a card's pieces.
func (t *Tx) tokens(k searchKeys) ([]int64, error) {
	if t.keys == nil {
		return nil, errNoKeys()
	}
	return tokensUnder(t.keys.Current(), k.grams()), nil
}

// indexCard adds the search rows of a new card from its resident's keys.
// The keys are sealed again under the current key, which made the tokens:
// card_names tells by its key ID which key a card's search rows are under
// (see reindexBatch), so it must not copy a value sealed under another.
func (t *Tx) indexCard(ctx context.Context, cardID, applicationRef int64) error {
	var sealedName, sealedKana string
	var residentID int64
	err := t.queryRow(ctx, `SELECT r.id, r.name_key, r.kana_key FROM applications a
		JOIN residents r ON r.id = a.resident_id WHERE a.id = $1`, applicationRef).Scan(&residentID, &sealedName, &sealedKana)
	if err != nil {
		return translate(err)
	}
	k, err := t.openKeys("residents", residentID, sealedName, sealedKana)
	if err != nil {
		return err
	}
	toks, err := t.tokens(k)
	if err != nil {
		return err
	}
	sealedName, sealedKana, err = t.sealCardNames(cardID, k)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `INSERT INTO card_names (card_id, name_key, kana_key) VALUES ($1, $2, $3)`,
		cardID, sealedName, sealedKana); err != nil {
		return translate(err)
	}
	if t.deferRows(cardID, toks) {
		if len(*t.deferred) >= deferLimit {
			return t.FlushSearchIndex(ctx)
		}
		return nil
	}
	return t.insertSearchRows(ctx, cardID, toks)
}

// reindexCard replaces a card's search rows (under any key) and its
// card_names row with the current key's.
func (t *Tx) reindexCard(ctx context.Context, cardID int64, keys searchKeys) error {
	if err := t.FlushSearchIndex(ctx); err != nil {
		return err
	}
	return t.rekeyCards(ctx, []int64{cardID}, keys, keys)
}

// openKeys decrypts the stored search keys of a row of residents (by
// resident ID) or card_names (by card ID).
func (t *Tx) openKeys(table string, id int64, name, kana string) (searchKeys, error) {
	s := t.rowSealer(id)
	s.open(&name, table+".name_key")
	s.open(&kana, table+".kana_key")
	return searchKeys{name: name, kana: kana}, s.err
}

// openCardNames decrypts a card_names row, also as written before 0016,
// when it held copies of the resident's values (sealed for
// residents.name_key and kana_key).
func (t *Tx) openCardNames(cardID int64, name, kana string) (searchKeys, error) {
	var err1, err2 error
	name, err1 = t.openLegacy(name, "residents.name_key", "card_names.name_key", rowKey(cardID))
	kana, err2 = t.openLegacy(kana, "residents.kana_key", "card_names.kana_key", rowKey(cardID))
	return searchKeys{name: name, kana: kana}, errors.Join(err1, err2)
}

// sealCardNames seals a card's copy of its resident's search keys for the
// card's card_names row.
func (t *Tx) sealCardNames(cardID int64, k searchKeys) (name, kana string, err error) {
	s := t.rowSealer(cardID)
	name, kana = s.seal(k.name, "card_names.name_key"), s.seal(k.kana, "card_names.kana_key")
	return name, kana, s.err
}

// insertSearchRows stores a card's search rows in one statement.
func (t *Tx) insertSearchRows(ctx context.Context, cardID int64, toks []int64) error {
	if len(toks) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO card_search (token, card_id) VALUES `)
	args := make([]any, 0, len(toks)+1)
	args = append(args, cardID)
	for i, tok := range toks {
		if i > 0 {
			b.WriteString(", ")
		}
		args = append(args, tok)
		b.WriteString("($" + itoa(len(args)) + ", $1)")
	}
	_, err := t.exec(ctx, b.String(), args...)
	return translate(err)
}

// deleteSearchRows removes a card's search rows for keys k under every key
// of the keyring, by their full primary key, so no index on card_id is
// needed.
func (t *Tx) deleteSearchRows(ctx context.Context, cardID int64, k searchKeys) error {
	if t.keys == nil {
		return errNoKeys()
	}
	var c conds
	var marks []string
	grams := k.grams()
	for _, key := range t.keys.Keys() {
		for _, tok := range tokensUnder(key, grams) {
			marks = append(marks, c.bind("?", tok))
		}
	}
	if len(marks) == 0 {
		return nil
	}
	args := append(c.args, cardID)
	_, err := t.exec(ctx, `DELETE FROM card_search WHERE card_id = $`+itoa(len(args))+
		` AND token IN (`+strings.Join(marks, ", ")+`)`, args...)
	return translate(err)
}

// rekeyResidentCards replaces the search rows of every card of a resident
// whose name or reading changed.
func (t *Tx) rekeyResidentCards(ctx context.Context, residentID int64, old, keys searchKeys) error {
	// Rows held back by a bulk import may belong to these cards: written
	// first, they are replaced below instead of coming back stale (and
	// clashing with the new rows) when the import flushes them.
	if err := t.FlushSearchIndex(ctx); err != nil {
		return err
	}
	ids, err := t.residentCardIDs(ctx, residentID)
	if err != nil {
		return err
	}
	return t.rekeyCards(ctx, ids, old, keys)
}

// rekeyCards replaces the search rows (of old, under every key) and the
// card_names rows of cards with the current key's rows of keys.
func (t *Tx) rekeyCards(ctx context.Context, ids []int64, old, keys searchKeys) error {
	toks, err := t.tokens(keys)
	if err != nil {
		return err
	}
	for _, id := range ids {
		sealedName, sealedKana, err := t.sealCardNames(id, keys)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `INSERT INTO card_names (card_id, name_key, kana_key) VALUES ($1, $2, $3)
			ON CONFLICT (card_id) DO UPDATE SET name_key = excluded.name_key, kana_key = excluded.kana_key`,
			id, sealedName, sealedKana); err != nil {
			return translate(err)
		}
		if err := t.deleteSearchRows(ctx, id, old); err != nil {
			return err
		}
		if err := t.insertSearchRows(ctx, id, toks); err != nil {
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

// matches reports whether the name or the reading contains one of keys.
func (k searchKeys) matches(keys []string) bool {
	for _, q := range keys {
		if strings.Contains(k.name, q) || strings.Contains(k.kana, q) {
			return true
		}
	}
	return false
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
