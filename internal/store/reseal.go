package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/moji"
)

// sealedTable names the sealed columns of one table, for Reseal, and what
// their values are bound to (see seal): row is the SQL of the row key,
// the table's ID or the row it belongs to (events, postings and surface
// updates are bound to their card, scans to their session; bookings to
// their code, register people to the keyed hash of their 宛名番号, the
// keys by which those rows are known).
type sealedTable struct {
	table, id string
	row       string
	cols      []string
	bytes     []string    // BLOB / bytea columns
	hashes    []blindHash // keyed hashes of sealed columns, renewed with them
	// since is the migration that made the table when it came after 0016,
	// which seals every table made before it (sealAll); such a table never
	// held plaintext.
	since int
}

// blindHash is a column holding the keyed hash of a sealed column; bind
// marks the hash the row's values are bound to (it changes with the key).
type blindHash struct {
	col, of, kind string
	bind          bool
}

// sealedTables lists every column that holds sealed personal data.
var sealedTables = []sealedTable{
	{table: "residents", id: "id", row: "id", cols: []string{"name", "name_kana", "name_key", "kana_key", "postal_code",
		"address", "resident_number", "birth_date", "sex", "remarks"},
		hashes: []blindHash{{col: "number_hash", of: "resident_number", kind: blindResident}, {col: "birth_hash", of: "birth_date", kind: blindBirth}}},
	{table: "cards", id: "id", row: "id", cols: []string{"notice_number"}, bytes: []string{"raw_row"},
		hashes: []blindHash{{col: "notice_hash", of: "notice_number", kind: blindNotice}}},
	{table: "bookings", id: "id", row: "code", cols: []string{"email", "phone"}},
	{table: "booking_people", id: "id", row: "id", cols: []string{"name", "name_kana", "birth_date", "notice_number", "note"}},
	{table: "mail_outbox", id: "id", row: "id", cols: []string{"to_addr", "body", "ics"}},
	{table: "register_residents", id: "resident_number", row: "COALESCE(number_hash, 0)", cols: []string{"name", "name_kana",
		"address", "resident_number", "birth_date", "sex"},
		hashes: []blindHash{{col: "number_hash", of: "resident_number", kind: blindResident, bind: true},
			{col: "birth_hash", of: "birth_date", kind: blindBirth}}},
	{table: "cancellation_proposals", id: "id", row: "card_id", cols: []string{"resident_number"}},
	{table: "card_postings", id: "id", row: "card_id", cols: []string{"postal_code", "address", "note"}},
	{table: "disposal_holds", id: "card_id", row: "card_id", cols: []string{"reason"}},
	{table: "disposals", id: "card_id", row: "card_id", cols: []string{"proposal_note", "note"}},
	{table: "app_visits", id: "application_id", row: "application_id", cols: []string{"note"}},
	{table: "card_mailings", id: "id", row: "id", cols: []string{"note"}},
	{table: "reissues", id: "id", row: "resident_id", cols: []string{"reason_detail", "free_detail", "void_reason"}},
	{table: "card_events", id: "id", row: "card_id", cols: []string{"old_value", "new_value"}},
	{table: "import_uploads", id: "id", row: "id", bytes: []string{"content"}},
	{table: "imports", id: "id", row: "id", cols: []string{"report"}},
	{table: "stocktake_scans", id: "id", row: "stocktake_id", cols: []string{"notice_number"},
		hashes: []blindHash{{col: "notice_hash", of: "notice_number", kind: blindNotice}}},
	{table: "surface_updates", id: "id", row: "card_id", cols: []string{"old_value", "new_value", "old_detail", "new_detail", "note"}},
	{table: "users", id: "id", row: "id", cols: []string{"totp_secret"}},
	{table: "documents", id: "id", row: "id", cols: []string{"file_name", "note", "delete_reason"}, since: 50},
	{table: "receptions", id: "person_id", row: "person_id", cols: []string{"ticks"}, since: 80},
}

// sealedTablesOf16 is sealedTables as migration 16 knew them, for its
// sealing of an older database: the remarks were the cards' until 70
// moved them to the residents.
func sealedTablesOf16() []sealedTable {
	out := make([]sealedTable, len(sealedTables))
	for i, st := range sealedTables {
		switch st.table {
		case "residents":
			st.cols = slices.DeleteFunc(slices.Clone(st.cols), func(c string) bool { return c == "remarks" })
		case "cards":
			st.cols = append(slices.Clone(st.cols), "remarks")
		}
		out[i] = st
	}
	return out
}

// ResealBatch is how many rows one transaction of Reseal reads.
const ResealBatch = 500

// resealPasses bounds the passes Reseal makes before it gives up on rows
// that keep coming back under an older key.
const resealPasses = 3

// ErrOldKeyWriter is returned by Reseal when rows are still written under
// an older key after several passes: a server still runs with the old key
// as its current one.
var ErrOldKeyWriter = errors.New("鍵の切り替え中に、古い鍵で書き込んだ行が残っています。すべてのサーバーを新しい鍵（KOFU_DATA_KEY）で起動し直してから、もう一度 kofu keys rotate を実行してください")

// Reseal re-encrypts every sealed field that is not under the current key
// (older keys and plaintext written before encryption alike) and rebuilds
// what is keyed by the key: the keyed hashes of the identifiers, the
// search rows of the residents' cards and the keys of people booked
// without a card. It works in batches, one transaction each, so the server
// keeps running; each batch locks its rows (PostgreSQL: FOR UPDATE), so a
// staff edit made at the same moment either comes first and is resealed
// as it is, or waits and writes over the resealed row: never undone.
// Search rows are rebuilt by key ID: a card whose card_names row is not
// under the current key gets its rows again. Reseal then checks that no
// value is left under another key, and makes another pass if one is
// (written meanwhile by a process that still seals with the old key); it
// reports ErrOldKeyWriter rather than success when passes do not end it.
// A run that stops half-way leaves every row under one key or the other,
// and the next run finishes the rest. It returns the rows changed per
// table.
func (db *DB) Reseal(ctx context.Context, progress func(table string, changed int)) (map[string]int, error) {
	if db.keys == nil {
		return nil, fieldcrypt.ErrNoKey
	}
	out := map[string]int{}
	for range resealPasses {
		if err := db.resealPass(ctx, out, progress); err != nil {
			return out, err
		}
		var left int
		err := db.View(ctx, func(t *Tx) (err error) {
			left, err = t.countStale(ctx)
			return err
		})
		if err != nil || left == 0 {
			return out, err
		}
	}
	return out, ErrOldKeyWriter
}

// resealPass makes one pass over every sealed table and the search rows.
func (db *DB) resealPass(ctx context.Context, out map[string]int, progress func(string, int)) error {
	for _, st := range sealedTables {
		err := db.batches(ctx, func(t *Tx, after string) (int, string, error) { return t.resealBatch(ctx, st, after) },
			func(n int) {
				out[st.table] += n
				if progress != nil {
					progress(st.table, out[st.table])
				}
			})
		if err != nil {
			return err
		}
	}
	err := db.batches(ctx, func(t *Tx, after string) (int, string, error) { return t.reindexBatch(ctx, after) },
		func(n int) {
			out["card_search"] += n
			if progress != nil {
				progress("card_search", out["card_search"])
			}
		})
	if err != nil {
		return err
	}
	return db.resealDocuments(ctx, func(n int) {
		out["document_chunks"] += n
		if progress != nil {
			progress("document_chunks", out["document_chunks"])
		}
	})
}

// batches runs batch in one transaction each until it returns no last key.
func (db *DB) batches(ctx context.Context, batch func(t *Tx, after string) (int, string, error), changed func(int)) error {
	after := ""
	for {
		var n int
		var last string
		err := db.Update(ctx, func(t *Tx) (err error) {
			n, last, err = batch(t, after)
			return err
		})
		if err != nil {
			return err
		}
		if n > 0 {
			changed(n)
		}
		if last == "" {
			return nil
		}
		after = last
	}
}

// sealAll seals, in the transaction t, every value not under the current
// key: migration 0016 runs it so that a database at that version holds no
// plaintext. Without a key it only checks that there is nothing to seal.
func (t *Tx) sealAll(ctx context.Context) error {
	if t.keys == nil {
		n, err := t.countUnsealed(ctx)
		if err != nil || n == 0 {
			return err
		}
		return fmt.Errorf("データベースの %d 行の個人情報を暗号化します: %w", n, fieldcrypt.ErrNoKey)
	}
	for _, st := range sealedTablesOf16() {
		if st.since > 16 {
			continue
		}
		for after := ""; ; {
			_, last, err := t.resealBatch(ctx, st, after)
			if err != nil {
				return fmt.Errorf("%s: %w", st.table, err)
			}
			if last == "" {
				break
			}
			after = last
		}
	}
	return nil
}

// resealBatch reseals the rows of one batch after the key after ("" for
// the first) and returns how many changed and the batch's last key ("" at
// the end of the table).
func (t *Tx) resealBatch(ctx context.Context, st sealedTable, after string) (int, string, error) {
	cols := append(append([]string{}, st.cols...), st.bytes...)
	cond, args := "", []any{}
	if after != "" {
		cond, args = ` WHERE `+st.id+` > $1`, append(args, t.idArg(st, after))
	}
	rows, err := t.query(ctx, `SELECT CAST(`+st.id+` AS TEXT), CAST(`+st.row+` AS TEXT), `+strings.Join(cols, ", ")+
		` FROM `+st.table+cond+` ORDER BY `+st.id+` LIMIT `+itoa(ResealBatch)+t.lock(), args...)
	if err != nil {
		return 0, "", translate(err)
	}
	type row struct {
		id, key string
		vals    []sql.NullString
	}
	var batch []row
	for rows.Next() {
		r := row{vals: make([]sql.NullString, len(cols))}
		raw := make([][]byte, len(st.bytes))
		dest := []any{&r.id, &r.key}
		for i := range st.cols {
			dest = append(dest, &r.vals[i])
		}
		for i := range raw {
			dest = append(dest, &raw[i])
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return 0, "", err
		}
		for i, b := range raw { // a sealed byte column holds the sealed text's bytes
			r.vals[len(st.cols)+i] = sql.NullString{String: string(b), Valid: b != nil}
		}
		batch = append(batch, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, "", err
	}
	changed := 0
	for _, r := range batch {
		if !t.stale(r.vals) {
			continue
		}
		if err := t.resealRow(ctx, st, r.id, r.key, cols, r.vals); err != nil {
			return changed, "", err
		}
		changed++
	}
	if len(batch) < ResealBatch {
		return changed, "", nil
	}
	return changed, batch[len(batch)-1].id, nil
}

func (t *Tx) idArg(st sealedTable, id string) any {
	if st.id == "id" {
		n, _ := strconv.ParseInt(id, 10, 64)
		return n
	}
	return id
}

// stale reports whether a value of the row is not sealed for its row
// under the current key.
func (t *Tx) stale(vals []sql.NullString) bool {
	for _, v := range vals {
		if v.Valid && !t.currentRow(v.String) {
			return true
		}
	}
	return false
}

// resealRow opens and seals again every column of one row, renews its
// keyed hashes, and renews the keyed hashes that depend on the row.
func (t *Tx) resealRow(ctx context.Context, st sealedTable, id, key string, cols []string, vals []sql.NullString) error {
	plain := make(map[string]string, len(cols))
	for i, c := range cols {
		if !vals[i].Valid {
			continue
		}
		p, err := t.openLegacy(vals[i].String, st.table+"."+c, st.table+"."+c, key)
		if err != nil {
			return err
		}
		if c == "sex" {
			p = sexCode(p) // plaintext from before 0016 reads "male" or "female"
		}
		plain[c] = p
	}
	sets := make([]string, 0, len(cols)+len(st.hashes))
	args := []any{t.idArg(st, id)}
	for _, h := range st.hashes {
		v, err := t.blind(h.kind, plain[h.of])
		if err != nil {
			return err
		}
		if h.bind {
			key = rowKey(v.Int64) // the values are bound to the new hash
		}
		args = append(args, v)
		sets = append(sets, h.col+" = $"+itoa(len(args)))
	}
	for i, c := range cols {
		if !vals[i].Valid {
			continue
		}
		sealed, err := t.seal(plain[c], st.table+"."+c, key)
		if err != nil {
			return err
		}
		var arg any = sealed
		if i >= len(st.cols) {
			arg = []byte(sealed)
		}
		args = append(args, arg)
		sets = append(sets, c+" = $"+itoa(len(args)))
	}
	if len(sets) == 0 {
		return nil
	}
	if _, err := t.exec(ctx, `UPDATE `+st.table+` SET `+strings.Join(sets, ", ")+` WHERE `+st.id+` = $1`, args...); err != nil {
		return translate(err)
	}
	switch st.table {
	case "residents":
		id64, _ := strconv.ParseInt(id, 10, 64)
		keys := searchKeys{name: plain["name_key"], kana: plain["kana_key"]}
		return t.rekeyResidentCards(ctx, id64, keys, keys)
	case "booking_people":
		return t.rekeyPerson(ctx, id, plain["name_kana"], plain["birth_date"])
	}
	return nil
}

// reindexBatch rebuilds the search rows of the cards, among one batch of
// card_names after the card ID after, whose names are not under the
// current key: rows made by a process that sealed with another key. It
// returns how many it rebuilt and the batch's last card ID.
func (t *Tx) reindexBatch(ctx context.Context, after string) (int, string, error) {
	from, _ := strconv.ParseInt(after, 10, 64)
	rows, err := t.query(ctx, `SELECT card_id, name_key, kana_key FROM card_names WHERE card_id > $1
		ORDER BY card_id LIMIT `+itoa(ResealBatch)+t.lock(), from)
	if err != nil {
		return 0, "", translate(err)
	}
	type row struct {
		id         int64
		name, kana string
	}
	var batch []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.name, &r.kana); err != nil {
			rows.Close()
			return 0, "", err
		}
		batch = append(batch, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, "", err
	}
	changed := 0
	for _, r := range batch {
		if !t.stale([]sql.NullString{{String: r.name, Valid: true}, {String: r.kana, Valid: true}}) {
			continue
		}
		keys, err := t.openCardNames(r.id, r.name, r.kana)
		if err != nil {
			return changed, "", err
		}
		if err := t.reindexCard(ctx, r.id, keys); err != nil {
			return changed, "", err
		}
		changed++
	}
	if len(batch) < ResealBatch {
		return changed, "", nil
	}
	return changed, itoa64(batch[len(batch)-1].id), nil
}

// countStale counts the values not sealed for their rows under the
// current key: sealed columns and card_names (whose key is the key of the
// card's search rows).
func (t *Tx) countStale(ctx context.Context) (int, error) {
	cur := fieldcrypt.RowPrefix(t.keys.Current().ID()) + "%"
	total := 0
	for _, st := range append(sealedTables, sealedTable{table: "card_names", cols: []string{"name_key", "kana_key"}}) {
		n, err := t.countWhere(ctx, st, func(c string) string { return c + ` <> '' AND ` + c + ` NOT LIKE $1` }, cur)
		if err != nil {
			return 0, err
		}
		total += n
	}
	n, err := t.countStaleDocuments(ctx)
	return total + n, err
}

// countUnsealed counts the rows holding a value that is not sealed for its
// row (plaintext, or sealed for its column only before 0016).
func (t *Tx) countUnsealed(ctx context.Context) (int, error) {
	total := 0
	for _, st := range sealedTablesOf16() {
		if st.since > 16 {
			continue
		}
		n, err := t.countWhere(ctx, st, func(c string) string { return c + ` <> '' AND ` + c + ` NOT LIKE 'enc2:%'` })
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// countWhere counts the rows of a sealed table where cond holds for any
// of its text columns.
func (t *Tx) countWhere(ctx context.Context, st sealedTable, cond func(col string) string, args ...any) (int, error) {
	if len(st.cols) == 0 {
		return 0, nil
	}
	parts := make([]string, len(st.cols))
	for i, c := range st.cols {
		parts[i] = "(" + cond(c) + ")"
	}
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM `+st.table+` WHERE `+strings.Join(parts, " OR "), args...).Scan(&n)
	return n, translate(err)
}

// rekeyPerson renews the keyed person key of someone booked without a card.
func (t *Tx) rekeyPerson(ctx context.Context, id, kana, birth string) error {
	var key string
	if err := t.queryRow(ctx, `SELECT person_key FROM booking_people WHERE id = $1`, t.idArg(sealedTable{id: "id"}, id)).Scan(&key); err != nil {
		return translate(err)
	}
	if !strings.HasPrefix(key, "person:") {
		return nil // a card holder is keyed by resident ID
	}
	next, err := t.PersonKey("person:" + moji.KanaKey(kana) + "|" + birth)
	if err != nil || next == key {
		return err
	}
	_, err = t.exec(ctx, `UPDATE booking_people SET person_key = $2 WHERE id = $1`, t.idArg(sealedTable{id: "id"}, id), next)
	return translate(err)
}

// NeedsResealing reports whether residents hold values not under the
// current key, such as the plaintext of a database from before encryption.
func (db *DB) NeedsResealing(ctx context.Context) (bool, error) {
	if db.keys == nil {
		return false, nil
	}
	var n int
	err := db.View(ctx, func(t *Tx) error {
		return t.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM residents WHERE name <> '' AND name NOT LIKE $1 LIMIT 1) x`,
			fieldcrypt.RowPrefix(db.keys.Current().ID())+"%").Scan(&n)
	})
	return n > 0, translate(err)
}
