package card

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// NormalizeNoticeNumber returns a 交付通知書番号 in stored form
// (A1B-123456): full-width characters narrowed, letters upper-cased,
// spaces dropped and the hyphen added when it was left out. A QR reader
// types the stored form already; people do not.
func NormalizeNoticeNumber(v string) (string, error) {
	s := strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, norm.NFKC.String(v)))
	s = strings.NewReplacer("ー", "-", "－", "-", "‐", "-", "−", "-").Replace(s)
	if len(s) == 9 && !strings.Contains(s, "-") {
		s = s[:3] + "-" + s[3:]
	}
	if !IsNoticeNumber(s) {
		return "", apperr.New(apperr.Invalid, "交付通知書番号は「A1B-123456」の形（英数字3文字、ハイフン、数字6桁）で入力してください。")
	}
	return s, nil
}

// IsNoticeNumber tells whether s is a notice number in stored form.
func IsNoticeNumber(s string) bool {
	if len(s) != 10 || s[3] != '-' {
		return false
	}
	digit := func(r rune) bool { return '0' <= r && r <= '9' }
	for i, r := range s {
		switch {
		case i == 3:
		case i < 3 && (digit(r) || ('A' <= r && r <= 'Z')):
		case i > 3 && digit(r):
		default:
			return false
		}
	}
	return true
}
