package jlis

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Values of Row.Sex and Row.Method.
const (
	SexMale   = "male"
	SexFemale = "female"

	MethodCounter       = "counter"        // 交付時来庁: the resident picks the card up at the counter
	MethodAtApplication = "at_application" // 申請時来庁: identity checked at application, card mailed
)

// trimValue removes leading and trailing spaces, half- and full-width.
func trimValue(s string) string { return strings.TrimFunc(s, unicode.IsSpace) }

// normalizeCode is the form of identifier-like values: NFKC (full-width
// digits and letters become ASCII), trimmed.
func normalizeCode(s string) string { return trimValue(norm.NFKC.String(s)) }

// foldHyphens turns the dashes people type in codes (‐, －, ー, −...) into
// ASCII hyphen-minus.
func foldHyphens(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '‐', '‑', '‒', '–', '—', '―', '−', 'ー', '－', 'ｰ':
			return '-'
		}
		return r
	}, s)
}

// normalizeNotice brings a notice number to the printed form A1B-123456:
// NFKC, upper case, dashes folded, and the hyphen added when nine
// characters were given without it.
func normalizeNotice(s string) string {
	v := strings.ToUpper(foldHyphens(normalizeCode(s)))
	if len(v) == 9 && !strings.Contains(v, "-") {
		v = v[:3] + "-" + v[3:]
	}
	return v
}

// validNotice checks the form [0-9A-Z]{3}-[0-9]{6}.
func validNotice(v string) bool {
	if len(v) != 10 || v[3] != '-' || !allDigits(v[4:]) {
		return false
	}
	for i := 0; i < 3; i++ {
		if c := v[i]; !('0' <= c && c <= '9') && !('A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// normalizePostal brings a postal code to 669-1595; ok is false if the
// value is not seven digits.
func normalizePostal(s string) (string, bool) {
	v := foldHyphens(normalizeCode(s))
	v = trimValue(strings.TrimPrefix(v, "〒"))
	if len(v) == 7 && allDigits(v) {
		v = v[:3] + "-" + v[3:]
	}
	ok := len(v) == 8 && v[3] == '-' && allDigits(v[:3]) && allDigits(v[4:])
	return v, ok
}

// parseSex reads 男/女, 男性/女性 or the codes 1/2 (0 and 9, "unknown" and
// "not applicable" in ISO 5218, give ""). ok is false for anything else.
func parseSex(s string) (string, bool) {
	switch normalizeCode(s) {
	case "男", "男性", "1":
		return SexMale, true
	case "女", "女性", "2":
		return SexFemale, true
	case "", "0", "9", "不明":
		return "", true
	}
	return "", false
}

// parseCertificate reads 有/無, あり/なし, 1/0; an empty value is unknown
// (nil). ok is false for anything else.
func parseCertificate(s string) (v *bool, ok bool) {
	yes, no := true, false
	switch normalizeCode(s) {
	case "有", "有り", "あり", "アリ", "1":
		return &yes, true
	case "無", "無し", "なし", "ナシ", "0":
		return &no, true
	case "":
		return nil, true
	}
	return nil, false
}

// parseMethod reads 交付時来庁 / 申請時来庁 (with or without 方式). A missing
// value means the common case, 交付時来庁. ok is false for anything else.
func parseMethod(s string) (string, bool) {
	switch strings.TrimSuffix(normalizeCode(s), "方式") {
	case "交付時来庁", "":
		return MethodCounter, true
	case "申請時来庁":
		return MethodAtApplication, true
	}
	return "", false
}

// looksLikePersonalNumber tells whether v is twelve digits with a valid
// My Number check digit. It guards columns whose header does not say what
// they hold; one random twelve-digit number in eleven passes, which only
// costs blanking a value that Kofu does not import anyway.
func looksLikePersonalNumber(v string) bool {
	if len(v) < 12 || len(v) > 64 { // cheap exit for the common case
		return false
	}
	v = normalizeCode(v)
	if len(v) != 12 || !allDigits(v) {
		return false
	}
	sum := 0
	for n := 1; n <= 11; n++ {
		p := int(v[11-n] - '0') // n-th digit from the right, check digit excluded
		q := n + 1
		if n >= 7 {
			q = n - 5
		}
		sum += p * q
	}
	check := 0
	if r := sum % 11; r > 1 {
		check = 11 - r
	}
	return int(v[11]-'0') == check
}
