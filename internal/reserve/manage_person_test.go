package reserve_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestManageByNoticeNumberAndBirthDate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 4)
		b, mailed := f.mustBook(t, pickup(t, "2026-12-01 09:00", 1, 2)) // a family of two
		other, _ := f.mustBook(t, pickup(t, "2026-12-01 10:00", 4))
		ctx := t.Context()
		// Any person of the booking may ask, in any notation of the number.
		token, err := f.svc.ManageToken(ctx, f.meta, b.Code, "abc"+notice(2)[4:], birth(2), false)
		if err != nil || token == "" {
			t.Fatalf("the second person: %q %v", token, err)
		}
		if got, err := f.svc.Get(ctx, f.meta, b.Code, token); err != nil || got.Code != b.Code {
			t.Fatalf("the access opens the booking: %v", err)
		}
		if _, err := f.svc.Get(ctx, f.meta, b.Code, mailed); err != nil {
			t.Fatalf("the mailed link keeps working: %v", err)
		}
		if _, err := f.svc.Get(ctx, f.meta, other.Code, token); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("the access opens no other booking: %v", err)
		}
		if _, err := f.svc.Get(ctx, f.meta, b.Code, token[:len(token)-2]+"AA"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a forged access: %v", err)
		}
		_, wrongBirth := f.svc.ManageToken(ctx, f.meta, b.Code, notice(1), birth(3), false)
		_, otherCard := f.svc.ManageToken(ctx, f.meta, b.Code, notice(3), birth(3), false)
		_, wrongCode := f.svc.ManageToken(ctx, f.meta, "ZZZZ-ZZZZ", notice(1), birth(1), false)
		for _, err := range []error{wrongBirth, otherCard, wrongCode} {
			if !apperr.Is(err, apperr.NotFound) || apperr.MessageOf(err) != apperr.MessageOf(wrongBirth) {
				t.Fatalf("every wrong answer must look the same: %v", err)
			}
		}
		if acts := f.auditActions(t, "booking.opened_by_person"); len(acts) != 1 {
			t.Fatalf("the opening is audited once: %v", acts)
		}
		f.clock.Advance(reserve.PersonAccessTTL + time.Second)
		if _, err := f.svc.Get(ctx, f.meta, b.Code, token); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("the access expires: %v", err)
		}
		if _, err := f.svc.Get(ctx, f.meta, b.Code, mailed); err != nil {
			t.Fatalf("the mailed link still works: %v", err)
		}
	})
}

// Past a notice number's attempts, even the right birth date is refused
// until the request carries a proof of work: the refusal says a proof
// lets it through, and with one the resident gets in while every further
// guess still counts (issue #14: a guesser used to lock the resident out).
func TestNoticeLimitAsksForAProofInsteadOfLockingOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 2)
		b, _ := f.mustBook(t, pickup(t, "2026-12-01 09:00", 1))
		ctx := t.Context()
		for i := range 9 { // the booking counted the tenth attempt
			m := auth.Meta{IP: fmt.Sprintf("203.0.113.%d", i)} // a new IP each time does not help
			_, err := f.svc.ManageToken(ctx, m, b.Code, notice(1), "1960-01-01", false)
			wantCode(t, err, apperr.NotFound)
		}
		_, err := f.svc.ManageToken(ctx, f.meta, b.Code, notice(1), birth(1), false)
		le, ok := isLimit(err)
		if !ok || !le.Provable {
			t.Fatalf("11th attempt without a proof: want a limit a proof lifts, got %v", err)
		}
		if _, err := f.svc.ManageToken(ctx, f.meta, b.Code, notice(1), "1960-02-02", true); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a wrong birth date with a proof is still wrong: %v", err)
		}
		token, err := f.svc.ManageToken(ctx, f.meta, b.Code, notice(1), birth(1), true)
		if err != nil {
			t.Fatalf("the resident with a proof: %v", err)
		}
		if _, err := f.svc.Get(ctx, f.meta, b.Code, token); err != nil {
			t.Fatal(err)
		}
		// A booking naming the notice number is treated alike.
		req := pickup(t, "2026-12-02 09:00", 2)
		req.People[0].NoticeNumber = notice(1)
		_, _, err = f.svc.Book(ctx, f.meta, req)
		if le, ok := isLimit(err); !ok || !le.Provable {
			t.Fatalf("a booking naming it without a proof: %v", err)
		}
		req.Proved = true
		_, _, err = f.svc.Book(ctx, f.meta, req)
		wantCode(t, err, reserve.CodeNotMatched) // past the limit; card 1 has another birth date
	})
}

// The per-IP limit is not lifted by a proof: a proof costs a fraction of
// a second, and the per-IP limit is what bounds one address.
func TestProofDoesNotLiftThePerIPLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, func(st *booking.Settings) { st.PublicRateLimitPerMinute = 2 })
		f.clock.Advance(15 * time.Second)
		for range 2 {
			_, err := f.svc.ManageToken(t.Context(), f.meta, "ABCD-EFGH", notice(1), birth(1), true)
			wantCode(t, err, apperr.NotFound)
		}
		_, err := f.svc.ManageToken(t.Context(), f.meta, "ABCD-EFGH", notice(1), birth(1), true)
		if le, ok := isLimit(err); !ok || le.Provable {
			t.Fatalf("over the per-IP limit with a proof: want a plain limit, got %v", err)
		}
	})
}
