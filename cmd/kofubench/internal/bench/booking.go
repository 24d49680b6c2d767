package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
)

// The bench city: ten counters for the spread bookings (p00..p09), ten
// for the stored months (m00..m09), and two small ones of 5 seats for the
// rush on one slot ("hot") and the overload ("over").
const (
	spreadPlaces = 10
	monthPlaces  = 10
	hotCapacity  = 5
	service      = "cert_renewal"
)

func benchSettings() booking.Settings {
	st := booking.DefaultSettings()
	base := st.Places[0]
	base.Capacity = 12
	base.ClosedDates, base.OpenDates = nil, nil
	ids := []string{base.ID}
	add := func(id string, capacity int) {
		p := base
		p.ID, p.Name, p.Capacity = id, "窓口 "+id, capacity
		st.Places = append(st.Places, p)
		ids = append(ids, id)
	}
	st.Places = []booking.Place{base}
	for i := range spreadPlaces {
		add(fmt.Sprintf("p%02d", i), 12)
	}
	for i := range monthPlaces {
		add(fmt.Sprintf("m%02d", i), 12)
	}
	add("hot", hotCapacity)
	add("over", hotCapacity)
	for i := range st.Services {
		st.Services[i].Places = ids
	}
	return st
}

// capacities maps each place to its seats, for the overbooking check.
func capacities(st booking.Settings) map[string]int {
	m := map[string]int{}
	for _, p := range st.Places {
		m[p.ID] = p.Capacity
	}
	return m
}

func (v *env) saveSettings(ctx context.Context) error {
	return v.reserve.SaveSettings(ctx, admin, auth.Meta{}, benchSettings())
}

// starts lists the bookable starts of the service at the place, from the
// day after Now to the end of the booking window.
func starts(place string, from, to calendar.Date) ([]time.Time, error) {
	st := benchSettings()
	loc, err := st.Location()
	if err != nil {
		return nil, err
	}
	slots, err := st.ServiceStarts(service, place, from, to, loc)
	if err != nil {
		return nil, err
	}
	out := make([]time.Time, len(slots))
	for i, s := range slots {
		out[i] = s.Start
	}
	return out, nil
}

func windowStarts(place string) ([]time.Time, error) {
	return starts(place, calendar.NewDate(2026, 11, 24), calendar.NewDate(2027, 1, 15))
}

// personSeq numbers the residents who book, so that nobody books twice.
var personSeq atomic.Int64

// createRequest is a web booking of one new resident at a place and start.
func createRequest(place string, start time.Time) reserve.CreateRequest {
	i := int(personSeq.Add(1))
	kana := []string{"ミホン", "タメシ", "ケンショウ", "サンプル", "ヨウレイ", "モデル", "テスト", "レイ"}
	return reserve.CreateRequest{Service: service, Place: place, Start: start.Format(time.RFC3339),
		Email: "bench@example.jp", People: []reserve.PersonInput{{Name: "見本　太郎",
			NameKana:  kana[(i/25_000)%len(kana)] + "　タロウ" + strconv.Itoa(i/200_000),
			BirthDate: time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%25_000).Format(time.DateOnly)}}}
}

// bookingPost is the same booking as a request to the public API.
func (v *env) bookingPost(place string, start time.Time, ip string) (*http.Request, error) {
	body, err := json.Marshal(createRequest(place, start))
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, v.url+"/api/v1/public/bookings", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", ip)
	return req, nil
}

// rawTable is the baseline's own table: one narrow row per transaction.
func (v *env) rawTable(ctx context.Context, name string, cols string) error {
	id := "id INTEGER PRIMARY KEY"
	if v.engine == store.Postgres {
		id = "id BIGSERIAL PRIMARY KEY"
	}
	_, err := v.raw.ExecContext(ctx, `CREATE TABLE `+name+` (`+id+`, `+cols+`)`)
	return err
}

// runWorkers calls fn from workers goroutines for d; it returns the
// successful calls, the failures and the elapsed time.
func runWorkers(ctx context.Context, workers int, d time.Duration, fn func(i int) error) (ok, failed int, elapsed time.Duration, first error) {
	var okN, badN, next atomic.Int64
	var once sync.Once
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				if err := fn(int(next.Add(1))); err != nil {
					badN.Add(1)
					once.Do(func() { first = err })
					continue
				}
				okN.Add(1)
			}
		})
	}
	wg.Wait()
	return int(okN.Load()), int(badN.Load()), time.Since(start), first
}

// commits measures bookings committed per second over many slots against
// raw single-row insert transactions on the same database.
func (v *env) commits(ctx context.Context, s Sizes) (Result, error) {
	var all []struct {
		place string
		start time.Time
	}
	for p := range spreadPlaces {
		place := fmt.Sprintf("p%02d", p)
		ss, err := windowStarts(place)
		if err != nil {
			return Result{}, err
		}
		for _, st := range ss {
			all = append(all, struct {
				place string
				start time.Time
			}{place, st})
		}
	}
	book := func(i int) error {
		sl := all[(i*7919)%len(all)] // scattered over the slots
		_, _, err := v.reserve.Book(ctx, auth.Meta{IP: residentIP(i)}, createRequest(sl.place, sl.start))
		return err
	}
	ok, failed, took, first := runWorkers(ctx, s.Workers, s.Duration, book)
	if err := v.rawTable(ctx, "bench_raw_tx", "place TEXT NOT NULL, start_at BIGINT NOT NULL, name TEXT NOT NULL, created_at BIGINT NOT NULL"); err != nil {
		return Result{}, err
	}
	raw := func(i int) error {
		tx, err := v.raw.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bench_raw_tx (place, start_at, name, created_at) VALUES ($1, $2, $3, $4)`,
			"p00", int64(i), "見本　太郎", time.Now().Unix()); err != nil {
			tx.Rollback()
			return err
		}
		return tx.Commit()
	}
	rawOK, _, rawTook, rawErr := runWorkers(ctx, s.Workers, s.Duration, raw)
	if rawErr != nil {
		return Result{}, fmt.Errorf("raw insert: %w", rawErr)
	}
	r := Result{Figure: "予約の確定（多数の枠に分散）", Value: float64(ok) / took.Seconds(), Unit: "件/秒",
		Baseline: float64(rawOK) / rawTook.Seconds(), BaseUnit: "tx/秒", BaseText: "1 行 INSERT のトランザクション",
		Target: AtLeast(0.3, "≥ 30%"), Note: fmt.Sprintf("%d 並列", s.Workers)}
	if v.engine == store.Postgres {
		r.Target = AtLeast(0.5, "≥ 50%")
	}
	if failed > 0 {
		r.Note += fmt.Sprintf("、失敗 %d: %v", failed, first)
	}
	return r, nil
}

// hotSlot sends clients bookings for the same slot of 5 seats at once,
// through HTTP: exactly 5 must succeed; the rest hear "full" fast.
func (v *env) hotSlot(ctx context.Context, clients int) (Result, error) {
	ss, err := windowStarts("hot")
	if err != nil {
		return Result{}, err
	}
	return v.hotSlotAt(ctx, clients, ss[0], 1_000_000)
}

// hotSlotAt is hotSlot on the slot starting at slot, from the residents'
// addresses numbered from firstIP on.
func (v *env) hotSlotAt(ctx context.Context, clients int, slot time.Time, firstIP int) (Result, error) {
	var err error
	reqs := make([]*http.Request, clients)
	for i := range reqs {
		if reqs[i], err = v.bookingPost("hot", slot, residentIP(firstIP+i)); err != nil {
			return Result{}, err
		}
	}
	c := newClient(clients)
	t := newTally()
	var ready, wg sync.WaitGroup
	gate := make(chan struct{})
	ready.Add(clients)
	for _, req := range reqs {
		wg.Go(func() {
			ready.Done()
			<-gate
			t.add(do(c, req.WithContext(ctx)))
		})
	}
	ready.Wait()
	close(gate)
	wg.Wait()
	stored, err := v.seatsTaken(ctx, "hot", slot)
	if err != nil {
		return Result{}, err
	}
	r := Result{Figure: fmt.Sprintf("1 枠への集中（%d 人、定員 %d）「満席」の p99", clients, hotCapacity),
		Value: percentile(t.by[http.StatusConflict], 0.99), Unit: "ms",
		Baseline: percentile(t.by[http.StatusCreated], 0.99), BaseUnit: "ms", BaseText: "成功の p99",
		Target: AtMost(2, "≤ 2 倍"), Note: t.String()}
	r.Broken = checkExactly(hotCapacity, t.count(http.StatusCreated), stored)
	return r, nil
}

// checkExactly fails unless exactly want bookings succeeded and are stored.
func checkExactly(want, answered, stored int) error {
	if answered != want || stored != want {
		return fmt.Errorf("定員 %d の枠で成功 %d 件・保存 %d 件", want, answered, stored)
	}
	return nil
}

// seatsTaken counts the stored bookings of one slot.
func (v *env) seatsTaken(ctx context.Context, place string, start time.Time) (int, error) {
	var n int
	err := v.raw.QueryRowContext(ctx, `SELECT COALESCE(SUM(seats), 0) FROM bookings WHERE place = $1 AND start_at = $2
		AND status NOT IN ('cancelled', 'expired')`, place, start.UnixMilli()).Scan(&n)
	return n, err
}

// overbooked lists the slots holding more seats than the place has.
func (v *env) overbooked(ctx context.Context) ([]string, error) {
	rows, err := v.raw.QueryContext(ctx, `SELECT place, start_at, SUM(seats) FROM bookings
		WHERE status NOT IN ('cancelled', 'expired') GROUP BY place, start_at`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var got []slotSeats
	for rows.Next() {
		var s slotSeats
		if err := rows.Scan(&s.place, &s.start, &s.seats); err != nil {
			return nil, err
		}
		got = append(got, s)
	}
	return checkCapacity(got, capacities(benchSettings())), rows.Err()
}

// slotSeats is the seats taken in one slot.
type slotSeats struct {
	place string
	start int64
	seats int
}

// checkCapacity returns the slots over their place's capacity.
func checkCapacity(slots []slotSeats, caps map[string]int) []string {
	var out []string
	for _, s := range slots {
		if c, ok := caps[s.place]; !ok || s.seats > c {
			out = append(out, fmt.Sprintf("%s@%d: %d/%d", s.place, s.start, s.seats, c))
		}
	}
	return out
}
