package counter

import (
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/kofu-oss/kofu/internal/reserve"
)

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

var noticeExact = regexp.MustCompile(`^[0-9A-Z]{3}-?[0-9]{6}$`)

// ParseScan reads a booking code (with or without its hyphen, as the
// booking QR holds it), a notice number, the notice's QR (a URL ending in
// /N/ and the number), or a URL carrying either as its code or notice
// parameter. It reports false for anything else.
func ParseScan(text string) (Scanned, bool) {
	s := strings.TrimSpace(norm.NFKC.String(text))
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && u.Host != "" {
		q := u.Query()
		for _, k := range []string{"code", "notice", "notice_number"} {
			if v := q.Get(k); v != "" {
				return parsePlain(v)
			}
		}
		// The notice's QR: HTTPS://host/N/ABC-123456.
		if rest, ok := strings.CutPrefix(strings.ToUpper(u.Path), "/N/"); ok {
			if sc, ok := parsePlain(rest); ok && sc.Kind == ScanNotice {
				return sc, true
			}
		}
		return Scanned{}, false
	}
	return parsePlain(s)
}

func parsePlain(s string) (Scanned, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) > 40 {
		return Scanned{}, false
	}
	if code, ok := reserve.NormalizeCode(s); ok {
		return Scanned{Kind: ScanBooking, Value: code}, true
	}
	n := strings.NewReplacer("‐", "-", "−", "-", "ー", "-", " ", "").Replace(s)
	if noticeExact.MatchString(n) {
		n = strings.ReplaceAll(n, "-", "")
		return Scanned{Kind: ScanNotice, Value: n[:3] + "-" + n[3:]}, true
	}
	return Scanned{}, false
}
