package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/moji"
)

// sealedTable names the sealed columns of one table, for Reseal.
type sealedTable struct {
	table, id string
	cols      []string
	bytes     []string // BLOB / bytea columns
}

// sealedTables lists every column that holds sealed personal data.
var sealedTables = []sealedTable{
	{table: "residents", id: "id", cols: []string{"name", "name_kana", "name_key", "kana_key", "postal_code", "address"}},
	{table: "cards", id: "id", bytes: []string{"raw_row"}},
	{table: "bookings", id: "id", cols: []string{"email", "phone"}},
	{table: "booking_people", id: "id", cols: []string{"name", "name_kana", "birth_date"}},
	{table: "mail_outbox", id: "id", cols: []string{"to_addr", "body", "ics"}},
	{table: "register_residents", id: "resident_number", cols: []string{"name", "name_kana", "address"}},
	{table: "card_postings", id: "id", cols: []string{"postal_code", "address"}},
	{table: "card_events", id: "id", cols: []string{"old_value", "new_value"}},
	{table: "import_uploads", id: "id", bytes: []string{"content"}},
	{table: "surface_updates", id: "id", cols: []string{"old_value", "new_value", "old_detail", "new_detail"}},
	{table: "users", id: "id", cols: []string{"totp_secret"}},
}

// ResealBatch is how many rows one transaction of Reseal reads.
const ResealBatch = 500

// Reseal re-encrypts every sealed field that is not under the current key
// (older keys and plaintext written before encryption alike) and rebuilds
// the keyed hashes that depend on the key: the search rows of the
// residents' cards and the keys of people booked without a card. It works
// in batches, one transaction each, so the server keeps running; a run
// that stops half-way leaves every row under one key or the other, and the
// next run finishes the rest. It returns the rows changed per table.
func (db *DB) Reseal(ctx context.Context, progress func(table string, changed int)) (map[string]int, error) {
	if db.keys == nil {
		return nil, fieldcrypt.ErrNoKey
	}
	out := map[string]int{}
	for _, st := range sealedTables {
		after := ""
		for {
			var n int
			var last string
			err := db.Update(ctx, func(t *Tx) (err error) {
				n, last, err = t.resealBatch(ctx, st, after)
				return err
			})
			if err != nil {
				return out, err
			}
			out[st.table] += n
			if progress != nil && n > 0 {
				progress(st.table, out[st.table])
			}
			if last == "" {
				break
			}
			after = last
		}
	}
	return out, nil
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
	rows, err := t.query(ctx, `SELECT CAST(`+st.id+` AS TEXT), `+strings.Join(cols, ", ")+` FROM `+st.table+cond+
		` ORDER BY `+st.id+` LIMIT `+itoa(ResealBatch), args...)
	if err != nil {
		return 0, "", translate(err)
	}
	type row struct {
		id   string
		vals []sql.NullString
	}
	var batch []row
	for rows.Next() {
		r := row{vals: make([]sql.NullString, len(cols))}
		raw := make([][]byte, len(st.bytes))
		dest := []any{&r.id}
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
		if err := t.resealRow(ctx, st, r.id, cols, r.vals); err != nil {
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

// stale reports whether a value of the row is not under the current key.
func (t *Tx) stale(vals []sql.NullString) bool {
	cur := t.keys.Current().ID()
	for _, v := range vals {
		if v.Valid && v.String != "" && fieldcrypt.KeyOf(v.String) != cur {
			return true
		}
	}
	return false
}

// resealRow opens and seals again every column of one row, and renews the
// keyed hashes that depend on the row.
func (t *Tx) resealRow(ctx context.Context, st sealedTable, id string, cols []string, vals []sql.NullString) error {
	plain := make([]string, len(cols))
	sets := make([]string, len(cols))
	args := []any{t.idArg(st, id)}
	for i, c := range cols {
		if !vals[i].Valid {
			sets[i] = c + " = " + c
			continue
		}
		p, err := t.open(vals[i].String, st.table+"."+c)
		if err != nil {
			return err
		}
		plain[i] = p
		sealed, err := t.seal(p, st.table+"."+c)
		if err != nil {
			return err
		}
		var arg any = sealed
		if i >= len(st.cols) {
			arg = []byte(sealed)
		}
		args = append(args, arg)
		sets[i] = c + " = $" + itoa(len(args))
	}
	if _, err := t.exec(ctx, `UPDATE `+st.table+` SET `+strings.Join(sets, ", ")+` WHERE `+st.id+` = $1`, args...); err != nil {
		return translate(err)
	}
	switch st.table {
	case "residents":
		id64, _ := strconv.ParseInt(id, 10, 64)
		keys := searchKeys{name: plain[2], kana: plain[3]}
		return t.rekeyResidentCards(ctx, id64, keys, keys)
	case "booking_people":
		return t.rekeyPerson(ctx, id, plain[1], plain[2])
	}
	return nil
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
			"enc1:"+db.keys.Current().ID()+":%").Scan(&n)
	})
	return n > 0, translate(err)
}
