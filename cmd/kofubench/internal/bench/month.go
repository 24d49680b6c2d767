package bench

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
)

// monthSlot is one slot of the stored months.
type monthSlot struct {
	place string
	start time.Time
}

// monthSlots lists the slots of m00..m09 from 2024 to the end of 2026,
// where the stored bookings go, starting with the month measured: the
// smaller number of bookings then covers it as the larger one does (with
// the slots in calendar order, 10,000 bookings stopped a third of the way
// into it, so the small case read 100 seat counters and the large 280).
func monthSlots() ([]monthSlot, error) {
	all, err := calendarSlots()
	if err != nil {
		return nil, err
	}
	first := monthQuery.Place
	from, _ := calendar.ParseDate(monthQuery.From)
	for i, sl := range all {
		if sl.place == first && !sl.start.Before(from.Time()) {
			return append(all[i:], all[:i]...), nil
		}
	}
	return all, nil
}

// calendarSlots lists the slots of m00..m09 in calendar order, place by place.
func calendarSlots() ([]monthSlot, error) {
	var out []monthSlot
	for p := range monthPlaces {
		place := fmt.Sprintf("m%02d", p)
		for _, y := range []int{2024, 2025, 2026} { // one year a call: the longest range asked at once
			ss, err := starts(place, calendar.NewDate(y, 1, 1), calendar.NewDate(y, 12, 31))
			if err != nil {
				return nil, err
			}
			for _, s := range ss {
				out = append(out, monthSlot{place, s})
			}
		}
	}
	return out, nil
}

// seedBookings stores bookings from..to-1 the way the engine does (seats,
// slots, person), in batches, without audit entries: seeding only.
func (v *env) seedBookings(ctx context.Context, slots []monthSlot, from, to int) error {
	const batch = 20_000
	for lo := from; lo < to; lo += batch {
		err := v.db.Update(ctx, func(tx *store.Tx) error {
			for i := lo; i < min(to, lo+batch); i++ {
				if err := seedBooking(ctx, tx, slots[i%len(slots)], i); err != nil {
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

func seedBooking(ctx context.Context, tx *store.Tx, sl monthSlot, i int) error {
	future := sl.start.After(Now())
	b := store.Booking{Code: fmt.Sprintf("M%08d", i), TokenHash: "bench-" + strconv.Itoa(i), Service: service,
		Place: sl.place, Start: sl.start, End: sl.start.Add(30 * time.Minute), Date: sl.start.Format(time.DateOnly),
		Channel: "web", Seats: 1, Status: store.BookingCompleted, CreatedAt: sl.start.AddDate(0, 0, -7), CreatedBy: "public"}
	person := store.PersonServed
	if future {
		b.Status, person = store.BookingBooked, store.PersonActive
	}
	if _, err := tx.InsertBooking(ctx, &b); err != nil {
		return err
	}
	caps := store.SeatCaps{Capacity: 12, Shared: 12}
	if err := tx.ChangeSeats(ctx, sl.place, []store.SeatChange{{Start: sl.start, Channel: "web", Delta: 1, Caps: caps}}); err != nil {
		return err
	}
	if err := tx.SetBookingSlots(ctx, b.ID, []time.Time{sl.start}); err != nil {
		return err
	}
	return tx.InsertBookingPerson(ctx, &store.BookingPerson{BookingID: b.ID, Seq: 1, Service: service,
		PersonKey: "bench:" + strconv.Itoa(i), Name: "見本　太郎", NameKana: "ミホン　タロウ", BirthDate: "1980-01-01", Status: person})
}

// monthQuery is the month view measured: December 2026 at m00.
var monthQuery = reserve.AvailabilityQuery{Service: service, Place: "m00", From: "2026-12-01", To: "2026-12-31", People: 1}

// monthCall times one month view.
func (v *env) monthCall(ctx context.Context) (time.Duration, int, error) {
	start := time.Now()
	av, err := v.reserve.Availability(ctx, monthQuery)
	return time.Since(start), len(av.Slots), err
}

// monthView compares the month view with small and large numbers of
// stored bookings: a database of its own holds the small number, this
// one the large, and the calls alternate between the two, so that what
// else the machine does at the time weighs on both alike (measured one
// after the other, minutes apart on a shared machine, the two p95s
// differed by up to 2× with no cause in the query).
func (v *env) monthView(ctx context.Context, s Sizes, progress func(string), open func() (*env, error)) (Result, error) {
	slots, err := monthSlots()
	if err != nil {
		return Result{}, err
	}
	small, err := open()
	if err != nil {
		return Result{}, err
	}
	defer small.close()
	if err := small.saveSettings(ctx); err != nil {
		return Result{}, err
	}
	if err := small.seedBookings(ctx, slots, 0, s.SmallBookings); err != nil {
		return Result{}, err
	}
	progress(fmt.Sprintf("予約 %d 件を作成中", s.Bookings))
	if err := v.seedBookings(ctx, slots, 0, s.Bookings); err != nil {
		return Result{}, err
	}
	for _, e := range []*env{small, v} {
		if err := e.settle(ctx); err != nil {
			return Result{}, err
		}
	}
	var smallDurs, largeDurs []time.Duration
	n := 0
	before := [2]store.Counts{small.db.Counts(), v.db.Counts()}
	// A p95 of 100 calls is the 5th slowest, which a burst of other work
	// on a shared machine decides; five times as many calls cost seconds.
	calls := 5 * s.Calls
	for range calls {
		d, _, err := small.monthCall(ctx)
		if err != nil {
			return Result{}, err
		}
		smallDurs = append(smallDurs, d)
		if d, n, err = v.monthCall(ctx); err != nil {
			return Result{}, err
		}
		largeDurs = append(largeDurs, d)
	}
	perCall := func(e *env, before store.Counts) float64 {
		return float64(e.db.Counts().Sub(before).Statements) / float64(calls)
	}
	return Result{Figure: fmt.Sprintf("1 か月の空き状況 p95（予約 %s 件）", count(s.Bookings)), Value: percentile(largeDurs, 0.95),
		Unit: "ms", Baseline: percentile(smallDurs, 0.95), BaseUnit: "ms",
		BaseText: fmt.Sprintf("予約 %s 件のとき（別のデータベース、交互に測定）", count(s.SmallBookings)),
		Target:   AtMost(1.5, "≤ 1.5 倍"),
		Note: fmt.Sprintf("%d 枠、%d 回ずつ、p50 %.2f ms（%s 件のとき %.2f ms）、SQL 文 %.1f 本/回（%s 件のとき %.1f 本/回）",
			n, calls, percentile(largeDurs, 0.5), count(s.SmallBookings), percentile(smallDurs, 0.5),
			perCall(v, before[1]), count(s.SmallBookings), perCall(small, before[0]))}, nil
}

// settle brings a freshly seeded database to the state a running one is
// in: on PostgreSQL, statistics and the seat counters' old row versions
// cleaned up, as autovacuum does in service (seeding updates each seat
// counter dozens of times within seconds); on SQLite, the WAL written
// back to the database file, as its automatic checkpoints do.
func (v *env) settle(ctx context.Context) error {
	q := `PRAGMA wal_checkpoint(TRUNCATE)`
	if v.engine == store.Postgres {
		q = `VACUUM ANALYZE slot_usage, bookings, booking_slots, booking_people`
	}
	_, err := v.raw.ExecContext(ctx, q)
	return err
}

// count prints 1000000 as 1,000,000.
func count(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
