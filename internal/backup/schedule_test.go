package backup

import (
	"slices"
	"testing"
	"time"
)

func tokyo(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestScheduleIsDueOnceAfterTheTimeOfDay(t *testing.T) {
	loc := tokyo(t)
	s := DefaultSchedule(loc) // 02:30
	at := func(day, h, m int) time.Time { return time.Date(2026, 4, day, h, m, 0, 0, loc) }
	cases := []struct {
		name      string
		now, last time.Time
		due       bool
	}{
		{"never backed up", at(10, 1, 0), time.Time{}, true},
		{"before today's time, yesterday's done", at(10, 2, 29), at(9, 2, 30), false},
		{"at today's time", at(10, 2, 30), at(9, 2, 30), true},
		{"later the same day, done", at(10, 15, 0), at(10, 2, 31), false},
		{"server was down for three days: once", at(13, 9, 0), at(9, 2, 30), true},
		{"a manual backup after the time counts", at(10, 23, 0), at(10, 8, 0), false},
		{"a manual backup before the time does not", at(10, 3, 0), at(10, 1, 0), true},
		{"now in UTC, the zone is Tokyo", time.Date(2026, 4, 9, 17, 30, 0, 0, time.UTC), at(9, 2, 30), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := s.Due(c.now, c.last); got != c.due {
				t.Errorf("Due(%v, %v) = %v", c.now, c.last, got)
			}
		})
	}
	if next := s.Next(at(10, 15, 0), at(10, 2, 30)); !next.Equal(at(11, 2, 30)) {
		t.Errorf("Next = %v", next)
	}
}

// names returns FileName for a backup at 02:30 on each date.
func names(s Schedule, dates ...time.Time) []string {
	var out []string
	for _, d := range dates {
		out = append(out, s.FileName(d))
	}
	return out
}

func TestScheduleKeeps14DailyAnd12Monthly(t *testing.T) {
	loc := tokyo(t)
	s := DefaultSchedule(loc)
	var all []time.Time
	start := time.Date(2025, 1, 1, 2, 30, 0, 0, loc)
	for d := range 500 { // 1 Jan 2025 .. 15 May 2026, every day
		all = append(all, start.AddDate(0, 0, d))
	}
	existing := append(names(s, all...), "README.txt", "kofu-manual.age", "other-20250101-023000.age")
	expired := s.Expired(existing)
	kept := slices.DeleteFunc(slices.Clone(existing), func(n string) bool { return slices.Contains(expired, n) })
	var want []string
	for m := time.June; m <= time.December; m++ { // first of each of the 12 latest months
		want = append(want, s.FileName(time.Date(2025, m, 1, 2, 30, 0, 0, loc)))
	}
	for m := time.January; m <= time.May; m++ {
		want = append(want, s.FileName(time.Date(2026, m, 1, 2, 30, 0, 0, loc)))
	}
	for d := 2; d <= 15; d++ { // the 14 latest days
		want = append(want, s.FileName(time.Date(2026, 5, d, 2, 30, 0, 0, loc)))
	}
	want = append(want, "README.txt", "kofu-manual.age", "other-20250101-023000.age")
	slices.Sort(kept)
	slices.Sort(want)
	if !slices.Equal(kept, want) {
		t.Errorf("kept %d files:\n%v\nwant %d:\n%v", len(kept), kept, len(want), want)
	}
}

func TestScheduleKeepsTheNewestOfADayAndCountsDaysWithBackups(t *testing.T) {
	loc := tokyo(t)
	s := Schedule{Hour: 2, Minute: 30, Location: loc, Daily: 2, Monthly: 0}
	at := func(day, h int) time.Time { return time.Date(2026, 4, day, h, 0, 0, 0, loc) }
	// Backups on the 1st, twice on the 5th, then nothing for weeks: the
	// two days that have backups are kept, however old.
	existing := names(s, at(1, 3), at(5, 3), at(5, 18))
	got := s.Expired(existing)
	if want := names(s, at(5, 3)); !slices.Equal(got, want) {
		t.Errorf("expired %v, want %v", got, want)
	}
}

func TestSchedulePlanDeletesOnlyWhenItRuns(t *testing.T) {
	loc := tokyo(t)
	s := Schedule{Hour: 2, Minute: 30, Location: loc, Daily: 2}
	day := func(d int) time.Time { return time.Date(2026, 4, d, 2, 30, 0, 0, loc) }
	existing := names(s, day(1), day(2), day(3))
	if p := s.Plan(day(3).Add(time.Hour), existing); p.Run || len(p.Delete) > 0 {
		t.Errorf("not due: %+v", p)
	}
	p := s.Plan(day(4).Add(time.Minute), existing)
	if !p.Run || p.Name != s.FileName(day(4).Add(time.Minute)) || !slices.Equal(p.Delete, names(s, day(1), day(2))) {
		t.Errorf("plan %+v", p)
	}
}

func TestScheduleValidates(t *testing.T) {
	for _, s := range []Schedule{{Hour: 24, Daily: 1}, {Minute: 60, Daily: 1}, {Daily: 0}, {Daily: 1, Monthly: -1}, {Daily: 1, Prefix: "a/b"}} {
		if s.Validate() == nil {
			t.Errorf("%+v accepted", s)
		}
	}
	if err := DefaultSchedule(time.UTC).Validate(); err != nil {
		t.Error(err)
	}
}
