package moji

import (
	"bytes"
	"slices"
	"testing"
)

func TestEncodeCP932(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []byte
		bad  []rune
	}{
		{"empty", "", []byte{}, nil},
		{"ascii", "A-1,b", []byte("A-1,b"), nil},
		{"kana and kanji", "三輪　ﾅｵﾐ", []byte{0x8E, 0x4F, 0x97, 0xD6, 0x81, 0x40, 0xC5, 0xB5, 0xD0}, nil},
		{"wave dash", "〜", []byte{0x81, 0x60}, nil},
		{"fullwidth tilde", "～", []byte{0x81, 0x60}, nil},
		{"minus sign", "−", []byte{0x81, 0x7C}, nil},
		{"double vertical line", "‖", []byte{0x81, 0x61}, nil},
		{"em dash", "—", []byte{0x81, 0x5C}, nil},
		{"cent pound not", "¢£¬", []byte{0x81, 0x91, 0x81, 0x92, 0x81, 0xCA}, nil},
		{"yen sign is full-width yen, not backslash", "¥800", []byte{0x81, 0x8F, '8', '0', '0'}, nil},
		{"geta itself", "〓", []byte{0x81, 0xAC}, nil},
		{"IVS dropped, base kept", "葛\U000E0100城", []byte{0x8A, 0x8B, 0x8F, 0xE9}, nil},
		{"standard variation selector dropped", "辻\uFE00", []byte{0x92, 0xD2}, nil},
		{"combining dakuten composed", "か\u3099", []byte{0x82, 0xAA}, nil},
		{"lone combining dakuten", "\u3099", []byte{0x81, 0x4A}, nil},
		{"PUA back to user-defined bytes", "\uE000\uE757", []byte{0xF0, 0x40, 0xF9, 0xFC}, nil},
		{"PUA at trail 0x80", "\uE03F", []byte{0xF0, 0x80}, nil},
		{"kanji outside CP932", "𠮷田", []byte{0x81, 0xAC, 0x93, 0x63}, []rune{'𠮷'}},
		{"JIS X 0213 kanji", "𠮟る剝", []byte{0x81, 0xAC, 0x82, 0xE9, 0x81, 0xAC}, []rune{'𠮟', '剝'}},
		{"hangul", "한", []byte{0x81, 0xAC}, []rune{'한'}},
		{"each unencodable listed once", "한a한", []byte{0x81, 0xAC, 'a', 0x81, 0xAC}, []rune{'한'}},
		{"PUA beyond the user-defined area", "\uE758", []byte{0x81, 0xAC}, []rune{'\uE758'}},
		{"replacement character", "\uFFFD", []byte{0x81, 0xAC}, []rune{'\uFFFD'}},
		{"invalid UTF-8", "a\xffb", []byte{'a', 0x81, 0xAC, 'b'}, []rune{'\uFFFD'}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bad := EncodeCP932(tt.in)
			if !bytes.Equal(got, tt.want) || !slices.Equal(bad, tt.bad) {
				t.Errorf("EncodeCP932(%+q) = % X, %q; want % X, %q", tt.in, got, bad, tt.want, tt.bad)
			}
			if bytes.IndexByte(got, '?') >= 0 && !bytes.Contains([]byte(tt.in), []byte("?")) {
				t.Errorf("EncodeCP932(%+q) emitted '?'", tt.in)
			}
		})
	}
}

// TestCP932RoundTrip checks that text decoded from CP932 survives being
// written again: the bytes may change from IBM to NEC-selected codes (see
// EncodeCP932), the decoded text may not.
func TestCP932RoundTrip(t *testing.T) {
	inputs := map[string][]byte{
		"IBM 髙 﨑 德":          {0xFB, 0xFC, 0xFA, 0xB1, 0xFA, 0xBA},
		"NEC-selected 髙 﨑 德": {0xEE, 0xE0, 0xED, 0x95, 0xED, 0x9E},
		"IBM small roman ⅰ":  {0xFA, 0x40},
		"NEC ① and ㈱":        {0x87, 0x40, 0x87, 0x8D},
		"user-defined area":  {0xF0, 0x40, 0xF5, 0x80, 0xF9, 0xFC},
		"half-width kana":    {0xB6, 0xDE, 0xC5},
		"wave dash etc":      {0x81, 0x60, 0x81, 0x7C, 0x81, 0x61, 0x81, 0x5C, 0x81, 0x8F},
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			first, _, err := DecodeCP932(in)
			if err != nil {
				t.Fatal(err)
			}
			out, bad := EncodeCP932(first)
			if len(bad) > 0 {
				t.Fatalf("EncodeCP932(%+q) could not write %q", first, bad)
			}
			second, _, err := DecodeCP932(out)
			if err != nil || second != first {
				t.Errorf("round trip %+q -> % X -> %+q, %v", first, out, second, err)
			}
		})
	}
}

// TestCP932RoundTripEveryCode runs the round trip over every code point
// CP932 can decode, user-defined area included.
func TestCP932RoundTripEveryCode(t *testing.T) {
	for lead := 0x81; lead <= 0xFC; lead++ {
		if 0xA0 <= lead && lead <= 0xDF {
			continue
		}
		for trail := 0x40; trail <= 0xFC; trail++ {
			in := []byte{byte(lead), byte(trail)}
			s, _, err := DecodeCP932(in)
			if err != nil {
				continue
			}
			out, bad := EncodeCP932(s)
			back, _, err := DecodeCP932(out)
			if len(bad) > 0 || err != nil || back != s {
				t.Fatalf("% X -> %+q -> % X (%q) -> %+q, %v", in, s, out, bad, back, err)
			}
		}
	}
}
