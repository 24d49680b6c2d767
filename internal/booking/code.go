package booking

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// CodeAlphabet has 30 characters that cannot be mistaken for one another
// when read aloud or handwritten: no 0/O, 1/I/L, and no V (ブイ is heard as
// ビー). 30^8 codes leave guessing hopeless with the manage token anyway.
const CodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUWXYZ"

// CodeLength is the length of a booking code in stored form (no hyphen).
const CodeLength = 8

// FormatCode shows a stored code in two groups of four: "ABCD-EFGH".
func FormatCode(code string) string {
	if len(code) != CodeLength {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// NormalizeCode reads a code as typed (full-width, lower case, with or
// without the hyphen or spaces) and reports whether it can be a code.
func NormalizeCode(v string) (string, bool) {
	s := strings.ToUpper(norm.NFKC.String(v))
	s = strings.Map(func(r rune) rune {
		switch r {
		case '-', ' ', 'ー', '‐', '−':
			return -1
		}
		return r
	}, s)
	if len(s) != CodeLength {
		return "", false
	}
	for _, r := range s {
		if !strings.ContainsRune(CodeAlphabet, r) {
			return "", false
		}
	}
	return s, true
}
