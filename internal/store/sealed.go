package store

import (
	"strconv"

	"github.com/kofu-oss/kofu/internal/fieldcrypt"
)

// seal encrypts a personal field for table.column (see fieldcrypt). Without
// keys nothing personal may be written: the caller gets ErrNoKey.
func (t *Tx) seal(v, column string) (string, error) {
	if v == "" {
		return "", nil
	}
	if t.keys == nil {
		return "", fieldcrypt.ErrNoKey
	}
	return t.keys.Seal(v, column), nil
}

// open decrypts a field written by seal; plaintext from before encryption
// passes through.
func (t *Tx) open(v, column string) (string, error) {
	if fieldcrypt.KeyOf(v) == "" {
		return v, nil
	}
	if t.keys == nil {
		return "", fieldcrypt.ErrNoKey
	}
	return t.keys.Open(v, column)
}

// sealer seals several fields and keeps the first error, so a row's
// fields read as one list.
type sealer struct {
	t   *Tx
	err error
}

func (s *sealer) seal(v, column string) string {
	if s.err != nil {
		return ""
	}
	out, err := s.t.seal(v, column)
	s.err = err
	return out
}

// open decrypts *v in place for table.column.
func (s *sealer) open(v *string, column string) {
	if s.err != nil {
		return
	}
	*v, s.err = s.t.open(*v, column)
}

func errNoKeys() error { return fieldcrypt.ErrNoKey }

// sealBytes seals a byte field (nil stays nil).
func (t *Tx) sealBytes(b []byte, column string) ([]byte, error) {
	if b == nil {
		return nil, nil
	}
	s, err := t.seal(string(b), column)
	return []byte(s), err
}

// openBytes opens a byte field written by sealBytes.
func (t *Tx) openBytes(b []byte, column string) ([]byte, error) {
	if b == nil {
		return nil, nil
	}
	s, err := t.open(string(b), column)
	return []byte(s), err
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
func (t *Tx) Seal(v, purpose string) (string, error) { return t.seal(v, purpose) }

// Open decrypts a value written by Seal.
func (t *Tx) Open(v, purpose string) (string, error) { return t.open(v, purpose) }
