// Package scan reads what a QR or barcode reader (or a person) types into
// a scan field: everything Kofu prints that points at a card or a booking.
// It is the one place that decides what a scanned text means, for the
// header scan field, the counter and check-in alike.
package scan

import (
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
)

// Kind is what a scanned text names.
type Kind string

const (
	Unknown Kind = ""        // nothing Kofu prints
	Notice  Kind = "notice"  // a 交付通知書番号 (A1B-123456), as on the letter and its QR
	Booking Kind = "booking" // a booking code (stored form ABCDEFGH), as in the confirmation's QR
)

// noticeInText finds a notice number inside a longer text (a URL a reader
// typed, or a line with other words), bounded so that it is not part of a
// longer run of letters and digits.
var noticeInText = regexp.MustCompile(`(?:^|[^0-9A-Z])([0-9A-Z]{3}-?[0-9]{6})(?:$|[^0-9A-Z])`)

// Parse tells what text names and returns the value in stored form: the
// notice number with its hyphen, or the booking code without it. It reads
//   - a notice number, with or without the hyphen (A1B-123456, a1b123456);
//   - a booking code, with or without the hyphen (RWDS-Y5YH, rwdsy5yh);
//   - a URL Kofu prints: /N/{notice} on the letters, or one carrying the
//     booking code in its code parameter (the confirmation and manage links);
//   - any other text holding exactly a notice number (older letters' URLs).
//
// Full-width characters and surrounding spaces are accepted, as a reader
// set to a Japanese input mode types them.
func Parse(text string) (Kind, string) {
	s := strings.TrimSpace(norm.NFKC.String(text))
	if s == "" || len(s) > 2048 {
		return Unknown, ""
	}
	if k, v := whole(s); k != Unknown {
		return k, v
	}
	if k, v := fromURL(s); k != Unknown {
		return k, v
	}
	if m := noticeInText.FindStringSubmatch(strings.ToUpper(s)); m != nil {
		return wholeNotice(m[1])
	}
	return Unknown, ""
}

// whole reads s as one notice number or one booking code.
func whole(s string) (Kind, string) {
	if k, v := wholeNotice(s); k != Unknown {
		return k, v
	}
	if c, ok := booking.NormalizeCode(s); ok {
		return Booking, c
	}
	return Unknown, ""
}

func wholeNotice(s string) (Kind, string) {
	if n, err := card.NormalizeNoticeNumber(s); err == nil {
		return Notice, n
	}
	return Unknown, ""
}

// fromURL reads the URLs on Kofu's letters and mails: the notice link
// /N/{notice} and any link with a code parameter (booking confirmation,
// manage link). A path that is not Kofu's own reads as Unknown here.
func fromURL(s string) (Kind, string) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme == "" && !strings.HasPrefix(s, "/")) {
		return Unknown, ""
	}
	if c := u.Query().Get("code"); c != "" {
		if k, v := whole(c); k != Unknown {
			return k, v
		}
	}
	if n := u.Query().Get("notice"); n != "" {
		if k, v := wholeNotice(n); k != Unknown {
			return k, v
		}
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) >= 2 && strings.EqualFold(parts[len(parts)-2], "N") {
		return wholeNotice(parts[len(parts)-1])
	}
	return Unknown, ""
}

// NoticeNumber returns the notice number in what a reader typed, or "" when
// the text carries none (a booking code, say).
func NoticeNumber(text string) string {
	if kind, v := Parse(text); kind == Notice {
		return v
	}
	return ""
}
