package moji

import (
	"strings"
	"unicode"
)

// IsPUA reports whether r is a private use code point: the BMP area where
// CP932 外字 land (U+E000-U+F8FF) or the supplementary private use planes
// that other systems use for their own 外字.
func IsPUA(r rune) bool { return unicode.Is(unicode.Co, r) }

// HasPUA reports whether s holds any private use code point (an unresolved
// 外字).
func HasPUA(s string) bool { return strings.IndexFunc(s, IsPUA) >= 0 }

// PUARunes lists the private use code points of s, each once, in order of
// first appearance; nil if there are none.
func PUARunes(s string) []rune {
	var out []rune
	for _, r := range s {
		if IsPUA(r) {
			out = appendUnique(out, r)
		}
	}
	return out
}

// ApplyGaiji replaces private use code points with the characters a city
// registered for them (a character, possibly with an IVS). Code points
// without a mapping are kept, so they stay visible as unresolved.
func ApplyGaiji(s string, m map[rune]string) string {
	if len(m) == 0 || !HasPUA(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if rep, ok := m[r]; ok && IsPUA(r) {
			b.WriteString(rep)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// IsVariationSelector reports whether r is a variation selector: the
// standardized ones (U+FE00-U+FE0F) or an ideographic variation selector
// (U+E0100-U+E01EF) as used by IVS sequences such as 葛 + U+E0100.
func IsVariationSelector(r rune) bool {
	return (0xFE00 <= r && r <= 0xFE0F) || (0xE0100 <= r && r <= 0xE01EF)
}
