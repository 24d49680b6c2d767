package booking

import (
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/calendar"
)

// dayStarts lists the "HH:MM" starts of slots on the date (Tokyo).
func dayStarts(slots []Slot, date string) []string {
	var out []string
	for _, s := range slots {
		if s.Start.Format("2006-01-02") == date {
			out = append(out, s.Start.Format("15:04"))
		}
	}
	return out
}

func mustSlots(tb testing.TB, s Settings, from, to string) []Slot {
	tb.Helper()
	slots, err := s.Slots("main", mustDate(tb, from), mustDate(tb, to), mustTokyo(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return slots
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// weekdayStarts are the slot starts of a regular weekday (Monday to Thursday).
func weekdayStarts() []string {
	return []string{"09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
		"13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00"}
}

func TestSlotsPerDay(t *testing.T) {
	fridayStarts := append(weekdayStarts()[:6], "13:00", "13:30", "14:00", "14:30", "15:00", "15:30",
		"16:00", "16:30", "17:00", "17:30", "18:00", "18:30")
	yearEndOpen := DefaultSettings()
	yearEndOpen.YearEndOpen = true
	holidayOpening := DefaultSettings()
	holidayOpening.Places[0].OpenDates["2026-11-23"] = []string{"10:00-11:00"}
	closedOpening := DefaultSettings()
	closedOpening.Places[0].ClosedDates = append(closedOpening.Places[0].ClosedDates, "2026-12-13")
	tests := []struct {
		name     string
		settings Settings
		date     string
		want     []string
	}{
		{"ordinary Monday", DefaultSettings(), "2026-11-16", weekdayStarts()},
		{"勤労感謝の日 is closed", DefaultSettings(), "2026-11-23", nil},
		{"the Tuesday after the holiday", DefaultSettings(), "2026-11-24", weekdayStarts()},
		{"Friday evening hours", DefaultSettings(), "2026-11-20", fridayStarts},
		{"Saturday has no hours", DefaultSettings(), "2026-11-21", nil},
		{"open date on a Sunday", DefaultSettings(), "2026-12-13", weekdayStarts()[:6]},
		{"open date on a holiday", holidayOpening, "2026-11-23", []string{"10:00", "10:30"}},
		{"closed date wins over an open date", closedOpening, "2026-12-13", nil},
		{"last day before the year end", DefaultSettings(), "2026-12-28", weekdayStarts()},
		{"12/29 closed", DefaultSettings(), "2026-12-29", nil},
		{"12/31 closed", DefaultSettings(), "2026-12-31", nil},
		{"1/1 closed", DefaultSettings(), "2027-01-01", nil},
		{"1/4 open again", DefaultSettings(), "2027-01-04", weekdayStarts()},
		{"year_end_open opens 12/30", yearEndOpen, "2026-12-30", weekdayStarts()},
		{"year_end_open keeps the closed date 12/29", yearEndOpen, "2026-12-29", nil},
		{"year_end_open keeps 元日 closed", yearEndOpen, "2027-01-01", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := dayStarts(mustSlots(t, tt.settings, tt.date, tt.date), tt.date)
			if !equalStrings(got, tt.want) {
				t.Errorf("starts on %s = %v, want %v", tt.date, got, tt.want)
			}
		})
	}
}

func TestSlotsAcrossAHolidayWeek(t *testing.T) {
	// Fri 11/20 (18 slots), weekend, Mon 11/23 勤労感謝の日, Tue 11/24 (13).
	slots := mustSlots(t, DefaultSettings(), "2026-11-20", "2026-11-24")
	if len(slots) != 18+13 {
		t.Fatalf("got %d slots, want 31", len(slots))
	}
	for i := 1; i < len(slots); i++ {
		if !slots[i-1].Start.Before(slots[i].Start) {
			t.Fatalf("slots out of order at %d: %v, %v", i, slots[i-1].Start, slots[i].Start)
		}
	}
	first, last := slots[0], slots[len(slots)-1]
	if first.Start.Format(minuteLayout) != "2026-11-20 09:00:00" || last.End.Format(minuteLayout) != "2026-11-24 16:30:00" {
		t.Errorf("first %v, last ends %v", first.Start, last.End)
	}
}

func TestSlotsAreTokyoInstants(t *testing.T) {
	slots := mustSlots(t, DefaultSettings(), "2026-11-16", "2026-11-16")
	first := slots[0]
	if first.Place != "main" || first.Start.Location().String() != "Asia/Tokyo" {
		t.Errorf("first slot = %+v", first)
	}
	// 09:00 in Tokyo is midnight UTC of the same date: no daylight saving.
	if got := first.Start.UTC().Format(minuteLayout); got != "2026-11-16 00:00:00" {
		t.Errorf("09:00 JST = %s UTC", got)
	}
	if d := first.End.Sub(first.Start); d != 30*time.Minute {
		t.Errorf("slot length %v", d)
	}
	// A July day has the same offset as a November one.
	july := mustSlots(t, DefaultSettings(), "2026-07-01", "2026-07-01")
	if got := july[0].Start.UTC().Format("15:04"); got != "00:00" {
		t.Errorf("July 09:00 JST = %s UTC", got)
	}
}

func TestSlotsFollowTheGivenLocation(t *testing.T) {
	// Opening hours are wall-clock hours in the location asked for.
	slots, err := DefaultSettings().Slots("main", mustDate(t, "2026-11-16"), mustDate(t, "2026-11-16"), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if got := slots[0].Start.Format(time.RFC3339); got != "2026-11-16T09:00:00Z" {
		t.Errorf("first start = %s", got)
	}
}

func TestServiceStartsStayInsideOneRange(t *testing.T) {
	s := DefaultSettings()
	s.Services[0].Slots = 2
	starts, err := s.ServiceStarts("pickup", "main", mustDate(t, "2026-11-16"), mustDate(t, "2026-11-16"), mustTokyo(t))
	if err != nil {
		t.Fatal(err)
	}
	// 11:30 would run into the lunch break, 16:00 past closing.
	want := []string{"09:00", "09:30", "10:00", "10:30", "11:00",
		"13:00", "13:30", "14:00", "14:30", "15:00", "15:30"}
	if got := dayStarts(starts, "2026-11-16"); !equalStrings(got, want) {
		t.Errorf("starts = %v, want %v", got, want)
	}
	for _, st := range starts {
		if st.End.Sub(st.Start) != time.Hour {
			t.Errorf("start %v ends %v, want one hour later", st.Start, st.End)
		}
	}
}

func TestServiceStartsOfOneSlotAreTheSlots(t *testing.T) {
	s := DefaultSettings()
	from, to := mustDate(t, "2026-12-01"), mustDate(t, "2026-12-31")
	starts, err := s.ServiceStarts("cert_renewal", "main", from, to, mustTokyo(t))
	if err != nil {
		t.Fatal(err)
	}
	slots := mustSlots(t, s, "2026-12-01", "2026-12-31")
	if len(starts) != len(slots) || len(slots) == 0 {
		t.Fatalf("%d starts, %d slots", len(starts), len(slots))
	}
	for i := range slots {
		if !starts[i].Start.Equal(slots[i].Start) || !starts[i].End.Equal(slots[i].End) {
			t.Errorf("start %d = %+v, slot %+v", i, starts[i], slots[i])
		}
	}
}

func TestSlotsRefuse(t *testing.T) {
	s := DefaultSettings()
	s.Places = append(s.Places, Place{ID: "annex", Name: "支所", SlotMinutes: 30, Capacity: 1})
	tokyo := mustTokyo(t)
	d := mustDate(t, "2026-11-16")
	tests := []struct {
		name string
		call func() error
		code apperr.Code
	}{
		{"unknown place", func() error { _, err := s.Slots("nowhere", d, d, tokyo); return err }, apperr.NotFound},
		{"unknown service", func() error { _, err := s.ServiceStarts("passport", "main", d, d, tokyo); return err }, apperr.NotFound},
		{"service not offered at the place", func() error { _, err := s.ServiceStarts("pickup", "annex", d, d, tokyo); return err }, apperr.NotFound},
		{"year without a holiday table", func() error {
			_, err := s.Slots("main", mustDate(t, "2099-12-30"), mustDate(t, "2100-01-05"), tokyo)
			return err
		}, apperr.Invalid},
		{"range too long", func() error { _, err := s.Slots("main", d, d.AddDays(401), tokyo); return err }, apperr.Invalid},
		{"zero date", func() error { _, err := s.Slots("main", calendar.Date{}, d, tokyo); return err }, apperr.Invalid},
		{"nil location", func() error { _, err := s.Slots("main", d, d, nil); return err }, apperr.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if got := apperr.CodeOf(err); err == nil || got != tt.code {
				t.Errorf("err = %v (code %s), want code %s", err, got, tt.code)
			}
		})
	}
}

func TestSlotsEmptyWhenToIsBeforeFrom(t *testing.T) {
	slots := mustSlots(t, DefaultSettings(), "2026-11-17", "2026-11-16")
	if len(slots) != 0 {
		t.Errorf("got %d slots", len(slots))
	}
}

func TestClosedReason(t *testing.T) {
	tests := []struct{ date, want string }{
		{"2026-11-16", ""},
		{"2026-11-23", "勤労感謝の日"},
		{"2026-11-21", "閉庁日"},
		{"2026-12-30", "年末年始の閉庁期間"},
		{"2026-12-29", "臨時閉庁日"},
		{"2026-12-13", ""},
	}
	for _, tt := range tests {
		got, err := DefaultSettings().ClosedReason("main", mustDate(t, tt.date))
		if err != nil || got != tt.want {
			t.Errorf("ClosedReason(%s) = %q, %v; want %q", tt.date, got, err, tt.want)
		}
	}
}

func TestSlotsRefuseUnvalidatedSettings(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Settings)
	}{
		{"malformed weekday range", func(s *Settings) { hours(s, "mon", "9-12") }},
		{"reversed weekday range", func(s *Settings) { hours(s, "mon", "12:00-09:00") }},
		{"malformed closed date", func(s *Settings) { s.Places[0].ClosedDates = []string{"12/29"} }},
		{"malformed open date", func(s *Settings) { s.Places[0].OpenDates["2026-13-13"] = []string{"09:00-12:00"} }},
		{"malformed open date range", func(s *Settings) { s.Places[0].OpenDates["2026-12-13"] = []string{"morning"} }},
		{"zero slot length", func(s *Settings) { s.Places[0].SlotMinutes = 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultSettings()
			tt.mutate(&s)
			d := mustDate(t, "2026-11-16")
			if _, err := s.Slots("main", d, d, mustTokyo(t)); err == nil {
				t.Error("Slots accepted settings that Validate refuses")
			}
			if _, err := s.ClosedReason("main", d); err == nil {
				t.Error("ClosedReason accepted settings that Validate refuses")
			}
		})
	}
}

func TestDayHours(t *testing.T) {
	s := DefaultSettings() // closed 2026-12-29, open Sunday 2026-12-13 09:00-12:00
	for _, tt := range []struct {
		day, hours, closed string
	}{
		{"2026-12-11", "09:00-12:00 13:00-19:00", ""}, // a Friday
		{"2026-12-12", "", "閉庁日"},                     // a Saturday
		{"2026-12-13", "09:00-12:00", ""},
		{"2026-11-23", "", "勤労感謝の日"},
		{"2026-12-29", "", "臨時閉庁日"},
	} {
		d, _ := calendar.ParseDate(tt.day)
		hours, closed, err := s.DayHours("main", d)
		if err != nil || strings.Join(hours, " ") != tt.hours || closed != tt.closed {
			t.Errorf("%s: %v %q %v", tt.day, hours, closed, err)
		}
	}
}
