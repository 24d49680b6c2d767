package reserve_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// benchPlaces is how many counters the benchmark city has; the bookings
// are spread over all of them and three years.
const benchPlaces = 10

// benchBookings is the number of stored bookings of the benchmark;
// KOFU_BENCH_BOOKINGS changes it for a quick look.
func benchBookings(b *testing.B) int {
	if v := os.Getenv("KOFU_BENCH_BOOKINGS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("KOFU_BENCH_BOOKINGS: %v", err)
		}
		return n
	}
	return 1_000_000
}

// BenchmarkAvailabilityMonth measures the month view (December 2026 at one
// place) on a SQLite database holding 1,000,000 bookings. The target is
// under 20 ms at the 95th percentile (reported as p95-ms). "public" adds
// the per-IP limit, a write transaction per request.
func BenchmarkAvailabilityMonth(b *testing.B) {
	db := openBenchDB(b, benchBookings(b))
	svc := reserve.New(db, clock.NewFixed(benchNow()))
	q := reserve.AvailabilityQuery{Service: "pickup", Place: "p00", From: "2026-12-01", To: "2026-12-31", People: 1}
	b.Run("service", func(b *testing.B) {
		measure(b, func(int) (reserve.Availability, error) { return svc.Availability(b.Context(), q) })
	})
	b.Run("public", func(b *testing.B) {
		measure(b, func(i int) (reserve.Availability, error) {
			return svc.PublicAvailability(b.Context(), auth.Meta{IP: fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)}, q)
		})
	})
}

func measure(b *testing.B, fn func(i int) (reserve.Availability, error)) {
	var durs []time.Duration
	slots := 0
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		av, err := fn(i)
		durs = append(durs, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		slots = len(av.Slots)
	}
	slices.Sort(durs)
	at := func(p float64) float64 { return float64(durs[int(p*float64(len(durs)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
	b.ReportMetric(at(1), "max-ms")
	b.ReportMetric(float64(slots), "slots")
}

func benchNow() time.Time { return time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC) } // 10:00 in Tokyo

// benchSettings is the default city with ten identical counters.
func benchSettings() booking.Settings {
	st := booking.DefaultSettings()
	base := st.Places[0]
	base.Capacity = 12
	st.Places = nil
	var ids []string
	for i := range benchPlaces {
		p := base
		p.ID, p.Name = fmt.Sprintf("p%02d", i), fmt.Sprintf("窓口 %d", i)
		st.Places = append(st.Places, p)
		ids = append(ids, p.ID)
	}
	for i := range st.Services {
		st.Services[i].Places = ids
	}
	return st
}

// openBenchDB returns a SQLite database with n bookings, seeded once and
// kept under os.TempDir().
func openBenchDB(b *testing.B, n int) *store.DB {
	b.Helper()
	name := fmt.Sprintf("kofu-bench-bookings-%d-v1.sqlite", n)
	return storetest.CachedSQLite(b, name, func(ctx context.Context, db *store.DB) error { return seedBench(ctx, db, n) })
}

// benchSlot is one base slot of one place.
type benchSlot struct {
	place string
	start time.Time
}

func seedBench(ctx context.Context, db *store.DB, n int) error {
	st := benchSettings()
	slots, err := benchSlots(st)
	if err != nil {
		return err
	}
	err = db.Update(ctx, func(tx *store.Tx) error { return tx.SaveSetting(ctx, booking.SettingsKey, st, "bench", benchNow()) })
	if err != nil {
		return err
	}
	const batch = 50_000
	for from := 0; from < n; from += batch {
		err := db.Update(ctx, func(tx *store.Tx) error {
			for i := from; i < min(n, from+batch); i++ {
				if err := seedBooking(ctx, tx, st, slots[i%len(slots)], i); err != nil {
					return fmt.Errorf("booking %d: %w", i, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// benchSlots lists the slots of every place from 2024 to the end of 2026.
func benchSlots(st booking.Settings) ([]benchSlot, error) {
	loc, err := st.Location()
	if err != nil {
		return nil, err
	}
	var out []benchSlot
	for _, p := range st.Places {
		for _, year := range []int{2024, 2025, 2026} {
			starts, err := st.Slots(p.ID, calendar.NewDate(year, 1, 1), calendar.NewDate(year, 12, 31), loc)
			if err != nil {
				return nil, err
			}
			for _, s := range starts {
				out = append(out, benchSlot{place: p.ID, start: s.Start})
			}
		}
	}
	return out, nil
}

// seedBooking stores booking i the way the engine does (seats, slots,
// person), past ones served and future ones waiting, without the audit
// entries and card changes that would only slow the seeding.
func seedBooking(ctx context.Context, tx *store.Tx, st booking.Settings, sl benchSlot, i int) error {
	pl, _ := st.Place(sl.place)
	future := sl.start.After(benchNow())
	b := store.Booking{Code: fmt.Sprintf("B%07d", i), TokenHash: fmt.Sprintf("bench-%d", i), Service: "cert_renewal",
		Place: sl.place, Start: sl.start, End: sl.start.Add(pl.SlotDuration()), Date: sl.start.Format(time.DateOnly),
		Channel: "web", Seats: 1, Status: store.BookingCompleted, CreatedAt: sl.start.AddDate(0, 0, -7), CreatedBy: "public"}
	personStatus := store.PersonServed
	if future {
		b.Status, personStatus = store.BookingBooked, store.PersonActive
	}
	if _, err := tx.InsertBooking(ctx, &b); err != nil {
		return err
	}
	caps := store.SeatCaps{Capacity: pl.Capacity, Shared: pl.Capacity}
	if err := tx.ChangeSeats(ctx, sl.place, []store.SeatChange{{Start: sl.start, Channel: "web", Delta: 1, Caps: caps}}); err != nil {
		return err
	}
	if err := tx.SetBookingSlots(ctx, b.ID, []time.Time{sl.start}); err != nil {
		return err
	}
	return tx.InsertBookingPerson(ctx, &store.BookingPerson{BookingID: b.ID, Seq: 1, Service: b.Service,
		PersonKey: "bench:" + strconv.Itoa(i), Name: "見本　太郎", NameKana: "ミホン　タロウ", BirthDate: "1980-01-01", Status: personStatus})
}
