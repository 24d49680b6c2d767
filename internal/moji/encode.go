package moji

import (
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/unicode/norm"
)

// lookAlike maps characters CP932 cannot hold to the CP932 character that
// Windows users see for them. The first three are the classic JIS vs
// Microsoft mapping differences (text typed on a Mac or copied from the web
// holds the JIS side). ¥ becomes the full-width ￥, never '\\', which CP932
// reads as a backslash.
func lookAlike(r rune) rune {
	switch r {
	case '\u301C': // 〜 WAVE DASH
		return '\uFF5E' // ～
	case '\u2212': // − MINUS SIGN
		return '\uFF0D' // －
	case '\u2016': // ‖ DOUBLE VERTICAL LINE
		return '\u2225' // ∥
	case '\u2014': // — EM DASH
		return '\u2015' // ―
	case '\u00A2':
		return '\uFFE0' // ￠
	case '\u00A3':
		return '\uFFE1' // ￡
	case '\u00AC':
		return '\uFFE2' // ￢
	case '\u00A5':
		return '\uFFE5' // ￥
	case '\u00A6':
		return '\uFFE4' // ￤
	case '\u00AF':
		return '\uFFE3' // ￣
	case '\u3099': // combining dakuten left alone after composition
		return '\u309B' // ゛
	case '\u309A':
		return '\u309C' // ゜
	}
	return r
}

// EncodeCP932 writes s as CP932 for Excel users.
//
// In order: variation selectors (IVS) are dropped and their base character
// kept, a kana followed by a combining (semi-)voiced mark is composed,
// look-alikes are mapped (see lookAlike), PUA code points U+E000-U+E757 go
// back to their user-defined-area bytes (the inverse of DecodeCP932). Any
// character that still cannot be written becomes 〓 (0x81AC) and is listed
// once in unencodable, in order of first appearance: nothing is turned into
// '?' silently. Invalid UTF-8 in s is reported as U+FFFD.
//
// x/text writes the NEC-selected IBM extension codes (0xED40-0xEEFC) where
// Windows writes the IBM extension codes (0xFA40-0xFC4B), e.g. 髙 becomes
// 0xEEE0 instead of 0xFBFC. Both decode to the same character on Windows and
// with DecodeCP932, so the text survives; only the bytes differ.
func EncodeCP932(s string) (b []byte, unencodable []rune) {
	enc := japanese.ShiftJIS.NewEncoder()
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if IsVariationSelector(r) {
			continue
		}
		if composed, n := composeVoiced(r, s[i:]); n > 0 {
			r = composed
			i += n
		}
		var ok bool
		out, ok = appendCP932(out, enc, lookAlike(r))
		if !ok {
			out = append(out, 0x81, 0xAC) // 〓
			unencodable = appendUnique(unencodable, r)
		}
	}
	return out, unencodable
}

// appendCP932 appends the CP932 bytes of r; ok is false if there are none.
func appendCP932(out []byte, enc *encoding.Encoder, r rune) ([]byte, bool) {
	if r < utf8.RuneSelf {
		return append(out, byte(r)), true
	}
	if lead, trail, ok := puaToUDA(r); ok {
		return append(out, lead, trail), true
	}
	if r == utf8.RuneError {
		return out, false
	}
	var src [utf8.UTFMax]byte
	var dst [4]byte
	n := utf8.EncodeRune(src[:], r)
	nDst, nSrc, err := enc.Transform(dst[:], src[:n], true)
	if err != nil || nSrc != n || nDst == 0 {
		return out, false
	}
	return append(out, dst[:nDst]...), true
}

// composeVoiced composes base with a following combining dakuten or
// handakuten (か + U+3099 → が), as text from macOS often holds them
// decomposed. It returns the composed rune and the bytes of rest consumed.
func composeVoiced(base rune, rest string) (rune, int) {
	next, size := utf8.DecodeRuneInString(rest)
	if next != '\u3099' && next != '\u309A' {
		return base, 0
	}
	c := []rune(norm.NFC.String(string([]rune{base, next})))
	if len(c) != 1 {
		return base, 0
	}
	return c[0], size
}

func appendUnique(list []rune, r rune) []rune {
	for _, x := range list {
		if x == r {
			return list
		}
	}
	return append(list, r)
}
