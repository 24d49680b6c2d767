package ledger_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// bookCard books the card for a phone caller on Tuesday 2026-12-01 09:00
// (Tokyo), seen from Friday 2026-11-20, and returns the booking.
func bookCard(t *testing.T, db *store.DB, notice, birth string) (*reserve.Service, reserve.Booking) {
	t.Helper()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	svc := reserve.New(db, clock.NewFixed(time.Date(2026, 11, 20, 10, 0, 0, 0, tokyo)))
	admin := auth.Principal{UserID: 1, Username: "admin", Role: auth.RoleAdmin}
	if err := svc.SaveSettings(ctx, admin, meta(), booking.DefaultSettings()); err != nil {
		t.Fatal(err)
	}
	b, _, err := svc.StaffBook(ctx, staff(), meta(), booking.ChannelPhone, reserve.CreateRequest{Service: "pickup", Place: "main",
		Start:  time.Date(2026, 12, 1, 9, 0, 0, 0, tokyo).Format(time.RFC3339),
		People: []reserve.PersonInput{{NoticeNumber: notice, BirthDate: birth}}})
	if err != nil {
		t.Fatal(err)
	}
	return svc, b
}

// A reserved card moves only with its booking: the card page cannot take
// it away (the booking would wait for a card that is gone) nor reserve a
// card without a booking.
func TestReservedCardMovesOnlyWithItsBooking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "ABC-000001", Birth: "1980-01-01", Status: card.StatusNoticeSent})
		other := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Notice: "ABC-000002", Status: card.StatusNoticeSent})
		svc := newService(db)
		_, err := svc.Transition(ctx, staff(), meta(), other.ID, card.StatusReserved, "", "")
		wantRefused(t, err, "予約の登録でのみ")

		bookings, b := bookCard(t, db, "ABC-000001", "1980-01-01")
		for _, to := range []card.Status{card.StatusIssued, card.StatusNoticeSent, card.StatusOnHold, card.StatusCancelled} {
			_, err := svc.Transition(ctx, staff(), meta(), rec.ID, to, "", card.ReasonDeath)
			wantRefused(t, err, "窓口画面")
		}
		if d := mustGet(t, db, rec.ID); d.Card.Status != card.StatusReserved || len(d.Events) != 1 {
			t.Fatalf("a refused move changed the card: %s, %d events", d.Card.Status, len(d.Events))
		}
		if n := len(auditEntries(t, db, "card.status_changed")); n != 0 {
			t.Fatalf("%d status changes audited for refused moves", n)
		}

		if _, err := bookings.StaffCancel(ctx, staff(), meta(), b.ID, reserve.Override{Reason: "電話で取消"}); err != nil {
			t.Fatal(err)
		}
		d, err := svc.Transition(ctx, staff(), meta(), rec.ID, card.StatusOnHold, "長期入院", "")
		if err != nil || d.Card.Status != card.StatusOnHold || !hasNext(d, card.StatusNoticeSent) {
			t.Fatalf("after the booking is cancelled the card is the ledger's again: %v %s", err, d.Card.Status)
		}
	})
}

func wantRefused(t *testing.T, err error, message string) {
	t.Helper()
	if apperr.CodeOf(err) != card.CodeIllegalTransition || !strings.Contains(apperr.MessageOf(err), message) {
		t.Fatalf("want %s containing %q, got %v", card.CodeIllegalTransition, message, err)
	}
}

func hasNext(d ledger.Detail, s card.Status) bool {
	for _, n := range d.Next {
		if n == s {
			return true
		}
	}
	return false
}

// TestEveryOfferedMoveIsAccepted: the card page's buttons are the card's
// NextStatuses, so each of them must be a move Transition accepts, for a
// card of either method in every status (a reserved card offers none).
func TestEveryOfferedMoveIsAccepted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		app := 0
		for _, m := range []card.Method{card.MethodCounter, card.MethodAtApplication} {
			for _, from := range card.AllStatuses() {
				if !from.AppliesTo(m) {
					continue
				}
				app++
				seed := ledgertest.MustCard(t, db, ledgertest.Seed{App: app, Status: from, Method: m})
				next := mustGet(t, db, seed.ID).Next
				if from == card.StatusReserved && len(next) != 0 {
					t.Errorf("a reserved card offers %v", next)
				}
				for _, to := range next {
					app++
					rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: app, Status: from, Method: m})
					if _, err := svc.Transition(ctx, staff(), meta(), rec.ID, to, "", card.ReasonDeath); err != nil {
						t.Errorf("%s %s → %s is offered but refused: %v", m, from, to, err)
					}
				}
			}
		}
	})
}
