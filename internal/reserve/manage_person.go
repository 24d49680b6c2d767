package reserve

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/store"
)

// PersonAccessTTL is how long the access that ManageToken grants lasts.
const PersonAccessTTL = 30 * time.Minute

// ManageToken lets a resident who has the booking code but not the link
// prove the booking is theirs with the notice number and birth date of one
// of its people. It answers an access token for the usual Get / Change /
// Cancel that lasts PersonAccessTTL; the manage token of the mailed link
// stays valid (issue #14: a new token used to replace it). An unknown code,
// a notice number not in the booking and a wrong birth date answer the
// same not_found, and every try counts against the per-notice limit.
// proved says the request carried a spent proof of work: past the
// per-notice limit, the refusal asks for one (LimitError.Provable), so
// that a guesser cannot lock the resident out.
func (s *Service) ManageToken(ctx context.Context, m auth.Meta, code, notice, birth string, proved bool) (string, error) {
	n, nerr := ledger.NormalizeNoticeNumber(notice)
	d, derr := ledger.ParseDate(birth)
	if err := s.limit(ctx, m, []string{n}, proved); err != nil {
		return "", err
	}
	c, ok := NormalizeCode(code)
	if nerr != nil || derr != nil || !ok {
		return "", errBookingNotFound()
	}
	var token string
	err := s.update(ctx, func(tx *store.Tx, now time.Time) error {
		b, err := tx.BookingByCode(ctx, c)
		if err != nil || isHold(b) || !holdsPerson(b, n, d) {
			return errBookingNotFound()
		}
		token = s.access.grant(b, now.Add(PersonAccessTTL))
		return publicActor(m).audit(ctx, tx, now, "booking.opened_by_person", bookingTarget(b.ID), nil)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// holdsPerson reports whether an active person of b has the notice number
// and birth date, comparing in constant time.
func holdsPerson(b store.Booking, notice, birth string) bool {
	found := 0
	for _, p := range active(b.People) {
		pb := p.BirthDate
		if p.Card != nil {
			pb = p.Card.BirthDate
		}
		same := subtle.ConstantTimeCompare([]byte(p.NoticeNumber), []byte(notice)) &
			subtle.ConstantTimeCompare([]byte(pb), []byte(birth))
		found |= same
	}
	return found == 1
}

// personAccess signs the access tokens of ManageToken. Nothing is stored:
// a token is its expiry and a MAC over the booking's code, its manage
// token's hash and the expiry, so it opens that booking until it expires
// or the booking's own token changes. Every instance must use the same
// key (SetAccessKey); New draws one for a lone process.
type personAccess struct{ key []byte }

// accessPrefix marks an access token; a manage token (base64url of 32
// bytes) never contains a dot.
const accessPrefix = "p."

func newPersonAccess() *personAccess {
	key := make([]byte, 32)
	rand.Read(key)
	return &personAccess{key: key}
}

// SetAccessKey sets the key that signs the access tokens ManageToken
// answers; every instance must use the same one.
func (s *Service) SetAccessKey(key []byte) { s.access = &personAccess{key: key} }

func (a *personAccess) grant(b store.Booking, until time.Time) string {
	exp := binary.BigEndian.AppendUint64(nil, uint64(until.Unix()))
	return accessPrefix + base64.RawURLEncoding.EncodeToString(exp) + "." + base64.RawURLEncoding.EncodeToString(a.mac(b, exp))
}

func (a *personAccess) mac(b store.Booking, exp []byte) []byte {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte("kofu booking access v1\x00" + b.Code + "\x00" + b.TokenHash + "\x00"))
	m.Write(exp)
	return m.Sum(nil)
}

// opens reports whether token is an access token for b valid at now.
func (a *personAccess) opens(token string, b store.Booking, now time.Time) bool {
	body, ok := strings.CutPrefix(token, accessPrefix)
	expText, sigText, ok2 := strings.Cut(body, ".")
	exp, err1 := base64.RawURLEncoding.DecodeString(expText)
	sig, err2 := base64.RawURLEncoding.DecodeString(sigText)
	if !ok || !ok2 || err1 != nil || err2 != nil || len(exp) != 8 {
		return false
	}
	if now.Unix() > int64(binary.BigEndian.Uint64(exp)) {
		return false
	}
	return hmac.Equal(sig, a.mac(b, exp))
}
