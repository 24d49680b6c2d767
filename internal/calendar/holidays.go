package calendar

import (
	"maps"
	"slices"
	"sync"
	"time"
)

// The years for which Holidays is defined. The equinox formula used for
// 春分の日 and 秋分の日 is valid from 1980 to 2099; outside that range the
// package refuses to guess rather than give a wrong calendar.
const (
	MinYear = 1980
	MaxYear = 2099
)

// Names of the days that are 休日 but not 国民の祝日.
const (
	SubstituteHoliday = "振替休日"  // 第3条第2項
	CitizensHoliday   = "国民の休日" // 第3条第3項
)

// Years in which the law changed how 振替休日 and 国民の休日 work.
const (
	// citizensHolidayFrom: 国民の休日 was created by the amendment of
	// 1985-12-27; the first day it produced was 1988-05-04.
	citizensHolidayFrom = 1986
	// reform2007: the amendment in force from 2007-01-01 (which also created
	// 昭和の日) let a Sunday holiday move past following holidays, and
	// dropped the Sunday/振替休日 exclusions of 国民の休日.
	reform2007 = 2007
)

// Holiday is a day off under the holiday law: a 国民の祝日, a 振替休日, a
// 国民の休日, or a one-off day off set by a special law.
type Holiday struct {
	Date Date
	Name string // Japanese name, e.g. "元日", "振替休日", "国民の休日"
}

// Supported reports whether Holidays knows the year.
func Supported(year int) bool { return year >= MinYear && year <= MaxYear }

// Holidays returns the holidays of the year in date order, or nil when the
// year is not Supported.
func Holidays(year int) []Holiday { return slices.Clone(yearOf(year).list) }

// HolidaysBetween returns the holidays from from to to, both included, in
// date order. Years that are not Supported contribute nothing.
func HolidaysBetween(from, to Date) []Holiday {
	var out []Holiday
	for y := from.Year; y <= to.Year; y++ {
		for _, h := range yearOf(y).list {
			if !h.Date.Before(from) && !h.Date.After(to) {
				out = append(out, h)
			}
		}
	}
	return out
}

// IsHoliday returns the holiday's name when d is a holiday.
func IsHoliday(d Date) (name string, ok bool) {
	name, ok = yearOf(d.Year).names[d]
	return name, ok
}

// yearHolidays is one year's holidays, in date order and by date.
type yearHolidays struct {
	list  []Holiday
	names map[Date]string
}

// years keeps each year's holidays once worked out: every slot of every
// booking and calendar asks for them (issue #8). They are never written
// again, so callers share them; Supported bounds the years kept.
var years sync.Map // int → yearHolidays

func yearOf(year int) yearHolidays {
	if y, ok := years.Load(year); ok {
		return y.(yearHolidays)
	}
	if !Supported(year) {
		return yearHolidays{}
	}
	named := namedHolidays(year)
	days := maps.Clone(named)
	addSubstitutes(days, named)
	addCitizensHolidays(days, named)
	y := yearHolidays{list: sortedHolidays(days), names: days}
	years.Store(year, y)
	return y
}

// IsYearEndClosure reports whether d falls in the year-end and new-year
// closure of public offices (12/29 to 1/3, 行政機関の休日に関する法律).
func IsYearEndClosure(d Date) bool {
	return (d.Month == time.December && d.Day >= 29) || (d.Month == time.January && d.Day <= 3)
}

// namedHolidays returns the 国民の祝日 of the year (and the special-law days
// that count as such), keyed by date.
func namedHolidays(year int) map[Date]string {
	out := make(map[Date]string, 20)
	for _, r := range statutoryRules() {
		if d, ok := r.dateIn(year); ok {
			out[d] = r.name
		}
	}
	return out
}

// addSubstitutes adds 振替休日 for the 国民の祝日 that fall on a Sunday.
// Until 2006 only the next day qualified, and only if it was not itself a
// 祝日; since 2007 the day off moves to the first following non-祝日.
// No 祝日 falls on 12/31, so the result never spills into the next year.
func addSubstitutes(days, named map[Date]string) {
	for d := range named {
		if d.Weekday() != time.Sunday {
			continue
		}
		next := d.AddDays(1)
		for d.Year >= reform2007 && isNamed(named, next) {
			next = next.AddDays(1)
		}
		if !isNamed(named, next) {
			days[next] = SubstituteHoliday
		}
	}
}

// addCitizensHolidays adds 国民の休日: a day that is not a 祝日 and lies
// between two 祝日. Must run after addSubstitutes, because before 2007 a
// 振替休日 could not also be a 国民の休日, and since then the day keeps its
// 振替休日 name (it is a day off either way).
func addCitizensHolidays(days, named map[Date]string) {
	for d := range named {
		mid := d.AddDays(1)
		if isNamed(named, mid) || !isNamed(named, mid.AddDays(1)) {
			continue
		}
		if citizensHolidayApplies(mid, days) {
			days[mid] = CitizensHoliday
		}
	}
}

func citizensHolidayApplies(d Date, days map[Date]string) bool {
	_, taken := days[d]
	switch {
	case d.Year < citizensHolidayFrom:
		return false
	case d.Year < reform2007:
		return !taken && d.Weekday() != time.Sunday
	default:
		return !taken
	}
}

func isNamed(named map[Date]string, d Date) bool {
	_, ok := named[d]
	return ok
}

func sortedHolidays(days map[Date]string) []Holiday {
	out := make([]Holiday, 0, len(days))
	for d, name := range days {
		out = append(out, Holiday{Date: d, Name: name})
	}
	slices.SortFunc(out, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return out
}
