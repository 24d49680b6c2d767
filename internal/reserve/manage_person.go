package reserve

import (
	"context"
	"crypto/subtle"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/store"
)

// ManageToken lets a resident who has the booking code but not the link
// prove the booking is theirs with the notice number and birth date of one
// of its people, as the issue asks. It issues a fresh manage token (the old
// link stops working) for the usual Get / Change / Cancel. An unknown code,
// a notice number not in the booking and a wrong birth date answer the same
// not_found, and every try counts against the per-notice limit.
func (s *Service) ManageToken(ctx context.Context, m auth.Meta, code, notice, birth string) (string, error) {
	n, nerr := ledger.NormalizeNoticeNumber(notice)
	d, derr := ledger.ParseDate(birth)
	if err := s.limit(ctx, m, []string{n}); err != nil {
		return "", err
	}
	c, ok := NormalizeCode(code)
	if nerr != nil || derr != nil || !ok {
		return "", errBookingNotFound()
	}
	token, hash := newToken()
	err := s.update(ctx, func(tx *store.Tx, now time.Time) error {
		b, err := tx.BookingByCode(ctx, c)
		if err != nil || isHold(b) || !holdsPerson(b, n, d) {
			return errBookingNotFound()
		}
		b.TokenHash = hash
		if err := tx.UpdateBooking(ctx, &b, now); err != nil {
			return err
		}
		return publicActor(m).audit(ctx, tx, now, "booking.token_reissued", bookingTarget(b.ID), nil)
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
