package reserve_test

import (
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func identifyReq(people ...reserve.PersonInput) reserve.IdentifyRequest {
	return reserve.IdentifyRequest{Service: "pickup", People: people}
}

// Identify answers on the first page what Book would: an unknown number and
// a wrong birth date alike, with the limits Book has.
func TestIdentifyChecksPeopleBeforeTheSlot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 3)
		ctx := t.Context()
		if err := f.svc.Identify(ctx, f.meta, identifyReq(reserve.PersonInput{NoticeNumber: "abc" + notice(1)[4:], BirthDate: birth(1)},
			reserve.PersonInput{NoticeNumber: notice(2), BirthDate: birth(2)})); err != nil {
			t.Fatalf("a family with the right dates: %v", err)
		}
		if acts := f.auditActions(t, "booking.identified"); len(acts) != 2 {
			t.Fatalf("each card found is audited: %v", acts)
		}
		wrongDate := f.svc.Identify(ctx, f.meta, identifyReq(reserve.PersonInput{NoticeNumber: notice(1), BirthDate: birth(2)}))
		unknown := f.svc.Identify(ctx, f.meta, identifyReq(reserve.PersonInput{NoticeNumber: notice(9), BirthDate: birth(9)}))
		for _, err := range []error{wrongDate, unknown} {
			wantCode(t, err, reserve.CodeNotMatched)
			if apperr.MessageOf(err) != apperr.MessageOf(wrongDate) || apperr.FieldsOf(err)[0].Message != apperr.FieldsOf(wrongDate)[0].Message {
				t.Fatalf("an unknown number and a wrong date must look the same: %v / %v", err, wrongDate)
			}
		}
		second := f.svc.Identify(ctx, f.meta, identifyReq(reserve.PersonInput{NoticeNumber: notice(1), BirthDate: birth(1)},
			reserve.PersonInput{NoticeNumber: notice(3), BirthDate: birth(1)}))
		if fs := apperr.FieldsOf(second); apperr.CodeOf(second) != reserve.CodeNotMatched || len(fs) != 1 || fs[0].Field != "people[1]" {
			t.Fatalf("the second person is named: %v %+v", second, fs)
		}
		f.mustBook(t, pickup(t, "2026-12-01 09:00", 3))
		wantCode(t, f.svc.Identify(ctx, f.meta, identifyReq(reserve.PersonInput{NoticeNumber: notice(3), BirthDate: birth(3)})), reserve.CodeAlreadyBooked)
		wantCode(t, f.svc.Identify(ctx, f.meta, identifyReq(reserve.PersonInput{NoticeNumber: notice(1)})), apperr.Invalid)
		wantCode(t, f.svc.Identify(ctx, f.meta, reserve.IdentifyRequest{Service: "nope", People: []reserve.PersonInput{{NoticeNumber: notice(1), BirthDate: birth(1)}}}), apperr.NotFound)
	})
}

// A number's attempts on the first page count with Book's: past them a
// proof of work is asked for, and with one the right answer passes.
func TestIdentifyCountsAgainstTheNoticeLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 1)
		ctx := t.Context()
		guess := reserve.PersonInput{NoticeNumber: notice(1), BirthDate: "1960-01-01"}
		for range 10 {
			wantCode(t, f.svc.Identify(ctx, f.meta, identifyReq(guess)), reserve.CodeNotMatched)
		}
		right := identifyReq(reserve.PersonInput{NoticeNumber: notice(1), BirthDate: birth(1)})
		le, ok := isLimit(f.svc.Identify(ctx, f.meta, right))
		if !ok || !le.Provable {
			t.Fatalf("11th attempt: want a limit a proof lifts, got %v", le)
		}
		right.Proved = true
		if err := f.svc.Identify(ctx, f.meta, right); err != nil {
			t.Fatalf("with a proof: %v", err)
		}
		if _, _, err := f.svc.Book(ctx, f.meta, pickup(t, "2026-12-01 09:00", 1)); err == nil {
			t.Fatal("Book shares the number's attempts: want a limit without a proof")
		}
	})
}
