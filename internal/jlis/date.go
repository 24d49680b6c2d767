package jlis

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Date is a civil date without time or zone: a birth date is the same day
// wherever it is read. The zero Date means "no date".
type Date struct {
	Year, Month, Day int
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, int(m), d}
}

// String returns the date as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time {
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
}

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return sign(d.Year - o.Year)
	case d.Month != o.Month:
		return sign(d.Month - o.Month)
	}
	return sign(d.Day - o.Day)
}

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// valid reports whether d exists in the Gregorian calendar.
func (d Date) valid() bool {
	return d.Year >= 1 && d.Year <= 9999 && DateOf(d.Time()) == d
}

// DateErrorKind tells an unreadable date from one that cannot exist.
type DateErrorKind int

const (
	// DateUnreadable: the text is not a date in any accepted style.
	DateUnreadable DateErrorKind = iota + 1
	// DateNonexistent: a date style was recognised but no such day exists
	// (2月30日, 13月, 昭和64年1月8日).
	DateNonexistent
)

// DateError explains why ParseDate refused its input; Reason is Japanese.
type DateError struct {
	Input  string
	Kind   DateErrorKind
	Reason string
}

func (e *DateError) Error() string { return fmt.Sprintf("「%s」: %s", e.Input, e.Reason) }

// era is a Japanese era with the Gregorian days it covers. Consecutive eras
// may share a day: 明治45年7月30日 and 大正元年7月30日 are the same day.
type era struct {
	name   string
	letter byte // the one-letter abbreviation: S45.3.1
	first  Date // first day accepted for the era
	last   Date // last day of the era; zero for the current era
	base   int  // Gregorian year of year 1 (元年)
}

// eras are tried in order. 明治 is accepted from 明治6年 only: before the
// calendar reform of 1873 Japanese dates were lunisolar and do not convert
// to the Gregorian calendar by year arithmetic.
func eras() []era {
	return []era{
		{"明治", 'M', Date{1873, 1, 1}, Date{1912, 7, 30}, 1867},
		{"大正", 'T', Date{1912, 7, 30}, Date{1926, 12, 25}, 1911},
		{"昭和", 'S', Date{1926, 12, 25}, Date{1989, 1, 7}, 1925},
		{"平成", 'H', Date{1989, 1, 8}, Date{2019, 4, 30}, 1988},
		{"令和", 'R', Date{2019, 5, 1}, Date{}, 2018},
	}
}

// ParseDate reads a date in the styles seen in delivery lists: YYYYMMDD,
// YYYY/M/D, YYYY-M-D, YYYY.M.D, YYYY年M月D日, and Japanese era dates with
// the era written out or abbreviated (昭和45年3月1日, S45.3.1, H1.1.8,
// R3.9.30, 令和元年5月1日). Full-width digits and letters, spaces and the
// one-character era signs (㍼) are accepted. Era boundaries are checked:
// 昭和64年1月8日 and 平成31年5月1日 do not exist.
func ParseDate(s string) (Date, error) {
	in := strings.TrimSpace(s)
	t := compactDate(s)
	if t == "" {
		return Date{}, &DateError{in, DateUnreadable, "日付が空"}
	}
	if e, rest, ok := cutEra(t); ok {
		return parseEraDate(in, e, rest)
	}
	y, m, d, ok := splitGregorian(t)
	if !ok {
		return Date{}, unreadable(in)
	}
	return checkDate(in, Date{y, m, d})
}

// compactDate applies NFKC (full-width digits, ㍼ → 昭和, ／ → /), drops a
// time of day that Excel appends (2026/4/1 0:00), and removes every space,
// which people insert around era names and numbers.
func compactDate(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, cutTimeOfDay(norm.NFKC.String(s)))
}

// cutTimeOfDay removes a trailing " H:MM" or " H:MM:SS".
func cutTimeOfDay(s string) string {
	s = strings.TrimSpace(s)
	i := strings.LastIndexAny(s, " \t")
	if i < 0 {
		return s
	}
	parts := strings.Split(s[i+1:], ":")
	if len(parts) < 2 || len(parts) > 3 {
		return s
	}
	for _, p := range parts {
		if !allDigits(p) || len(p) > 2 {
			return s
		}
	}
	return s[:i]
}

func unreadable(in string) error {
	return &DateError{in, DateUnreadable,
		"日付として読めない（20260401、2026/4/1、令和8年4月1日、R8.4.1 などの形にする）"}
}

// cutEra removes a leading era name or letter from t.
func cutEra(t string) (era, string, bool) {
	for _, e := range eras() {
		if rest, ok := strings.CutPrefix(t, e.name); ok {
			return e, rest, true
		}
		if len(t) > 1 && (t[0] == e.letter || t[0] == e.letter+'a'-'A') && isDigitOrGan(t[1:]) {
			return e, t[1:], true
		}
	}
	return era{}, "", false
}

func isDigitOrGan(s string) bool {
	return strings.HasPrefix(s, "元") || (s != "" && '0' <= s[0] && s[0] <= '9')
}

func parseEraDate(in string, e era, rest string) (Date, error) {
	if r, ok := strings.CutPrefix(rest, "元"); ok {
		rest = "1" + r
	}
	ey, m, d, ok := splitDate(rest, 1, 2)
	if !ok {
		return Date{}, unreadable(in)
	}
	if ey == 0 {
		return Date{}, &DateError{in, DateNonexistent, e.name + "0年はない"}
	}
	date, err := checkDate(in, Date{e.base + ey, m, d})
	if err == nil {
		err = checkEra(in, e, date)
	}
	if err != nil {
		return Date{}, err
	}
	return date, nil
}

// checkEra rejects era dates outside the era: 昭和64年1月8日 was already
// 平成元年1月8日.
func checkEra(in string, e era, d Date) error {
	switch {
	case d.Compare(e.first) < 0:
		return &DateError{in, DateNonexistent,
			fmt.Sprintf("%sは%d年%d月%d日から", e.name, e.first.Year, e.first.Month, e.first.Day)}
	case !e.last.IsZero() && d.After(e.last):
		return &DateError{in, DateNonexistent,
			fmt.Sprintf("%sは%d年%d月%d日まで", e.name, e.last.Year, e.last.Month, e.last.Day)}
	}
	return nil
}

// splitGregorian reads YYYYMMDD or a four-digit year with separators.
func splitGregorian(t string) (y, m, d int, ok bool) {
	if len(t) == 8 && allDigits(t) {
		return atoi(t[:4]), atoi(t[4:6]), atoi(t[6:]), true
	}
	return splitDate(t, 4, 4)
}

// splitDate reads Y<sep>M<sep>D where the year has minYear..maxYear digits,
// month and day one or two, and the separators are either 年 月 (with an
// optional 日) or twice the same one of / - .
func splitDate(t string, minYear, maxYear int) (y, m, d int, ok bool) {
	ys, rest, sep1 := cutNumber(t)
	ms, rest, sep2 := cutNumber(rest)
	ds, rest, sep3 := cutNumber(rest)
	if len(ys) < minYear || len(ys) > maxYear || ms == "" || len(ms) > 2 || ds == "" || len(ds) > 2 || rest != "" {
		return 0, 0, 0, false
	}
	switch {
	case sep1 == "年" && sep2 == "月" && (sep3 == "日" || sep3 == ""):
	case strings.Contains("/-.", sep1) && sep1 != "" && sep2 == sep1 && sep3 == "":
	default:
		return 0, 0, 0, false
	}
	return atoi(ys), atoi(ms), atoi(ds), true
}

// cutNumber splits t into its leading digits, the separator character after
// them (if any) and the rest.
func cutNumber(t string) (num, rest, sep string) {
	i := 0
	for i < len(t) && '0' <= t[i] && t[i] <= '9' {
		i++
	}
	num, rest = t[:i], t[i:]
	for _, r := range rest {
		return num, rest[len(string(r)):], string(r)
	}
	return num, "", ""
}

// checkDate rejects days that do not exist, saying why.
func checkDate(in string, d Date) (Date, error) {
	switch {
	case d.Year < 1:
		return Date{}, &DateError{in, DateNonexistent, "年が正しくない"}
	case d.Month < 1 || d.Month > 12:
		return Date{}, &DateError{in, DateNonexistent, fmt.Sprintf("%d月はない", d.Month)}
	case d.Day < 1:
		return Date{}, &DateError{in, DateNonexistent, fmt.Sprintf("%d日はない", d.Day)}
	case !d.valid():
		last := DateOf(Date{d.Year, d.Month + 1, 1}.Time().AddDate(0, 0, -1)).Day
		return Date{}, &DateError{in, DateNonexistent,
			fmt.Sprintf("%d年%d月は%d日まで", d.Year, d.Month, last)}
	}
	return d, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// atoi converts a short string of ASCII digits checked by the caller.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
