package calendar

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// published lists the national holidays as published by the Cabinet Office
// (内閣府「国民の祝日について」), typed in by hand, one year at a time. The
// Cabinet Office CSV calls every non-祝日 day off "休日"; here 振替休日 and
// 国民の休日 are told apart.
var published = map[int][]Holiday{
	2020: {
		h("2020-01-01", "元日"),
		h("2020-01-13", "成人の日"),
		h("2020-02-11", "建国記念の日"),
		h("2020-02-23", "天皇誕生日"),
		h("2020-02-24", "振替休日"),
		h("2020-03-20", "春分の日"),
		h("2020-04-29", "昭和の日"),
		h("2020-05-03", "憲法記念日"),
		h("2020-05-04", "みどりの日"),
		h("2020-05-05", "こどもの日"),
		h("2020-05-06", "振替休日"),
		h("2020-07-23", "海の日"),
		h("2020-07-24", "スポーツの日"),
		h("2020-08-10", "山の日"),
		h("2020-09-21", "敬老の日"),
		h("2020-09-22", "秋分の日"),
		h("2020-11-03", "文化の日"),
		h("2020-11-23", "勤労感謝の日"),
	},
	2021: {
		h("2021-01-01", "元日"),
		h("2021-01-11", "成人の日"),
		h("2021-02-11", "建国記念の日"),
		h("2021-02-23", "天皇誕生日"),
		h("2021-03-20", "春分の日"),
		h("2021-04-29", "昭和の日"),
		h("2021-05-03", "憲法記念日"),
		h("2021-05-04", "みどりの日"),
		h("2021-05-05", "こどもの日"),
		h("2021-07-22", "海の日"),
		h("2021-07-23", "スポーツの日"),
		h("2021-08-08", "山の日"),
		h("2021-08-09", "振替休日"),
		h("2021-09-20", "敬老の日"),
		h("2021-09-23", "秋分の日"),
		h("2021-11-03", "文化の日"),
		h("2021-11-23", "勤労感謝の日"),
	},
	2022: {
		h("2022-01-01", "元日"),
		h("2022-01-10", "成人の日"),
		h("2022-02-11", "建国記念の日"),
		h("2022-02-23", "天皇誕生日"),
		h("2022-03-21", "春分の日"),
		h("2022-04-29", "昭和の日"),
		h("2022-05-03", "憲法記念日"),
		h("2022-05-04", "みどりの日"),
		h("2022-05-05", "こどもの日"),
		h("2022-07-18", "海の日"),
		h("2022-08-11", "山の日"),
		h("2022-09-19", "敬老の日"),
		h("2022-09-23", "秋分の日"),
		h("2022-10-10", "スポーツの日"),
		h("2022-11-03", "文化の日"),
		h("2022-11-23", "勤労感謝の日"),
	},
	2023: {
		h("2023-01-01", "元日"),
		h("2023-01-02", "振替休日"),
		h("2023-01-09", "成人の日"),
		h("2023-02-11", "建国記念の日"),
		h("2023-02-23", "天皇誕生日"),
		h("2023-03-21", "春分の日"),
		h("2023-04-29", "昭和の日"),
		h("2023-05-03", "憲法記念日"),
		h("2023-05-04", "みどりの日"),
		h("2023-05-05", "こどもの日"),
		h("2023-07-17", "海の日"),
		h("2023-08-11", "山の日"),
		h("2023-09-18", "敬老の日"),
		h("2023-09-23", "秋分の日"),
		h("2023-10-09", "スポーツの日"),
		h("2023-11-03", "文化の日"),
		h("2023-11-23", "勤労感謝の日"),
	},
	2024: {
		h("2024-01-01", "元日"),
		h("2024-01-08", "成人の日"),
		h("2024-02-11", "建国記念の日"),
		h("2024-02-12", "振替休日"),
		h("2024-02-23", "天皇誕生日"),
		h("2024-03-20", "春分の日"),
		h("2024-04-29", "昭和の日"),
		h("2024-05-03", "憲法記念日"),
		h("2024-05-04", "みどりの日"),
		h("2024-05-05", "こどもの日"),
		h("2024-05-06", "振替休日"),
		h("2024-07-15", "海の日"),
		h("2024-08-11", "山の日"),
		h("2024-08-12", "振替休日"),
		h("2024-09-16", "敬老の日"),
		h("2024-09-22", "秋分の日"),
		h("2024-09-23", "振替休日"),
		h("2024-10-14", "スポーツの日"),
		h("2024-11-03", "文化の日"),
		h("2024-11-04", "振替休日"),
		h("2024-11-23", "勤労感謝の日"),
	},
	2025: {
		h("2025-01-01", "元日"),
		h("2025-01-13", "成人の日"),
		h("2025-02-11", "建国記念の日"),
		h("2025-02-23", "天皇誕生日"),
		h("2025-02-24", "振替休日"),
		h("2025-03-20", "春分の日"),
		h("2025-04-29", "昭和の日"),
		h("2025-05-03", "憲法記念日"),
		h("2025-05-04", "みどりの日"),
		h("2025-05-05", "こどもの日"),
		h("2025-05-06", "振替休日"),
		h("2025-07-21", "海の日"),
		h("2025-08-11", "山の日"),
		h("2025-09-15", "敬老の日"),
		h("2025-09-23", "秋分の日"),
		h("2025-10-13", "スポーツの日"),
		h("2025-11-03", "文化の日"),
		h("2025-11-23", "勤労感謝の日"),
		h("2025-11-24", "振替休日"),
	},
	2026: {
		h("2026-01-01", "元日"),
		h("2026-01-12", "成人の日"),
		h("2026-02-11", "建国記念の日"),
		h("2026-02-23", "天皇誕生日"),
		h("2026-03-20", "春分の日"),
		h("2026-04-29", "昭和の日"),
		h("2026-05-03", "憲法記念日"),
		h("2026-05-04", "みどりの日"),
		h("2026-05-05", "こどもの日"),
		h("2026-05-06", "振替休日"),
		h("2026-07-20", "海の日"),
		h("2026-08-11", "山の日"),
		h("2026-09-21", "敬老の日"),
		h("2026-09-22", "国民の休日"),
		h("2026-09-23", "秋分の日"),
		h("2026-10-12", "スポーツの日"),
		h("2026-11-03", "文化の日"),
		h("2026-11-23", "勤労感謝の日"),
	},
	2027: {
		h("2027-01-01", "元日"),
		h("2027-01-11", "成人の日"),
		h("2027-02-11", "建国記念の日"),
		h("2027-02-23", "天皇誕生日"),
		h("2027-03-21", "春分の日"),
		h("2027-03-22", "振替休日"),
		h("2027-04-29", "昭和の日"),
		h("2027-05-03", "憲法記念日"),
		h("2027-05-04", "みどりの日"),
		h("2027-05-05", "こどもの日"),
		h("2027-07-19", "海の日"),
		h("2027-08-11", "山の日"),
		h("2027-09-20", "敬老の日"),
		h("2027-09-23", "秋分の日"),
		h("2027-10-11", "スポーツの日"),
		h("2027-11-03", "文化の日"),
		h("2027-11-23", "勤労感謝の日"),
	},
}

func h(date, name string) Holiday { return Holiday{Date: mustDate(date), Name: name} }

func mustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestHolidaysMatchPublishedList(t *testing.T) {
	for year := 2020; year <= 2027; year++ {
		t.Run(fmt.Sprint(year), func(t *testing.T) {
			want := toMap(published[year])
			got := toMap(Holidays(year))
			for d, name := range want {
				if g, ok := got[d]; !ok {
					t.Errorf("missing %s %s", d, name)
				} else if g != name {
					t.Errorf("%s: name %q, want %q", d, g, name)
				}
			}
			for d, name := range got {
				if _, ok := want[d]; !ok {
					t.Errorf("extra %s %s", d, name)
				}
			}
		})
	}
}

func toMap(hs []Holiday) map[Date]string {
	m := make(map[Date]string, len(hs))
	for _, h := range hs {
		m[h.Date] = h.Name
	}
	return m
}

// The test list itself must be right: every published day is in its year,
// and 振替休日 never falls on a weekend.
func TestPublishedListIsConsistent(t *testing.T) {
	for year, hs := range published {
		for _, h := range hs {
			if h.Date.Year != year || !h.Date.Valid() {
				t.Errorf("%d: bad entry %v", year, h)
			}
			if h.Name == SubstituteHoliday && h.Date.Weekday() == time.Sunday {
				t.Errorf("%d: 振替休日 on a Sunday: %v", year, h)
			}
		}
	}
}

func TestIsHolidayHistory(t *testing.T) {
	tests := []struct {
		date string
		name string // "" when not a holiday
		why  string
	}{
		{"1980-01-15", "成人の日", "fixed date before Happy Monday"},
		{"1980-11-24", "振替休日", "old substitute rule"},
		{"1985-05-04", "", "国民の休日 did not exist yet"},
		{"1988-04-29", "天皇誕生日", "Showa emperor's birthday"},
		{"1988-05-04", "国民の休日", "first 国民の休日"},
		{"1989-02-24", "昭和天皇の大喪の礼", "one-off special law"},
		{"1989-04-29", "みどりの日", "renamed after 1989"},
		{"1989-12-23", "天皇誕生日", "Heisei emperor's birthday"},
		{"1990-11-12", "即位礼正殿の儀", "one-off special law"},
		{"1992-05-04", "振替休日", "before 2007 a 振替休日 is not also 国民の休日"},
		{"1993-06-09", "皇太子徳仁親王の結婚の儀", "one-off special law"},
		{"1997-05-04", "", "before 2007 a Sunday could not be 国民の休日"},
		{"1996-07-20", "海の日", "fixed date"},
		{"2000-01-10", "成人の日", "first Happy Monday"},
		{"2003-07-21", "海の日", "Happy Monday from 2003"},
		{"2006-05-04", "国民の休日", "last year of the old rule"},
		{"2007-04-29", "昭和の日", "created 2007"},
		{"2007-05-04", "みどりの日", "moved 2007"},
		{"2008-05-06", "振替休日", "new rule skips 5/4 and 5/5"},
		{"2009-09-22", "国民の休日", "silver week"},
		{"2015-09-22", "国民の休日", "silver week"},
		{"2016-08-11", "山の日", "created 2016"},
		{"2015-08-11", "", "before 山の日"},
		{"2018-12-24", "振替休日", "Heisei emperor's birthday on Sunday"},
		{"2019-02-23", "", "no emperor's birthday in 2019"},
		{"2019-12-23", "", "no emperor's birthday in 2019"},
		{"2019-04-30", "国民の休日", "between 昭和の日 and 即位の日"},
		{"2019-05-01", "天皇の即位の日", "one-off special law"},
		{"2019-05-02", "国民の休日", "between 即位の日 and 憲法記念日"},
		{"2019-05-06", "振替休日", "こどもの日 on Sunday"},
		{"2019-10-14", "体育の日", "last 体育の日"},
		{"2019-10-22", "即位礼正殿の儀", "one-off special law"},
		{"2020-07-20", "", "Olympics: 海の日 moved away"},
		{"2020-10-12", "", "Olympics: スポーツの日 moved away"},
		{"2020-08-11", "", "Olympics: 山の日 moved away"},
		{"2021-07-19", "", "Olympics: 海の日 moved away"},
		{"2021-08-11", "", "Olympics: 山の日 moved away"},
		{"2021-10-11", "", "Olympics: スポーツの日 moved away"},
		{"2022-07-18", "海の日", "back to Happy Monday"},
		{"2032-09-21", "国民の休日", "silver week"},
		{"2099-12-23", "", "no emperor's birthday in December"},
		{"2099-03-20", "春分の日", "last supported year"},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			name, ok := IsHoliday(mustDate(tt.date))
			if ok != (tt.name != "") || name != tt.name {
				t.Errorf("IsHoliday = %q, %v; want %q (%s)", name, ok, tt.name, tt.why)
			}
		})
	}
}

func TestHolidaysOutsideSupportedYearsIsNil(t *testing.T) {
	for _, year := range []int{0, 1900, MinYear - 1, MaxYear + 1, 3000} {
		if got := Holidays(year); got != nil {
			t.Errorf("Holidays(%d) = %v, want nil", year, got)
		}
		if Supported(year) {
			t.Errorf("Supported(%d) = true", year)
		}
	}
	if _, ok := IsHoliday(NewDate(2100, time.January, 1)); ok {
		t.Error("IsHoliday(2100-01-01) = true, want false outside the supported range")
	}
}

// Properties that hold for every supported year, whatever the rules.
func TestHolidaysInvariants(t *testing.T) {
	for year := MinYear; year <= MaxYear; year++ {
		hs := Holidays(year)
		if len(hs) < 12 || len(hs) > 22 {
			t.Errorf("%d: %d holidays", year, len(hs))
		}
		for i, h := range hs {
			if h.Date.Year != year || h.Name == "" {
				t.Errorf("%d: bad holiday %v", year, h)
			}
			if i > 0 && !hs[i-1].Date.Before(h.Date) {
				t.Errorf("%d: not strictly sorted at %v", year, h)
			}
			checkSubstitute(t, hs, h)
			checkCitizens(t, hs, h)
		}
	}
}

// checkSubstitute: a 振替休日 follows a run of holidays that starts on Sunday.
func checkSubstitute(t *testing.T, hs []Holiday, h Holiday) {
	t.Helper()
	if h.Name != SubstituteHoliday {
		return
	}
	if h.Date.Weekday() == time.Saturday || h.Date.Weekday() == time.Sunday {
		t.Errorf("%s: 振替休日 on a weekend", h.Date)
	}
	d := h.Date.AddDays(-1)
	for isIn(hs, d) && d.Weekday() != time.Sunday {
		d = d.AddDays(-1)
	}
	if !isIn(hs, d) || d.Weekday() != time.Sunday {
		t.Errorf("%s: 振替休日 without a Sunday holiday before it", h.Date)
	}
}

// checkCitizens: a 国民の休日 lies between two holidays.
func checkCitizens(t *testing.T, hs []Holiday, h Holiday) {
	t.Helper()
	if h.Name == CitizensHoliday && !(isIn(hs, h.Date.AddDays(-1)) && isIn(hs, h.Date.AddDays(1))) {
		t.Errorf("%s: 国民の休日 not between two holidays", h.Date)
	}
}

func isIn(hs []Holiday, d Date) bool {
	for _, h := range hs {
		if h.Date == d {
			return true
		}
	}
	return false
}

// Two rules landing on one day would silently hide a holiday.
func TestRulesNeverCollide(t *testing.T) {
	for year := MinYear; year <= MaxYear; year++ {
		seen := map[Date]string{}
		for _, r := range statutoryRules() {
			d, ok := r.dateIn(year)
			if !ok {
				continue
			}
			if other, dup := seen[d]; dup {
				t.Errorf("%s: %s and %s", d, other, r.name)
			}
			seen[d] = r.name
		}
	}
}

// Since 2007 every Sunday 祝日 must produce a 振替休日 somewhere after it.
func TestEverySundayHolidayHasSubstitute(t *testing.T) {
	for year := reform2007; year <= MaxYear; year++ {
		hs := Holidays(year)
		for _, h := range hs {
			if h.Date.Weekday() != time.Sunday || h.Name == CitizensHoliday {
				continue
			}
			d := h.Date.AddDays(1)
			for isIn(hs, d) && toMap(hs)[d] != SubstituteHoliday {
				d = d.AddDays(1)
			}
			if toMap(hs)[d] != SubstituteHoliday {
				t.Errorf("%s %s on Sunday: no 振替休日", h.Date, h.Name)
			}
		}
	}
}

// The integer evaluation must give the same day as the textbook float
// formula for every supported year.
func TestEquinoxMatchesFloatFormula(t *testing.T) {
	for year := MinYear; year <= MaxYear; year++ {
		n := float64(year - 1980)
		spring := int(math.Floor(20.8431+0.242194*n)) - (year-1980)/4
		autumn := int(math.Floor(23.2488+0.242194*n)) - (year-1980)/4
		if got := vernalEquinox(year).Day; got != spring {
			t.Errorf("%d: 春分 %d, float formula %d", year, got, spring)
		}
		if got := autumnalEquinox(year).Day; got != autumn {
			t.Errorf("%d: 秋分 %d, float formula %d", year, got, autumn)
		}
	}
}

func TestNthMonday(t *testing.T) {
	tests := []struct {
		year  int
		month time.Month
		n     int
		want  string
	}{
		{2024, time.January, 2, "2024-01-08"}, // month starts on Monday
		{2023, time.January, 2, "2023-01-09"}, // month starts on Sunday
		{2022, time.October, 2, "2022-10-10"}, // month starts on Saturday
		{2025, time.September, 3, "2025-09-15"},
		{2026, time.July, 3, "2026-07-20"},
	}
	for _, tt := range tests {
		if got := nthMonday(tt.month, tt.n)(tt.year); got != mustDate(tt.want) {
			t.Errorf("nthMonday(%v, %d)(%d) = %s, want %s", tt.month, tt.n, tt.year, got, tt.want)
		}
	}
}

func TestHolidaysBetween(t *testing.T) {
	got := HolidaysBetween(mustDate("2024-12-23"), mustDate("2025-01-13"))
	want := []Holiday{h("2025-01-01", "元日"), h("2025-01-13", "成人の日")}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := HolidaysBetween(mustDate("2025-01-02"), mustDate("2025-01-12")); len(got) != 0 {
		t.Errorf("no holiday expected, got %v", got)
	}
	if got := HolidaysBetween(mustDate("2025-02-01"), mustDate("2025-01-01")); len(got) != 0 {
		t.Errorf("reversed range: got %v", got)
	}
}

func TestIsYearEndClosure(t *testing.T) {
	tests := []struct {
		date string
		want bool
	}{
		{"2025-12-28", false},
		{"2025-12-29", true},
		{"2025-12-31", true},
		{"2026-01-01", true},
		{"2026-01-03", true},
		{"2026-01-04", false},
		{"2026-06-29", false},
		{"2026-01-29", false},
	}
	for _, tt := range tests {
		if got := IsYearEndClosure(mustDate(tt.date)); got != tt.want {
			t.Errorf("IsYearEndClosure(%s) = %v, want %v", tt.date, got, tt.want)
		}
	}
}
