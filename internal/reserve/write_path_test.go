package reserve_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// errBlockerDone rolls the blocking transaction back.
var errBlockerDone = errors.New("blocker done")

// holdSlotLock holds the database's write lock on the slot until the test
// ends, as a slow booking would: SQLite's only writer, and on PostgreSQL
// the slot's row (a seat is given back without committing).
func holdSlotLock(t *testing.T, db *store.DB, start time.Time) {
	t.Helper()
	locked, done, ended := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		ended <- db.Update(context.Background(), func(tx *store.Tx) error {
			err := tx.ChangeSeats(context.Background(), "main", []store.SeatChange{{Start: start, Channel: "web", Delta: -1}})
			close(locked)
			if err != nil {
				return err
			}
			<-done
			return errBlockerDone
		})
	}()
	select {
	case <-locked:
	case err := <-ended:
		t.Fatalf("blocker: %v", err)
	}
	t.Cleanup(func() {
		close(done)
		if err := <-ended; !errors.Is(err, errBlockerDone) {
			t.Errorf("blocker: %v", err)
		}
	})
}

// A booking for a full slot is answered slot_full from a read, without
// waiting for the write lock that another transaction holds (issue #8:
// "full" answers queued behind every write on the hot slot).
func TestFullSlotIsAnsweredWithoutWaitingForTheWriteLock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, capacity(1))
		mustCards(t, db, 2)
		f.mustBook(t, pickup(t, "2026-12-01 09:00", 1))
		holdSlotLock(t, db, jst(t, "2026-12-01 09:00"))

		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		began := time.Now()
		_, _, err := f.svc.Book(ctx, auth.Meta{IP: "192.0.2.20"}, pickup(t, "2026-12-01 09:00", 2))
		wantCode(t, err, reserve.CodeSlotFull)
		if msg := err.Error(); msg != "選んだ日時は満席になりました。別の日時を選んでください。" {
			t.Errorf("message %q", msg)
		}
		if took := time.Since(began); took > time.Second {
			t.Errorf("slot_full took %v with the write lock held", took)
		}
		if f.cardStatus(t, 2) != "notice_sent" {
			t.Error("the card of the refused booking changed")
		}
	})
}

// The answer to a booking is the booking as stored: the same as reading
// it back, with and without cards.
func TestBookAnswersTheBookingAsStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 2)
		renewal := reserve.CreateRequest{Service: "cert_renewal", Place: "main", Start: jst(t, "2026-12-02 10:00").Format(time.RFC3339),
			Phone: "090-1234-5678", People: []reserve.PersonInput{{Name: "見本　花子", NameKana: "ミホン　ハナコ", BirthDate: "1990-04-01"}}}
		for name, req := range map[string]reserve.CreateRequest{"cards": pickup(t, "2026-12-01 09:00", 1, 2), "no card": renewal} {
			b, _ := f.mustBook(t, req)
			stored, err := f.svc.StaffGet(t.Context(), staff, f.meta, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(b.Booking, stored.Booking) {
				t.Errorf("%s: answered\n%+v\nstored\n%+v", name, b.Booking, stored.Booking)
			}
		}
	})
}

// Refused bookings count against the per-IP limit although their own
// work is undone, also after an error that PostgreSQL ends the
// transaction's normal state with (a unique index: already booked).
func TestRefusedBookingsCountAgainstTheLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, func(st *booking.Settings) { st.PublicRateLimitPerMinute = 3 })
		f.clock.Advance(15 * time.Second)
		req := func(kana string) reserve.CreateRequest {
			return reserve.CreateRequest{Service: "cert_renewal", Place: "main", Start: jst(t, "2026-12-02 10:00").Format(time.RFC3339),
				Phone: "090-1234-5678", People: []reserve.PersonInput{{Name: "見本　花子", NameKana: kana, BirthDate: "1990-04-01"}}}
		}
		f.mustBook(t, req("ミホン　ハナコ"))
		for range 2 {
			_, _, err := f.svc.Book(t.Context(), f.meta, req("ミホン　ハナコ"))
			wantCode(t, err, reserve.CodeAlreadyBooked)
		}
		_, _, err := f.svc.Book(t.Context(), f.meta, req("ミホン　タロウ"))
		if _, ok := isLimit(err); !ok {
			t.Fatalf("fourth booking in a minute: want a limit, got %v", err)
		}
		if got := f.auditActions(t, "booking."); len(got) != 1 {
			t.Errorf("audit entries %v, want one booking.created", got)
		}
		f.verify(t)
	})
}
