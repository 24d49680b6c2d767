package demo

import (
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// The demo city gets its places and a week of pickups within capacity,
// and every reserved card has its booking.
func TestSeedDemoWeek(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := tokyo(t, "2026-11-20 10:00")
		if _, err := SeedCards(t.Context(), db, now); err != nil {
			t.Fatal(err)
		}
		svc := reserve.New(db, clock.NewFixed(now))
		if _, err := SeedBookings(t.Context(), svc); err != nil {
			t.Fatal(err)
		}
		n, err := SeedWeek(t.Context(), db, svc)
		if err != nil || n != 20 {
			t.Fatalf("demo week: %d bookings, %v", n, err)
		}
		st, err := svc.Settings(t.Context())
		if err != nil || len(st.Places) != 2 || st.Places[1].ID != "north" {
			t.Fatalf("demo settings: %+v %v", st.Places, err)
		}
		if err := Settings().Validate(); err != nil {
			t.Fatal(err)
		}

		days, people := map[string]int{}, 0
		for d := 0; d < 31; d++ {
			date := now.AddDate(0, 0, d).Format("2006-01-02")
			bs, err := svc.List(t.Context(), weekStaff, auth.Meta{}, reserve.ListQuery{Date: date})
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range bs {
				if b.Service == "pickup" {
					days[date]++
					people += len(b.People)
				}
			}
		}
		if len(days) != 7 || people <= 20 {
			t.Fatalf("pickups by day %v, %d people", days, people)
		}
		for d, k := range days {
			if k > 3 {
				t.Errorf("%s: %d pickups", d, k)
			}
		}
		if reserved := countCards(t, db, card.StatusReserved); reserved != people {
			t.Fatalf("%d reserved cards for %d booked people: a reserved card without its booking", reserved, people)
		}
		if err := db.View(t.Context(), func(tx *store.Tx) error { return tx.VerifySlotUsage(t.Context()) }); err != nil {
			t.Fatal(err)
		}
		if again, err := SeedWeek(t.Context(), db, svc); err != nil || again != 0 {
			t.Fatalf("a second run books again: %d %v", again, err)
		}
	})
}

func countCards(t *testing.T, db *store.DB, status card.Status) int {
	t.Helper()
	var n int
	err := db.View(t.Context(), func(tx *store.Tx) error {
		var err error
		_, n, err = tx.SearchCards(t.Context(), store.CardFilter{Statuses: []card.Status{status}, Limit: 1})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// weekStaff is the principal that lists the bookings.
var weekStaff = auth.Principal{UserID: 7, Username: "kofu-tanaka", Role: auth.RoleStaff}

// tokyo returns a Tokyo wall-clock time "2026-12-01 09:00".
func tokyo(tb testing.TB, s string) time.Time {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		tb.Fatal(err)
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func TestSeedDemoFillsTheCounterList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := reserve.New(db, clock.NewFixed(tokyo(t, "2026-11-20 10:00")))
		n, err := SeedBookings(t.Context(), svc)
		if err != nil || n != 4 {
			t.Fatalf("seeded %d: %v", n, err)
		}
		list, err := svc.List(t.Context(), weekStaff, auth.Meta{}, reserve.ListQuery{Date: "2026-11-24"})
		if err != nil || len(list) == 0 || list[0].Channel != "phone" || list[0].People[0].Name == "" {
			t.Fatalf("list %v %+v", err, list)
		}
		if err := db.View(t.Context(), func(tx *store.Tx) error { return tx.VerifySlotUsage(t.Context()) }); err != nil {
			t.Fatal(err)
		}
	})
}
