package booking

import (
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/calendar"
)

const minuteLayout = "2006-01-02 15:04:05"

func mustTokyo(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

// mustJST parses "YYYY-MM-DD HH:MM:SS" as Tokyo wall-clock time.
func mustJST(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation(minuteLayout, s, mustTokyo(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// mustUTC parses "YYYY-MM-DD HH:MM:SS" as UTC, the way a server clock
// might hand "now" to the domain.
func mustUTC(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(minuteLayout, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func mustDate(tb testing.TB, s string) calendar.Date {
	tb.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}
