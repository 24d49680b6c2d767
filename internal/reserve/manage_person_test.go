package reserve_test

import (
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestManageByNoticeNumberAndBirthDate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 3)
		b, oldToken := f.mustBook(t, pickup(t, "2026-12-01 09:00", 1, 2)) // a family of two
		ctx := t.Context()
		// Any person of the booking may ask, in any notation of the number.
		token, err := f.svc.ManageToken(ctx, f.meta, b.Code, "abc"+notice(2)[4:], birth(2))
		if err != nil || token == "" {
			t.Fatalf("the second person: %q %v", token, err)
		}
		if got, err := f.svc.Get(ctx, f.meta, b.Code, token); err != nil || got.Code != b.Code {
			t.Fatalf("the new token opens the booking: %v", err)
		}
		if _, err := f.svc.Get(ctx, f.meta, b.Code, oldToken); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("the old link stops working: %v", err)
		}
		_, wrongBirth := f.svc.ManageToken(ctx, f.meta, b.Code, notice(1), birth(3))
		_, otherCard := f.svc.ManageToken(ctx, f.meta, b.Code, notice(3), birth(3))
		_, wrongCode := f.svc.ManageToken(ctx, f.meta, "ZZZZ-ZZZZ", notice(1), birth(1))
		for _, err := range []error{wrongBirth, otherCard, wrongCode} {
			if !apperr.Is(err, apperr.NotFound) || apperr.MessageOf(err) != apperr.MessageOf(wrongBirth) {
				t.Fatalf("every wrong answer must look the same: %v", err)
			}
		}
		if acts := f.auditActions(t, "booking.token_reissued"); len(acts) != 1 {
			t.Fatalf("the reissue is audited once: %v", acts)
		}
	})
}
