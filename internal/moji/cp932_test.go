package moji

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
)

func TestDecodeCP932(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
		pua  bool
	}{
		{"empty", nil, "", false},
		{"ascii", []byte("ABC,123\r\n"), "ABC,123\r\n", false},
		{"hiragana", []byte{0x82, 0xA0, 0x82, 0xA2}, "あい", false},
		{"half-width kana", []byte{0xB6, 0xDE}, "ｶﾞ", false},
		{"wave dash is the Microsoft one", []byte{0x81, 0x60}, "～", false},
		{"NEC special", []byte{0x87, 0x40}, "①", false},
		{"IBM extension 髙", []byte{0xFB, 0xFC}, "髙", false},
		{"IBM extension 﨑", []byte{0xFA, 0xB1}, "﨑", false},
		{"IBM extension 德", []byte{0xFA, 0xBA}, "德", false},
		{"NEC-selected 髙", []byte{0xEE, 0xE0}, "髙", false},
		{"NEC-selected 﨑", []byte{0xED, 0x95}, "﨑", false},
		{"NEC-selected 德", []byte{0xED, 0x9E}, "德", false},
		{"first user-defined code", []byte{0xF0, 0x40}, "\uE000", true},
		{"second user-defined code", []byte{0xF0, 0x41}, "\uE001", true},
		{"trail 0x7E", []byte{0xF0, 0x7E}, "\uE03E", true},
		{"trail 0x80 skips 0x7F", []byte{0xF0, 0x80}, "\uE03F", true},
		{"last trail of first lead", []byte{0xF0, 0xFC}, "\uE0BB", true},
		{"second lead", []byte{0xF1, 0x40}, "\uE0BC", true},
		{"F19F as in the city table", []byte{0xF1, 0x9F}, "\uE11A", true},
		{"last user-defined code", []byte{0xF9, 0xFC}, "\uE757", true},
		{"外字 inside text", []byte{'"', 0xF9, 0xFC, 0x81, 0x40, 0x8C, 0x92, '"', ','},
			"\"\uE757\u3000健\",", true},
		{"外字 trail byte looks like a backslash", []byte{0xF0, 0x5C, 0x5C}, "\uE01C\\", true},
		{"two 外字 in a row", []byte{0xF0, 0x40, 0xF0, 0x41, 0x82, 0xA0}, "\uE000\uE001あ", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, pua, err := DecodeCP932(tt.in)
			if err != nil {
				t.Fatalf("DecodeCP932(% X): %v", tt.in, err)
			}
			if got != tt.want || pua != tt.pua {
				t.Errorf("DecodeCP932(% X) = %+q, %v; want %+q, %v", tt.in, got, pua, tt.want, tt.pua)
			}
		})
	}
}

func TestDecodeCP932Invalid(t *testing.T) {
	tests := []struct {
		name   string
		in     []byte
		offset int
	}{
		{"lead byte at end", []byte{'A', 0x82}, 1},
		{"user-defined lead at end", []byte{'A', 'B', 0xF0}, 2},
		{"trail byte is a control", []byte{0x82, 0x0A}, 0},
		{"trail byte 0x7F", []byte{0xF0, 0x7F}, 0},
		{"trail byte 0xFD", []byte{0x82, 0xFD}, 0},
		{"single 0x80", []byte{'x', 0x80}, 1},
		{"single 0xA0", []byte{0xA0}, 0},
		{"single 0xFF", []byte{0x82, 0xA0, 0xFF}, 2},
		{"unassigned code point", []byte{0x82, 0xA0, 0x85, 0x40}, 2},
		{"unassigned after 外字", []byte{0xF0, 0x40, 'a', 0x85, 0x40}, 3},
		{"UTF-8 katakana is not CP932", []byte("テスト"), 8}, // fails where a lead byte has no trail
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := DecodeCP932(tt.in)
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("DecodeCP932(% X) = %+q, %v; want a *DecodeError", tt.in, got, err)
			}
			if de.Offset != tt.offset {
				t.Errorf("offset = %d, want %d", de.Offset, tt.offset)
			}
			if !strings.Contains(err.Error(), "CP932として読めない") {
				t.Errorf("message %q is not the Japanese one", err.Error())
			}
		})
	}
}

// TestDecodeCP932AgreesWithXText checks every two-byte code outside the
// user-defined area: DecodeCP932 gives what x/text gives, or an error where
// x/text would silently give U+FFFD.
func TestDecodeCP932AgreesWithXText(t *testing.T) {
	dec := japanese.ShiftJIS.NewDecoder()
	for lead := 0x81; lead <= 0xFC; lead++ {
		if (0xA0 <= lead && lead <= 0xDF) || (udaLeadFirst <= lead && lead <= udaLeadLast) {
			continue
		}
		for trail := 0x40; trail <= 0xFC; trail++ {
			if trail == 0x7F {
				continue
			}
			in := []byte{byte(lead), byte(trail)}
			ref, _ := dec.Bytes(in)
			got, pua, err := DecodeCP932(in)
			if pua {
				t.Fatalf("% X reported as 外字", in)
			}
			if strings.ContainsRune(string(ref), utf8.RuneError) {
				if err == nil {
					t.Fatalf("% X: x/text gives U+FFFD, DecodeCP932 gave %+q without error", in, got)
				}
				continue
			}
			if err != nil || got != string(ref) {
				t.Fatalf("% X: got %+q, %v; x/text gives %+q", in, got, err, ref)
			}
		}
	}
}

func TestPUAByteMappingIsABijection(t *testing.T) {
	seen := make(map[rune]bool)
	for lead := byte(udaLeadFirst); lead <= udaLeadLast; lead++ {
		for trail := 0x40; trail <= 0xFC; trail++ {
			if trail == 0x7F {
				continue
			}
			r := udaToPUA(lead, byte(trail))
			if r < puaFirst || r > puaLast || seen[r] {
				t.Fatalf("%X %X -> %U: out of range or repeated", lead, trail, r)
			}
			seen[r] = true
			l2, t2, ok := puaToUDA(r)
			if !ok || l2 != lead || t2 != byte(trail) {
				t.Fatalf("%U -> %X %X, want %X %X", r, l2, t2, lead, trail)
			}
		}
	}
	if len(seen) != int(puaLast-puaFirst+1) {
		t.Errorf("%d code points, want %d", len(seen), puaLast-puaFirst+1)
	}
	if _, _, ok := puaToUDA(puaLast + 1); ok {
		t.Errorf("U+E758 must have no CP932 bytes")
	}
}
