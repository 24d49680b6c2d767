package store_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// TestTakeSeatsFollowsChannelRules checks the conditional UPDATE against
// booking.Place.RemainingFor: for random places and random takes, the
// database accepts exactly the takes the domain rule allows.
func TestTakeSeatsFollowsChannelRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rnd := rand.New(rand.NewPCG(5, 7))
		channels := []booking.Channel{booking.ChannelWeb, booking.ChannelPhone, booking.ChannelCounter}
		start := time.UnixMilli(1_790_000_000_000)
		for round := range 40 {
			pl := randomPlace(rnd, channels)
			slot := start.Add(time.Duration(round) * time.Hour)
			taken := map[booking.Channel]int{}
			for range 12 {
				ch, n := channels[rnd.IntN(3)], 1+rnd.IntN(3)
				want := pl.RemainingFor(ch, taken) >= n
				err := db.Update(ctx, func(tx *store.Tx) error {
					return tx.ChangeSeats(ctx, "main", []store.SeatChange{{Start: slot, Channel: string(ch), Delta: n, Caps: caps(pl)}})
				})
				if got := err == nil; got != want {
					t.Fatalf("place %+v taken %v: take %d %s: database says %v (%v), rule says %v", pl, taken, n, ch, got, err, want)
				}
				if err != nil && !apperr.Is(err, store.CodeSlotFull) {
					t.Fatal(err)
				}
				if want {
					taken[ch] += n
				}
			}
		}
	})
}

func randomPlace(rnd *rand.Rand, channels []booking.Channel) booking.Place {
	pl := booking.Place{Capacity: 1 + rnd.IntN(6)}
	if rnd.IntN(3) > 0 {
		pl.ChannelCapacity = map[booking.Channel]int{}
		left := pl.Capacity
		for _, ch := range channels {
			if n := rnd.IntN(left + 1); n > 0 && rnd.IntN(2) == 0 {
				pl.ChannelCapacity[ch], left = n, left-n
			}
		}
	}
	return pl
}

func caps(pl booking.Place) store.SeatCaps {
	reserved := map[string]int{}
	for ch, n := range pl.ChannelCapacity {
		reserved[string(ch)] = n
	}
	return store.SeatCaps{Capacity: pl.Capacity, Shared: pl.Seats(booking.ChannelWeb) - pl.ChannelCapacity[booking.ChannelWeb], Reserved: reserved}
}

func TestReleasingMoreSeatsThanTakenFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		slot := time.UnixMilli(1_790_000_000_000)
		two := store.SeatCaps{Capacity: 2, Shared: 2}
		err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.ChangeSeats(ctx, "main", []store.SeatChange{{Start: slot, Channel: "web", Delta: 1, Caps: two}})
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(ctx, func(tx *store.Tx) error {
			return tx.ChangeSeats(ctx, "main", []store.SeatChange{{Start: slot, Channel: "web", Delta: -2}})
		})
		if err == nil {
			t.Fatal("a release beyond the count must fail: the counts would no longer match the bookings")
		}
	})
}

func TestOneActivePersonPerCardAndService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.UnixMilli(1_790_000_000_000)
		var ids []int64
		err := db.Update(ctx, func(tx *store.Tx) error {
			for i, code := range []string{"AAAA2222", "AAAA3333"} {
				b := store.Booking{Code: code, TokenHash: code, Service: "cert_renewal", Place: "main", Start: now,
					End: now.Add(time.Hour), Date: "2026-09-21", Channel: "web", Seats: 1, Status: store.BookingBooked,
					CreatedAt: now, CreatedBy: "public"}
				ok, err := tx.InsertBooking(ctx, &b)
				if err != nil || !ok {
					t.Fatalf("insert %d: %v %v", i, ok, err)
				}
				ids = append(ids, b.ID)
			}
			dup := store.Booking{Code: "AAAA2222", TokenHash: "other", Service: "x", Place: "main", Start: now, End: now,
				Date: "2026-09-21", Channel: "web", Seats: 1, Status: store.BookingBooked, CreatedAt: now}
			if ok, err := tx.InsertBooking(ctx, &dup); ok || err != nil {
				t.Fatalf("a taken code must be reported, not inserted: %v %v", ok, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		person := func(bookingID int64, status string) error {
			return db.Update(ctx, func(tx *store.Tx) error {
				return tx.InsertBookingPerson(ctx, &store.BookingPerson{BookingID: bookingID, Seq: 1, Service: "cert_renewal",
					PersonKey: "person:ミホン|1980-01-01", Name: "見本", NameKana: "ミホン", BirthDate: "1980-01-01", Status: status})
			})
		}
		if err := person(ids[0], store.PersonActive); err != nil {
			t.Fatal(err)
		}
		if err := person(ids[1], store.PersonActive); !apperr.Is(err, store.CodeAlreadyBooked) {
			t.Fatalf("second active booking of one person: want already_booked, got %v", err)
		}
		if err := person(ids[1], store.PersonCancelled); err != nil {
			t.Fatalf("an inactive row does not count: %v", err)
		}
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "ABC-000001"})
		withCard := func(bookingID int64, key string) error {
			return db.Update(ctx, func(tx *store.Tx) error {
				return tx.InsertBookingPerson(ctx, &store.BookingPerson{BookingID: bookingID, Seq: 2, Service: "pickup",
					CardID: rec.ID, PersonKey: key, NoticeNumber: "ABC-000001", Status: store.PersonActive})
			})
		}
		if err := withCard(ids[0], "resident:1"); err != nil {
			t.Fatal(err)
		}
		if err := withCard(ids[1], "resident:other"); !apperr.Is(err, store.CodeAlreadyBooked) {
			t.Fatalf("second active booking of one card: want already_booked, got %v", err)
		}
	})
}

func TestRateLimitHitsCountPerWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := time.UnixMilli(1_790_000_000_000).Truncate(time.Minute)
		hit := func(bucket string, window time.Time) int {
			var n int
			err := db.Update(ctx, func(tx *store.Tx) (err error) { n, err = tx.HitRateLimit(ctx, bucket, window); return err })
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if hit("ip:a", w) != 1 || hit("ip:a", w) != 2 || hit("ip:b", w) != 1 || hit("ip:a", w.Add(time.Minute)) != 1 {
			t.Fatal("hits must count per bucket and window")
		}
		var purged int64
		err := db.Update(ctx, func(tx *store.Tx) (err error) { purged, err = tx.PurgeRateLimits(ctx, w.Add(time.Minute)); return err })
		if err != nil || purged != 2 {
			t.Fatalf("purged %d: %v", purged, err)
		}
	})
}
