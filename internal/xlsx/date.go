package xlsx

import (
	"math"
	"time"
)

// DateOf is the day of an Excel date serial number (the time of day is
// dropped). Excel's 1900 calendar counts a 29 February 1900 that never
// was, so serials before 61 start a day later.
func DateOf(serial float64, date1904 bool) time.Time {
	days := int(math.Floor(serial))
	switch {
	case date1904:
		return time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	case days < 61:
		return time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	}
	return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
}
