package moji

import (
	"errors"
	"strings"
	"testing"
)

// cp932 encodes s for test inputs; it fails the test on characters CP932
// cannot hold so inputs are what they claim to be.
func cp932(t testing.TB, s string) []byte {
	t.Helper()
	b, bad := EncodeCP932(s)
	if len(bad) > 0 {
		t.Fatalf("test input %q not encodable: %q", s, bad)
	}
	return b
}

func TestDetectEncoding(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want Encoding
	}{
		{"empty is UTF-8", nil, UTF8},
		{"ASCII only is UTF-8", []byte("a,b\r\n1,2\r\n"), UTF8},
		{"UTF-8", []byte("申請書ID,氏名\n"), UTF8},
		{"UTF-8 with BOM", []byte(BOM + "申請書ID,氏名\n"), UTF8BOM},
		{"BOM only", []byte(BOM), UTF8BOM},
		{"UTF-8 with IVS and 𠮷", []byte("葛\U000E0100城,𠮷田\n"), UTF8},
		{"CP932", cp932(t, "申請書ID,氏名,ﾌﾘｶﾞﾅ\r\n"), CP932},
		{"CP932 with 外字", append(cp932(t, "氏名\r\n"), 0xF0, 0x40), CP932},
		{"CP932 IBM extension", []byte{0xFB, 0xFC, 0x8B, 0xB4}, CP932},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DetectEncoding(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("DetectEncoding(% X) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestDetectEncodingRefuses(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		kind    string
		message string
	}{
		{"UTF-16 LE with BOM", []byte{0xFF, 0xFE, 0x33, 0x75, 0x0A, 0x00}, "utf16", "UTF-16"},
		{"UTF-16 BE with BOM", []byte{0xFE, 0xFF, 0x75, 0x33}, "utf16", "UTF-16"},
		{"UTF-16 without BOM", []byte{'a', 0, 'b', 0}, "binary", "NUL文字"},
		{"xlsx", []byte("PK\x03\x04\x14\x00"), "excel", "Excel"},
		{"xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, "excel", "Excel"},
		{"neither UTF-8 nor CP932", []byte{'a', 0x82, 0xA0, 0xFF}, "unknown_encoding", "文字コードを判別できません"},
		{"BOM then invalid UTF-8", []byte(BOM + "\x82\xa0"), "invalid_utf8", "BOM付きUTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DetectEncoding(tt.in)
			var ee *EncodingError
			if !errors.As(err, &ee) {
				t.Fatalf("DetectEncoding(% X) = %v, %v; want an *EncodingError", tt.in, got, err)
			}
			if ee.Kind != tt.kind || !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q (%s), want kind %s with %q", err, ee.Kind, tt.kind, tt.message)
			}
		})
	}
}

func TestDetectEncodingPrefix(t *testing.T) {
	utf := []byte("氏名\n山田")
	sj := cp932(t, "氏名\r\n山田")
	tests := []struct {
		name string
		in   []byte
		want Encoding
	}{
		{"UTF-8 cut inside a character", utf[:len(utf)-1], UTF8},
		{"UTF-8 cut without any newline", []byte("山田")[:5], UTF8},
		{"CP932 cut after a lead byte", sj[:len(sj)-1], CP932},
		{"CP932 cut without any newline", cp932(t, "山田")[:3], CP932},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DetectEncodingPrefix(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("DetectEncodingPrefix(% X) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestEncodingString(t *testing.T) {
	for e, want := range map[Encoding]string{UTF8BOM: "UTF-8（BOM付き）", UTF8: "UTF-8", CP932: "Shift_JIS（CP932）", UnknownEncoding: "不明"} {
		if got := e.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", e, got, want)
		}
	}
}
