package counter

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/store"
)

// FigureRow is the waits of one day, hour or desk: wait is check-in to
// first call, service is call to done (tickets finished only), in minutes.
type FigureRow struct {
	Key            string  `json:"key"`
	Called         int     `json:"called"`
	WaitAvg        float64 `json:"wait_avg_minutes"`
	WaitMedian     float64 `json:"wait_median_minutes"`
	Served         int     `json:"served"`
	ServiceAvg     float64 `json:"service_avg_minutes"`
	ServiceMedian  float64 `json:"service_median_minutes"`
	waits, service []float64
}

// Figures are the counter's waits over some days.
type Figures struct {
	From   string      `json:"from"`
	To     string      `json:"to"`
	ByDay  []FigureRow `json:"by_day"`
	ByHour []FigureRow `json:"by_hour"` // hour of the call, "09" … (all days together)
	ByDesk []FigureRow `json:"by_desk"`
}

// Figures reads the waits of the last days (today included), every place.
func (s *Service) Figures(ctx context.Context, days int) (Figures, error) {
	st, err := s.Bookings(ctx)
	if err != nil {
		return Figures{}, err
	}
	loc, err := st.Location()
	if err != nil {
		return Figures{}, err
	}
	today := calendar.DateOf(s.Clock.Now().In(loc))
	f := Figures{From: today.AddDays(1 - max(days, 1)).String(), To: today.String()}
	var ts []store.Ticket
	err = s.DB.View(ctx, func(tx *store.Tx) (err error) { ts, err = tx.CalledTickets(ctx, f.From, f.To); return })
	if err != nil {
		return f, err
	}
	f.ByDay, f.ByHour, f.ByDesk = group(ts, func(t store.Ticket) string { return t.Day }),
		group(ts, func(t store.Ticket) string { return t.CalledAt.In(loc).Format("15") }),
		group(ts, func(t store.Ticket) string { return t.Desk })
	return f, nil
}

func group(ts []store.Ticket, key func(store.Ticket) string) []FigureRow {
	rows := map[string]*FigureRow{}
	for _, t := range ts {
		k := key(t)
		r := rows[k]
		if r == nil {
			r = &FigureRow{Key: k}
			rows[k] = r
		}
		r.waits = append(r.waits, minutes(t.CalledAt.Sub(t.IssuedAt)))
		if t.Status == store.TicketDone && !t.DoneAt.IsZero() {
			r.service = append(r.service, minutes(t.DoneAt.Sub(t.CalledAt)))
		}
	}
	out := make([]FigureRow, 0, len(rows))
	for _, r := range rows {
		r.Called, r.WaitAvg, r.WaitMedian = len(r.waits), avg(r.waits), median(r.waits)
		r.Served, r.ServiceAvg, r.ServiceMedian = len(r.service), avg(r.service), median(r.service)
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return naturalLess(out[i].Key, out[j].Key) })
	return out
}

// naturalLess puts desk "2" before "10".
func naturalLess(a, b string) bool {
	if len(a) != len(b) {
		var x, y int
		if _, err := fmt.Sscan(a, &x); err == nil {
			if _, err := fmt.Sscan(b, &y); err == nil {
				return x < y
			}
		}
	}
	return a < b
}

func minutes(d time.Duration) float64 { return max(d.Minutes(), 0) }

func avg(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
