package calendar

import "time"

// dayRule places a holiday in a year.
type dayRule func(year int) Date

// rule is one line of the holiday law: a name, the years it is in force and
// how its date is found. moved holds one-year exceptions set by special
// laws (the Tokyo Olympics moved three holidays in 2020 and 2021); they are
// data here rather than branches in the code.
type rule struct {
	name  string
	from  int // first year in force
	to    int // last year in force; 0 while still in force
	day   dayRule
	moved map[int]Date
}

func (r rule) dateIn(year int) (Date, bool) {
	if year < r.from || (r.to != 0 && year > r.to) {
		return Date{}, false
	}
	if d, ok := r.moved[year]; ok {
		return d, true
	}
	return r.day(year), true
}

// statutoryRules is the rule table from 1980 on. It is built by a function
// so that no caller can change it.
func statutoryRules() []rule {
	olympic := func(m20 time.Month, d20 int, m21 time.Month, d21 int) map[int]Date {
		return map[int]Date{2020: NewDate(2020, m20, d20), 2021: NewDate(2021, m21, d21)}
	}
	return []rule{
		{name: "元日", from: 1949, day: fixed(time.January, 1)},
		{name: "成人の日", from: 1949, to: 1999, day: fixed(time.January, 15)},
		{name: "成人の日", from: 2000, day: nthMonday(time.January, 2)},
		{name: "建国記念の日", from: 1967, day: fixed(time.February, 11)},
		{name: "天皇誕生日", from: 1949, to: 1988, day: fixed(time.April, 29)},
		{name: "天皇誕生日", from: 1989, to: 2018, day: fixed(time.December, 23)},
		// 2019 has no 天皇誕生日: the new Emperor acceded on 5/1 and the
		// 2/23 date took effect from 2020.
		{name: "天皇誕生日", from: 2020, day: fixed(time.February, 23)},
		{name: "春分の日", from: 1949, day: vernalEquinox},
		{name: "みどりの日", from: 1989, to: 2006, day: fixed(time.April, 29)},
		{name: "昭和の日", from: 2007, day: fixed(time.April, 29)},
		{name: "憲法記念日", from: 1949, day: fixed(time.May, 3)},
		{name: "みどりの日", from: 2007, day: fixed(time.May, 4)},
		{name: "こどもの日", from: 1949, day: fixed(time.May, 5)},
		{name: "海の日", from: 1996, to: 2002, day: fixed(time.July, 20)},
		{name: "海の日", from: 2003, day: nthMonday(time.July, 3),
			moved: olympic(time.July, 23, time.July, 22)},
		{name: "山の日", from: 2016, day: fixed(time.August, 11),
			moved: olympic(time.August, 10, time.August, 8)},
		{name: "敬老の日", from: 1966, to: 2002, day: fixed(time.September, 15)},
		{name: "敬老の日", from: 2003, day: nthMonday(time.September, 3)},
		{name: "秋分の日", from: 1948, day: autumnalEquinox},
		{name: "体育の日", from: 1966, to: 1999, day: fixed(time.October, 10)},
		{name: "体育の日", from: 2000, to: 2019, day: nthMonday(time.October, 2)},
		{name: "スポーツの日", from: 2020, day: nthMonday(time.October, 2),
			moved: olympic(time.July, 24, time.July, 23)},
		{name: "文化の日", from: 1948, day: fixed(time.November, 3)},
		{name: "勤労感謝の日", from: 1948, day: fixed(time.November, 23)},
		// Days off set once by special laws. The 2019 laws say these days
		// count as 国民の祝日 for 振替休日 and 国民の休日, which is what made
		// 4/30 and 5/2 of 2019 days off.
		oneOff("昭和天皇の大喪の礼", NewDate(1989, time.February, 24)),
		oneOff("即位礼正殿の儀", NewDate(1990, time.November, 12)),
		oneOff("皇太子徳仁親王の結婚の儀", NewDate(1993, time.June, 9)),
		oneOff("天皇の即位の日", NewDate(2019, time.May, 1)),
		oneOff("即位礼正殿の儀", NewDate(2019, time.October, 22)),
	}
}

func oneOff(name string, d Date) rule {
	return rule{name: name, from: d.Year, to: d.Year, day: fixed(d.Month, d.Day)}
}

func fixed(m time.Month, day int) dayRule {
	return func(year int) Date { return NewDate(year, m, day) }
}

// nthMonday is the Happy Monday rule: the n-th Monday of the month.
func nthMonday(m time.Month, n int) dayRule {
	return func(year int) Date {
		first := NewDate(year, m, 1)
		offset := (int(time.Monday) - int(first.Weekday()) + 7) % 7
		return first.AddDays(offset + 7*(n-1))
	}
}

// The equinox days are fixed each February in the 官報 from the
// astronomical almanac. For 1980-2099 the usual approximation
//
//	day = int(C + 0.242194*(y-1980)) - int((y-1980)/4)
//
// with C = 20.8431 (March) or 23.2488 (September) gives the same dates.
// It is evaluated in millionths of a day so that no float rounding can
// move a date.
const (
	vernalBase    = 20_843_100
	autumnalBase  = 23_248_800
	yearDrift     = 242_194
	microsPerDay  = 1_000_000
	equinoxOrigin = 1980
)

func vernalEquinox(year int) Date {
	return NewDate(year, time.March, equinoxDay(vernalBase, year))
}

func autumnalEquinox(year int) Date {
	return NewDate(year, time.September, equinoxDay(autumnalBase, year))
}

func equinoxDay(base, year int) int {
	n := year - equinoxOrigin
	return (base+yearDrift*n)/microsPerDay - n/4
}
