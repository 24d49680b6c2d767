package booking

import (
	"fmt"
	"time"
)

const minutesPerDay = 24 * 60

// timeRange is an opening period of one day, in minutes since midnight;
// end is exclusive and at most 24:00.
type timeRange struct{ start, end int }

// parseClock reads "HH:MM" (two digits each) from 00:00 to 24:00.
func parseClock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, okH := twoDigits(s[0:2])
	m, okM := twoDigits(s[3:5])
	if !okH || !okM || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

func twoDigits(s string) (int, bool) {
	if s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

// parseRange reads "HH:MM-HH:MM". It does not check that start < end.
func parseRange(s string) (timeRange, bool) {
	if len(s) != 11 || s[5] != '-' {
		return timeRange{}, false
	}
	start, ok1 := parseClock(s[:5])
	end, ok2 := parseClock(s[6:])
	if !ok1 || !ok2 || start == minutesPerDay {
		return timeRange{}, false
	}
	return timeRange{start, end}, true
}

// parseRanges reads a day's ranges, failing on the first malformed one.
// Validate reports the details; this is for settings already validated.
func parseRanges(specs []string) ([]timeRange, error) {
	out := make([]timeRange, 0, len(specs))
	for _, spec := range specs {
		r, ok := parseRange(spec)
		if !ok || r.end <= r.start {
			return nil, fmt.Errorf("booking: invalid time range %q", spec)
		}
		out = append(out, r)
	}
	return out, nil
}

func (r timeRange) length() int { return r.end - r.start }

func (r timeRange) String() string { return clockString(r.start) + "-" + clockString(r.end) }

func clockString(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }

// minuteOfDay is the wall-clock time of t in minutes since midnight.
func minuteOfDay(t time.Time) int { return t.Hour()*60 + t.Minute() }

// weekdayKeys are the keys of Place.Hours, indexed by time.Weekday.
func weekdayKeys() [7]string {
	return [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
}

// hoursKeyOrder is the order in which Validate reports the days.
func hoursKeyOrder() []string {
	return []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
}

func validWeekdayKey(k string) bool {
	for _, w := range weekdayKeys() {
		if w == k {
			return true
		}
	}
	return false
}
