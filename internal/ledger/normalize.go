package ledger

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/jlis"
)

// NormalizeNoticeNumber returns a 交付通知書番号 in stored form
// (card.NormalizeNoticeNumber).
func NormalizeNoticeNumber(v string) (string, error) { return card.NormalizeNoticeNumber(v) }

func isNoticeNumber(s string) bool { return card.IsNoticeNumber(s) }

// NormalizeApplicationID returns a 申請書ID as 23 half-width digits;
// spaces and hyphens typed for readability are dropped.
func NormalizeApplicationID(v string) (string, error) {
	s := strings.NewReplacer("-", "", "ー", "").Replace(compact(v))
	if len(s) != 23 || strings.IndexFunc(s, func(r rune) bool { return !isDigit(r) }) >= 0 {
		return "", apperr.New(apperr.Invalid, "申請書IDは半角数字23桁で入力してください。")
	}
	return s, nil
}

// ParseDate reads a date typed in any style a delivery list uses
// (2001-02-03, 2001/2/3, 20010203, 和暦 such as S45.3.1 or 昭和45年3月1日,
// full-width digits) and returns it as YYYY-MM-DD.
func ParseDate(v string) (string, error) {
	d, err := jlis.ParseDate(v)
	if err != nil {
		return "", apperr.New(apperr.Invalid, "日付は「2001-02-03」や「S45.3.1」の形で、実在する日付を入力してください。")
	}
	return d.String(), nil
}

// normalizeLocation gives storage locations one spelling for storing and
// searching: half-width letters and digits, no surrounding spaces.
func normalizeLocation(v string) string { return strings.TrimSpace(norm.NFKC.String(v)) }

// compact narrows full-width characters (NFKC) and removes all spaces.
func compact(v string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, norm.NFKC.String(v))
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }
