package counter_test

import (
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/counter"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestFiguresMeasureWaitAndServicePerDayHourAndDesk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 0)
		f.settings(t, func(s *counter.Settings) { s.WalkIns = true })
		f.at(t, "2026-12-01 09:00")
		for range 3 {
			if _, err := f.svc.WalkIn(t.Context(), clerk, "main"); err != nil {
				t.Fatal(err)
			}
		}
		step := func(d time.Duration, fn func() error) {
			t.Helper()
			f.clock.Advance(d)
			if err := fn(); err != nil {
				t.Fatal(err)
			}
		}
		call := func(desk string) func() error {
			return func() error { _, err := f.svc.CallNext(t.Context(), clerk, "main", desk); return err }
		}
		step(10*time.Minute, call("1"))                                                                            // B001 waited 10
		step(20*time.Minute, call("2"))                                                                            // B002 waited 30
		step(30*time.Minute, func() error { _, err := f.svc.Finish(t.Context(), clerk, "main", "1"); return err }) // B001 served 50
		step(10*time.Minute, func() error { _, err := f.svc.Absent(t.Context(), clerk, "main", "2"); return err }) // B002 absent
		step(0, call("1"))                                                                                         // B003 waited 70, at 10:10
		fig, err := f.svc.Figures(t.Context(), 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(fig.ByDay) != 1 || fig.ByDay[0].Key != "2026-12-01" || fig.ByDay[0].Called != 3 ||
			fig.ByDay[0].WaitAvg != (10+30+70)/3.0 || fig.ByDay[0].WaitMedian != 30 || fig.ByDay[0].Served != 1 || fig.ByDay[0].ServiceAvg != 50 {
			t.Fatalf("by day: %+v", fig.ByDay)
		}
		if len(fig.ByHour) != 2 || fig.ByHour[0].Key != "09" || fig.ByHour[0].Called != 2 || fig.ByHour[1].Key != "10" {
			t.Fatalf("by hour: %+v", fig.ByHour)
		}
		if len(fig.ByDesk) != 2 || fig.ByDesk[0].Key != "1" || fig.ByDesk[0].Called != 2 || fig.ByDesk[1].Served != 0 {
			t.Fatalf("by desk: %+v", fig.ByDesk)
		}
	})
}
