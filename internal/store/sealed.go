package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/fieldcrypt"
)

// seal encrypts a personal field for table.column of the row whose key is
// row (its ID, or what stands for it: see sealedTables), so that the value
// opens neither in another column nor in another row. Without keys nothing
// personal may be written: the caller gets ErrNoKey.
func (t *Tx) seal(v, column, row string) (string, error) {
	if v == "" {
		return "", nil
	}
	if t.keys == nil {
		return "", fieldcrypt.ErrNoKey
	}
	return t.keys.SealRow(v, column, row), nil
}

// open decrypts a field written by seal for the same column and row.
// Every personal column is sealed by migration 0016 at the latest, so a
// value that is not sealed for its row was planted by someone writing to
// the database without the key (or moved from another row): it is
// refused, not shown as if the city had written it.
func (t *Tx) open(v, column, row string) (string, error) {
	if v == "" {
		return "", nil
	}
	if !fieldcrypt.RowSealed(v) {
		return "", fmt.Errorf("%w (%s)", ErrUnsealed, column)
	}
	if t.keys == nil {
		return "", fieldcrypt.ErrNoKey
	}
	return t.keys.OpenRow(v, column, row)
}

// ErrUnsealed is returned for a personal value stored without encryption.
var ErrUnsealed = errors.New("暗号化されていない個人情報がデータベースにあります。鍵を持たない者がデータベースを書き換えた可能性があります")

// openLegacy is open for data written before the column was sealed or
// before values were bound to their rows: Reseal and the migration that
// seals a database accept plaintext and column-bound values (under
// legacyColumn, the column they were sealed for) once.
func (t *Tx) openLegacy(v, legacyColumn, column, row string) (string, error) {
	switch {
	case fieldcrypt.KeyOf(v) == "":
		return v, nil
	case fieldcrypt.RowSealed(v):
		return t.open(v, column, row)
	case t.keys == nil:
		return "", fieldcrypt.ErrNoKey
	}
	return t.keys.Open(v, legacyColumn)
}

// currentRow reports whether v is empty or sealed for its row under the
// current key.
func (t *Tx) currentRow(v string) bool {
	return v == "" || fieldcrypt.IsRowSealed(v, t.keys.Current().ID())
}

// rowKey is the row key of a row known by its ID.
func rowKey(id int64) string { return strconv.FormatInt(id, 10) }

// Blind-index kinds: each identifier has a keyed hash of its own kind, so
// equal values of different kinds do not give equal hashes.
const (
	blindNotice   = "notice_number"
	blindResident = "resident_number"
	blindBirth    = "birth_date"
)

// blind returns the keyed hash (blind index) of an identifier under the
// current key, for exact lookups of a sealed value; NULL for "".
func (t *Tx) blind(kind, v string) (sql.NullInt64, error) {
	if v == "" {
		return sql.NullInt64{}, nil
	}
	if t.keys == nil {
		return sql.NullInt64{}, errNoKeys()
	}
	return sql.NullInt64{Int64: t.keys.Current().Token(blindInput(kind, v)), Valid: true}, nil
}

func blindInput(kind, v string) string { return "blind\x00" + kind + "\x00" + v }

// blindCond returns "col IN (...)" over the hashes of v under every key,
// with its placeholders bound in c.
func (c *conds) blindCond(keys *fieldcrypt.Keyring, col, kind, v string) (string, error) {
	if keys == nil {
		return "", errNoKeys()
	}
	toks := keys.Tokens(blindInput(kind, v))
	marks := make([]string, len(toks))
	for i, tok := range toks {
		marks[i] = c.bind("?", tok)
	}
	return col + " IN (" + strings.Join(marks, ", ") + ")", nil
}

// sealer seals or opens several fields of one row and keeps the first
// error, so a row's fields read as one list.
type sealer struct {
	t   *Tx
	row string // the row key (see seal)
	err error
}

// rowSealer returns a sealer for the row with the ID.
func (t *Tx) rowSealer(id int64) sealer { return sealer{t: t, row: rowKey(id)} }

func (s *sealer) seal(v, column string) string {
	if s.err != nil {
		return ""
	}
	out, err := s.t.seal(v, column, s.row)
	s.err = err
	return out
}

// open decrypts *v in place for table.column.
func (s *sealer) open(v *string, column string) {
	if s.err != nil {
		return
	}
	*v, s.err = s.t.open(*v, column, s.row)
}

func errNoKeys() error { return fieldcrypt.ErrNoKey }

// sealBytes seals a byte field of a row (nil stays nil).
func (t *Tx) sealBytes(b []byte, column, row string) ([]byte, error) {
	if b == nil {
		return nil, nil
	}
	s, err := t.seal(string(b), column, row)
	return []byte(s), err
}

// openBytes opens a byte field written by sealBytes.
func (t *Tx) openBytes(b []byte, column, row string) ([]byte, error) {
	if b == nil {
		return nil, nil
	}
	s, err := t.open(string(b), column, row)
	return []byte(s), err
}

// Pseudonym returns a keyed hash of value for purpose, under the current
// key, for a value kept only to be compared (a notice number's rate-limit
// bucket): a plain hash of a notice number would be reversed by trying
// every number.
func (t *Tx) Pseudonym(purpose, value string) (string, error) {
	if t.keys == nil {
		return "", errNoKeys()
	}
	return strconv.FormatUint(uint64(t.keys.Current().Token("pseudonym\x00"+purpose+"\x00"+value)), 16), nil
}

// PersonKey turns the identity of a person booked without a card (reading
// and birth date) into the keyed hash that booking_people.person_key
// stores: the one-booking-per-person index needs equal values for the same
// person, and a readable key would put the reading in the database.
func (t *Tx) PersonKey(raw string) (string, error) {
	if t.keys == nil {
		return "", errNoKeys()
	}
	return "person:#" + strconv.FormatUint(uint64(t.keys.Current().Token("person-key\x00"+raw)), 16), nil
}

// Seal encrypts a personal value a service keeps outside the store's own
// columns, such as a typed name in an audit entry; purpose binds it.
// Entries of the append-only audit log are not re-encrypted by a key
// change: they open while the key they name is kept.
func (t *Tx) Seal(v, purpose string) (string, error) {
	if v == "" {
		return "", nil
	}
	if t.keys == nil {
		return "", fieldcrypt.ErrNoKey
	}
	return t.keys.Seal(v, purpose), nil
}

// Open decrypts a value written by Seal; plaintext written before
// encryption passes through.
func (t *Tx) Open(v, purpose string) (string, error) {
	if fieldcrypt.KeyOf(v) == "" {
		return v, nil
	}
	if t.keys == nil {
		return "", fieldcrypt.ErrNoKey
	}
	return t.keys.Open(v, purpose)
}
