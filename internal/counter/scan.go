package counter

import "github.com/kofu-oss/kofu/internal/scan"

// What a scanned or typed code names.
const (
	ScanBooking = "booking" // a booking code
	ScanNotice  = "notice"  // a 交付通知書番号
)

// Scanned is a code read from what a resident or clerk scanned or typed.
type Scanned struct {
	Kind  string
	Value string // booking code without hyphen, or notice number "ABC-123456"
}

// ParseScan reads what a resident or clerk scanned or typed through
// scan.Parse, the one place that decides what a printed code means. It
// reports false for anything else.
func ParseScan(text string) (Scanned, bool) {
	switch k, v := scan.Parse(text); k {
	case scan.Booking:
		return Scanned{Kind: ScanBooking, Value: v}, true
	case scan.Notice:
		return Scanned{Kind: ScanNotice, Value: v}, true
	}
	return Scanned{}, false
}
