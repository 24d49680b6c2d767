package reserve

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// codeAlphabet has 30 characters that cannot be mistaken for one another
// when read aloud or handwritten: no 0/O, 1/I/L, and no V (ブイ is heard as
// ビー). 30^8 codes leave guessing hopeless with the manage token anyway.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUWXYZ"

const codeLength = 8

// newCode draws a booking code (stored form, no hyphen).
func newCode() string {
	b := make([]byte, codeLength)
	rand.Read(b) // never fails (crypto/rand)
	for i := range b {
		// 256 is not a multiple of 30; rejection would remove the slight bias
		// but the code is no secret, so it does not matter.
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// FormatCode shows a stored code in two groups of four: "ABCD-EFGH".
func FormatCode(code string) string {
	if len(code) != codeLength {
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
	if len(s) != codeLength {
		return "", false
	}
	for _, r := range s {
		if !strings.ContainsRune(codeAlphabet, r) {
			return "", false
		}
	}
	return s, true
}

// newToken returns a manage or hold token (256 random bits) and the hash
// that is stored instead of it.
func newToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
