package moji

import (
	"bytes"
	"unicode/utf8"
)

// Encoding is a text encoding Kofu accepts for incoming files.
type Encoding int

// The encodings DetectEncoding tells apart. The zero value is unknown.
const (
	UnknownEncoding Encoding = iota
	UTF8BOM                  // UTF-8 with a byte order mark (Excel's "CSV UTF-8")
	UTF8                     // UTF-8 without BOM, including plain ASCII
	CP932                    // Shift_JIS with Microsoft extensions (Windows-31J)
)

// String returns the name staff know the encoding by.
func (e Encoding) String() string {
	switch e {
	case UTF8BOM:
		return "UTF-8（BOM付き）"
	case UTF8:
		return "UTF-8"
	case CP932:
		return "Shift_JIS（CP932）"
	}
	return "不明"
}

// BOM is the byte order mark; in UTF-8 it is the bytes EF BB BF.
const BOM = "\uFEFF"

// EncodingError explains why a file's encoding is refused. Kind is a stable
// snake_case code; Error() is a Japanese message for staff.
type EncodingError struct {
	Kind    string // "utf16", "binary", "excel", "invalid_utf8", "unknown_encoding"
	Message string
}

func (e *EncodingError) Error() string { return e.Message }

// DetectEncoding tells which of UTF-8 with BOM, UTF-8 or CP932 b is written
// in. It never guesses: UTF-16, binary data (NUL bytes, Excel files) and
// bytes that are neither valid UTF-8 nor valid CP932 are an *EncodingError.
// b must be the whole text; for a prefix use DetectEncodingPrefix.
func DetectEncoding(b []byte) (Encoding, error) {
	if err := refuseNonText(b); err != nil {
		return UnknownEncoding, err
	}
	if rest, ok := bytes.CutPrefix(b, []byte(BOM)); ok {
		if !utf8.Valid(rest) {
			return UnknownEncoding, &EncodingError{Kind: "invalid_utf8",
				Message: "BOM付きUTF-8のファイルですが、UTF-8として正しくないバイトを含んでいます"}
		}
		return UTF8BOM, nil
	}
	if utf8.Valid(b) {
		return UTF8, nil
	}
	if _, _, err := DecodeCP932(b); err == nil {
		return CP932, nil
	}
	return UnknownEncoding, &EncodingError{Kind: "unknown_encoding",
		Message: "文字コードを判別できません（UTF-8としてもShift_JIS（CP932）としても読めません）。UTF-8かShift_JISで保存し直してください"}
}

// DetectEncodingPrefix is DetectEncoding for the first bytes of a longer
// text, which may end in the middle of a character. The prefix is cut after
// its last line feed, which is never part of a multibyte character in UTF-8
// or CP932. Without a line feed, an incomplete UTF-8 sequence or CP932 lead
// byte at the end is ignored.
func DetectEncodingPrefix(b []byte) (Encoding, error) {
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return DetectEncoding(b[:i+1])
	}
	if cut := trimPartialUTF8(b); len(cut) < len(b) && utf8.Valid(cut) {
		return DetectEncoding(cut)
	}
	enc, err := DetectEncoding(b)
	if err != nil && len(b) > 0 && isLeadByte(b[len(b)-1]) {
		if e, err2 := DetectEncoding(b[:len(b)-1]); err2 == nil {
			return e, nil
		}
	}
	return enc, err
}

// trimPartialUTF8 drops an incomplete UTF-8 sequence at the end of b.
func trimPartialUTF8(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			return b
		}
	}
	return b
}

// refuseNonText recognises inputs that are not text at all, to give staff a
// message that tells them what to do instead of a generic one.
func refuseNonText(b []byte) error {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}),
		bytes.HasPrefix(b, []byte{0x00, 0x00, 0xFE, 0xFF}):
		return &EncodingError{Kind: "utf16",
			Message: "UTF-16（Unicode）のファイルは読めません。UTF-8かShift_JISのCSVで保存し直してください"}
	case bytes.HasPrefix(b, []byte("PK\x03\x04")),
		bytes.HasPrefix(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return &EncodingError{Kind: "excel",
			Message: "Excelのファイルはそのまま読めません。CSV形式（UTF-8かShift_JIS）で保存し直してください"}
	case bytes.IndexByte(b, 0) >= 0:
		return &EncodingError{Kind: "binary",
			Message: "NUL文字を含むため、テキストのファイルではありません（UTF-16やバイナリのファイルの可能性があります）"}
	}
	return nil
}
