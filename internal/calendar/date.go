// Package calendar knows the Japanese calendar as a municipal office uses it:
// national holidays computed from the rules of 国民の祝日に関する法律, the
// year-end closure (12/29-1/3) and a city's own closed and special opening
// days.
//
// The package is pure: no I/O, no package-level state. Dates are civil dates
// (Date) with no time of day and no zone; callers turn an instant into a date
// in Asia/Tokyo with DateOf(t.In(tokyo)).
package calendar

import (
	"fmt"
	"time"
)

// Date is a civil date in the proleptic Gregorian calendar. It is comparable
// and can be used as a map key. A Date built with NewDate, DateOf or
// ParseDate is always normalised (no "February 30").
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

const dateLayout = "2006-01-02"

// NewDate returns the date, normalising out-of-range months and days the
// way time.Date does (2024-02-30 becomes 2024-03-01).
func NewDate(year int, month time.Month, day int) Date {
	return DateOf(time.Date(year, month, day, 0, 0, 0, 0, time.UTC))
}

// DateOf returns the date of t in t's own location. Convert t to
// Asia/Tokyo first when the instant comes from a clock.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("calendar: invalid date %q: %w", s, err)
	}
	return DateOf(t), nil
}

// Time returns midnight UTC of the date. UTC keeps day arithmetic free of
// daylight-saving surprises; it is not the instant the day starts in Japan.
func (d Date) Time() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// In returns the instant the date starts in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday { return d.Time().Weekday() }

// AddDays returns the date n days later (earlier when n is negative).
func (d Date) AddDays(n int) Date { return NewDate(d.Year, d.Month, d.Day+n) }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return sign(d.Year - o.Year)
	case d.Month != o.Month:
		return sign(int(d.Month) - int(o.Month))
	default:
		return sign(d.Day - o.Day)
	}
}

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// IsZero reports whether d is the zero Date (not a real day).
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d names a real day (it is normalised).
func (d Date) Valid() bool { return !d.IsZero() && NewDate(d.Year, d.Month, d.Day) == d }

// String formats the date as "YYYY-MM-DD".
func (d Date) String() string { return d.Time().Format(dateLayout) }

// MarshalText formats the date as "YYYY-MM-DD" (for JSON and settings).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses "YYYY-MM-DD".
func (d *Date) UnmarshalText(b []byte) error {
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
