package moji

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
)

// DecodeError reports bytes that are not valid CP932. Offset counts bytes
// from the start of the input given to DecodeCP932.
type DecodeError struct {
	Offset int
	Bytes  []byte // the offending byte(s), at most two
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("CP932として読めないバイト列があります（先頭から%dバイト目: % X）", e.Offset+1, e.Bytes)
}

// DecodeCP932 decodes CP932 (Windows-31J) bytes to UTF-8.
//
// x/text's ShiftJIS decoder turns the user-defined area (lead bytes
// 0xF0-0xF9) into U+FFFD without an error, which would silently lose 外字.
// So the byte stream is split around such pairs here: they become the
// Private Use Area code points Windows uses (U+E000-U+E757), and everything
// else goes through x/text. pua reports whether any 外字 was found.
//
// Bytes that are not CP932 (a lead byte without a valid trail byte, 0x80,
// 0xA0, 0xFD-0xFF, unassigned code points) are a *DecodeError. CP932 has no
// character that maps to U+FFFD, so a successful result never contains it.
func DecodeCP932(b []byte) (s string, pua bool, err error) {
	if isASCII(b) {
		return string(b), false, nil
	}
	var out strings.Builder
	out.Grow(len(b) + len(b)/2)
	dec := japanese.ShiftJIS.NewDecoder()
	segStart := 0
	for i := 0; i < len(b); {
		size, r, err := scanCP932(b, i)
		if err != nil {
			return "", false, err
		}
		if r >= 0 { // a user-defined-area pair
			if err := decodeSegment(&out, dec, b[segStart:i], segStart); err != nil {
				return "", false, err
			}
			out.WriteRune(r)
			pua = true
			segStart = i + size
		}
		i += size
	}
	if err := decodeSegment(&out, dec, b[segStart:], segStart); err != nil {
		return "", false, err
	}
	return out.String(), pua, nil
}

// scanCP932 looks at the character starting at b[i]. It returns its size in
// bytes and, for a user-defined-area pair, its PUA rune (otherwise -1).
func scanCP932(b []byte, i int) (size int, pua rune, err error) {
	c := b[i]
	switch {
	case c < 0x80 || (0xA1 <= c && c <= 0xDF):
		return 1, -1, nil
	case isLeadByte(c):
		if i+1 >= len(b) || !isTrailByte(b[i+1]) {
			return 0, -1, &DecodeError{Offset: i, Bytes: cloneBytes(b[i:min(i+2, len(b))])}
		}
		if udaLeadFirst <= c && c <= udaLeadLast {
			return 2, udaToPUA(c, b[i+1]), nil
		}
		return 2, -1, nil
	default: // 0x80, 0xA0, 0xFD-0xFF: not used by CP932 text
		return 0, -1, &DecodeError{Offset: i, Bytes: []byte{c}}
	}
}

// decodeSegment decodes a run of CP932 without user-defined-area bytes. The
// run is structurally valid already; a U+FFFD in the output therefore means
// an unassigned code point, which is reported with its position.
func decodeSegment(out *strings.Builder, dec *encoding.Decoder, seg []byte, base int) error {
	if len(seg) == 0 {
		return nil
	}
	if isASCII(seg) {
		out.Write(seg)
		return nil
	}
	s, err := dec.Bytes(seg)
	if err != nil || bytesContainRuneError(s) {
		return locateUnassigned(dec, seg, base)
	}
	out.Write(s)
	return nil
}

// locateUnassigned finds the first character of seg that x/text cannot map,
// so the error can say where it is. Only used on the error path.
func locateUnassigned(dec *encoding.Decoder, seg []byte, base int) error {
	for i := 0; i < len(seg); {
		size, _, err := scanCP932(seg, i)
		if err != nil {
			return err
		}
		s, err := dec.Bytes(seg[i : i+size])
		if err != nil || bytesContainRuneError(s) {
			return &DecodeError{Offset: base + i, Bytes: cloneBytes(seg[i : i+size])}
		}
		i += size
	}
	return &DecodeError{Offset: base, Bytes: cloneBytes(seg[:min(2, len(seg))])}
}

func isLeadByte(c byte) bool  { return (0x81 <= c && c <= 0x9F) || (0xE0 <= c && c <= 0xFC) }
func isTrailByte(c byte) bool { return (0x40 <= c && c <= 0x7E) || (0x80 <= c && c <= 0xFC) }

// udaToPUA maps a user-defined-area pair to its PUA code point the way
// Windows does: U+E000 + (lead-0xF0)*188 + index of the trail byte, where
// the trail index skips 0x7F.
func udaToPUA(lead, trail byte) rune {
	idx := int(trail) - 0x40
	if trail >= 0x80 {
		idx = int(trail) - 0x41
	}
	return puaFirst + rune(int(lead-udaLeadFirst)*trailsPerLead+idx)
}

// puaToUDA is the inverse of udaToPUA; ok is false outside U+E000-U+E757.
func puaToUDA(r rune) (lead, trail byte, ok bool) {
	if r < puaFirst || r > puaLast {
		return 0, 0, false
	}
	n := int(r - puaFirst)
	lead = byte(udaLeadFirst + n/trailsPerLead)
	idx := n % trailsPerLead
	if idx < 0x3F {
		return lead, byte(0x40 + idx), true
	}
	return lead, byte(0x41 + idx), true
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func bytesContainRuneError(b []byte) bool {
	return bytes.ContainsRune(b, utf8.RuneError)
}

func cloneBytes(b []byte) []byte { return append([]byte(nil), b...) }
