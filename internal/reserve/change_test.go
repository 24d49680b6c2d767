package reserve_test

import (
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func ptr(s string) *string { return &s }

func TestCancelledSeatCanBeBookedAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, capacity(1))
		mustCards(t, db, 2)
		first, token := f.mustBook(t, pickup(t, "2026-12-01 09:00", 1))
		_, _, err := f.svc.Book(t.Context(), f.meta, pickup(t, "2026-12-01 09:00", 2))
		wantCode(t, err, reserve.CodeSlotFull)

		cancelled, err := f.svc.Cancel(t.Context(), f.meta, first.Code, token)
		if err != nil || cancelled.Status != store.BookingCancelled || cancelled.People[0].Status != store.PersonCancelled {
			t.Fatalf("cancel: %v %+v", err, cancelled.Booking)
		}
		if f.cardStatus(t, 1) != card.StatusNoticeSent {
			t.Fatal("a cancelled booking must give the card back to waiting")
		}
		f.mustBook(t, pickup(t, "2026-12-01 09:00", 2))
		f.mustBook(t, pickup(t, "2026-12-02 09:00", 1)) // the card may be booked again too
		_, err = f.svc.Cancel(t.Context(), f.meta, first.Code, token)
		wantCode(t, err, reserve.CodeBookingState)
		f.verify(t)
	})
}

func TestCardStatusFollowsTheBooking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 1)
		b, token := f.mustBook(t, pickup(t, "2026-12-01 09:00", 1))
		if f.cardStatus(t, 1) != card.StatusReserved {
			t.Fatal("booked card must be reserved")
		}
		if _, err := f.svc.Cancel(t.Context(), f.meta, b.Code, token); err != nil {
			t.Fatal(err)
		}
		var events []store.CardEvent
		err := db.View(t.Context(), func(tx *store.Tx) (err error) {
			events, err = tx.CardEvents(t.Context(), b.People[0].CardID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 || events[0].ToStatus != card.StatusReserved || events[1].ToStatus != card.StatusNoticeSent ||
			events[0].Actor != "public" || events[0].Reason != "予約 "+reserve.FormatCode(b.Code) {
			t.Fatalf("card events %+v", events)
		}
	})
}

func TestChangeMovesSeatsAndPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, capacity(2))
		mustCards(t, db, 3)
		b, token := f.mustBook(t, pickup(t, "2026-12-01 09:00", 1, 2))
		moved, err := f.svc.Change(t.Context(), f.meta, b.Code, token, reserve.ChangeRequest{
			Start:  ptr(jst(t, "2026-12-01 10:00").Format(time.RFC3339)),
			People: pickup(t, "2026-12-01 10:00", 2, 3).People,
		})
		if err != nil {
			t.Fatal(err)
		}
		if !moved.Start.Equal(jst(t, "2026-12-01 10:00")) || moved.Seats != 2 || len(moved.People) != 3 {
			t.Fatalf("changed booking %+v", moved.Booking)
		}
		if f.cardStatus(t, 1) != card.StatusNoticeSent || f.cardStatus(t, 2) != card.StatusReserved || f.cardStatus(t, 3) != card.StatusReserved {
			t.Fatal("cards must follow the new people")
		}
		if f.remaining(t, "pickup", "2026-12-01 09:00") != 2 || f.remaining(t, "pickup", "2026-12-01 10:00") != 0 {
			t.Fatal("seats must move with the booking")
		}
		// A change that does not fit changes nothing.
		mustCards(t, db, 0)
		other, _ := f.mustBook(t, pickup(t, "2026-12-01 11:00", 1))
		_, err = f.svc.Change(t.Context(), f.meta, moved.Code, token, reserve.ChangeRequest{Start: ptr(other.Start.Format(time.RFC3339))})
		wantCode(t, err, reserve.CodeSlotFull)
		if f.remaining(t, "pickup", "2026-12-01 10:00") != 0 {
			t.Fatal("a refused change must keep the old seats")
		}
		f.verify(t)
		if got := f.auditActions(t, "booking.changed"); len(got) != 1 {
			t.Fatalf("audit %v", got)
		}
	})
}

func TestCutoffRefusesOnlineButStaffMayOverride(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 1)
		b, token := f.mustBook(t, pickup(t, "2026-12-01 09:00", 1))
		f.clock.Advance(jst(t, "2026-11-29 00:00").Sub(f.clock.Now())) // the deadline was 11-28

		_, err := f.svc.Cancel(t.Context(), f.meta, b.Code, token)
		wantCode(t, err, reserve.CodeAfterCutoff)
		_, err = f.svc.Change(t.Context(), f.meta, b.Code, token, reserve.ChangeRequest{Start: ptr(jst(t, "2026-12-02 09:00").Format(time.RFC3339))})
		wantCode(t, err, reserve.CodeAfterCutoff)
		_, err = f.svc.StaffCancel(t.Context(), staff, f.meta, b.ID, reserve.Override{})
		wantCode(t, err, reserve.CodeAfterCutoff)
		_, err = f.svc.StaffCancel(t.Context(), staff, f.meta, b.ID, reserve.Override{Cutoff: true})
		wantCode(t, err, reserve.CodeValidation)

		got, err := f.svc.StaffCancel(t.Context(), staff, f.meta, b.ID, reserve.Override{Cutoff: true, Reason: "本人から電話（入院のため）"})
		if err != nil || got.Status != store.BookingCancelled {
			t.Fatalf("staff override: %v", err)
		}
		if a := f.auditActions(t, "booking.cancelled"); len(a) != 1 || a[0] != "booking.cancelled kofu-tanaka 192.0.2.10" {
			t.Fatalf("audit %v", a)
		}
	})
}

func TestHoldsCountUntilTheyExpire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, capacity(2))
		mustCards(t, db, 3)
		start := jst(t, "2026-12-01 09:00").Format(time.RFC3339)
		h, err := f.svc.Hold(t.Context(), f.meta, reserve.HoldRequest{Service: "pickup", Place: "main", Start: start, People: 2})
		if err != nil || len(h.Token) < 43 || !h.ExpiresAt.Equal(f.clock.Now().Add(10*time.Minute)) {
			t.Fatalf("hold %+v: %v", h, err)
		}
		if f.remaining(t, "pickup", "2026-12-01 09:00") != 0 {
			t.Fatal("held seats must count")
		}
		_, _, err = f.svc.Book(t.Context(), f.meta, pickup(t, "2026-12-01 09:00", 3))
		wantCode(t, err, reserve.CodeSlotFull)

		withHold := pickup(t, "2026-12-01 09:00", 1, 2)
		withHold.Hold = h.Token
		b, _ := f.mustBook(t, withHold)
		if b.Seats != 2 || b.Status != store.BookingBooked {
			t.Fatalf("booking from hold %+v", b.Booking)
		}
		again := pickup(t, "2026-12-01 09:00", 3)
		again.Hold = h.Token
		_, _, err = f.svc.Book(t.Context(), f.meta, again)
		wantCode(t, err, reserve.CodeHoldExpired) // a hold is used once
		f.verify(t)
	})
}

func TestExpiredHoldStopsCounting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, capacity(1))
		mustCards(t, db, 1)
		start := jst(t, "2026-12-01 09:00").Format(time.RFC3339)
		h, err := f.svc.Hold(t.Context(), f.meta, reserve.HoldRequest{Service: "pickup", Place: "main", Start: start, People: 1})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(10 * time.Minute)
		if f.remaining(t, "pickup", "2026-12-01 09:00") != 1 {
			t.Fatal("an expired hold must stop counting at once")
		}
		late := pickup(t, "2026-12-01 09:00", 1)
		late.Hold = h.Token
		_, _, err = f.svc.Book(t.Context(), f.meta, late)
		wantCode(t, err, reserve.CodeHoldExpired)
		f.mustBook(t, pickup(t, "2026-12-01 09:00", 1)) // takes the seat the hold left
		f.verify(t)
	})
}

func TestHousekeepingEndsHoldsAndLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, capacity(5))
		start := jst(t, "2026-12-01 09:00").Format(time.RFC3339)
		for range 3 {
			if _, err := f.svc.Hold(t.Context(), f.meta, reserve.HoldRequest{Service: "pickup", Place: "main", Start: start, People: 1}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := f.svc.Hold(t.Context(), f.meta, reserve.HoldRequest{Service: "pickup", Place: "main", Start: start, People: 1})
		if _, ok := isLimit(err); !ok {
			t.Fatalf("a fourth live hold of one client: want a limit, got %v", err)
		}
		f.clock.Advance(3 * time.Hour)
		res, err := f.svc.Housekeeping(t.Context())
		if err != nil || res.HoldsExpired != 3 || res.LimitsPurged == 0 {
			t.Fatalf("housekeeping %+v: %v", res, err)
		}
		f.verify(t)
		if res, _ := f.svc.Housekeeping(t.Context()); res.HoldsExpired != 0 {
			t.Fatal("housekeeping must be idempotent")
		}
		if err := f.svc.ReleaseHold(t.Context(), f.meta, "unknown"); err != nil {
			t.Fatalf("releasing an unknown hold: %v", err)
		}
	})
}

func TestPublicCannotChangeStartedOrCheckedInBookings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, func(st *booking.Settings) { st.ChangeCutoffDays = 0 })
		mustCards(t, db, 1)
		b, token := f.mustBook(t, pickup(t, "2026-11-24 09:00", 1))
		f.clock.Advance(jst(t, "2026-11-24 08:55").Sub(f.clock.Now()))
		if _, err := f.svc.CheckIn(t.Context(), staff, f.meta, b.ID); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.StaffCancel(t.Context(), staff, f.meta, b.ID, reserve.Override{Cutoff: true, Reason: "x"})
		wantCode(t, err, reserve.CodeBookingState)
		_, err = f.svc.Cancel(t.Context(), f.meta, b.Code, token)
		if !apperr.Is(err, reserve.CodeBookingState) {
			t.Fatalf("want booking_state, got %v", err)
		}
	})
}
