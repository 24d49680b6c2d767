package notice_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// seedHistory mails n notices on sent; the first booked of them have a
// pickup booked on bookedOn, every noShowEvery-th one a no-show.
func seedHistory(t *testing.T, db *store.DB, app *int, sent, bookedOn string, n, booked, noShowEvery int, status card.Status) {
	t.Helper()
	ctx := t.Context()
	for i := range n {
		*app++
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: *app, Notice: fmt.Sprintf("H%02d-%06d", *app%100, *app), Status: status})
		err := db.Update(ctx, func(tx *store.Tx) error {
			post := store.Posting{CardID: rec.ID, Kind: store.PostingNotice, Date: sent, Actor: "test", CreatedAt: time.Now()}
			if err := tx.InsertPosting(ctx, &post); err != nil || i >= booked {
				return err
			}
			start, _ := time.Parse(time.DateOnly, bookedOn)
			b := store.Booking{Code: fmt.Sprintf("B%07d", *app), TokenHash: fmt.Sprintf("%064d", *app), Service: "pickup",
				Place: "main", Start: start, End: start.Add(30 * time.Minute), Date: bookedOn, Channel: "web", Seats: 1,
				Status: "completed", CreatedAt: start.AddDate(0, 0, -3), CreatedBy: "test"}
			if _, err := tx.InsertBooking(ctx, &b); err != nil {
				return err
			}
			st := "issued"
			if noShowEvery > 0 && (i+1)%noShowEvery == 0 {
				st = "no_show"
			}
			return tx.InsertBookingPerson(ctx, &store.BookingPerson{BookingID: b.ID, Seq: 1, Service: "pickup", CardID: rec.ID,
				PersonKey: fmt.Sprint(rec.ID), NoticeNumber: rec.NoticeNumber, Status: st})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestPlanLearnsFromTheCitysHistory seeds a history (40 notices in
// January, 30 booked a week later, 3 of them no-shows) and ten notices
// mailed last week without a booking, and checks what the planner
// learned and what it expects.
func TestPlanLearnsFromTheCitysHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		app := 0
		seedHistory(t, db, &app, "2026-01-05", "2026-01-13", 40, 30, 10, card.StatusIssued)
		seedHistory(t, db, &app, "2026-05-27", "", 10, 0, 0, card.StatusNoticeSent)
		svc := newService(t, db, "2026-06-03")
		pl, err := svc.Plan(t.Context(), 6)
		if err != nil {
			t.Fatal(err)
		}
		c := pl.Curve
		if c.Samples != 40 || math.Abs(c.Weekly[1]-0.75) > 1e-9 || math.Abs(c.NoShow-0.1) > 1e-9 {
			t.Fatalf("learned samples %d weekly %v no-show %v", c.Samples, c.Weekly, c.NoShow)
		}
		if len(pl.Weeks) != 6 || pl.Weeks[0].Start != "2026-06-01" || pl.Weeks[1].Capacity == 0 {
			t.Fatalf("weeks %+v", pl.Weeks)
		}
		expected := 0.0
		for _, w := range pl.Weeks {
			expected += w.Expected
		}
		// The ten unbooked notices, a week old, are past their likeliest
		// week: the curve gives them little, but not nothing.
		if expected <= 0 || expected > 10 {
			t.Fatalf("expected %v bookings from the ten notices out", expected)
		}
		if pl.Next <= 0 {
			t.Fatalf("no batch suggested with empty counters: %+v", pl.Weeks[0])
		}
		if len(pl.Past) != 4 {
			t.Fatalf("past weeks %+v", pl.Past)
		}
	})
}
