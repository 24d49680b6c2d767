package reserve

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"

	"github.com/kofu-oss/kofu/internal/booking"
)

const codeAlphabet, codeLength = booking.CodeAlphabet, booking.CodeLength

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

// FormatCode shows a stored code in two groups of four (booking.FormatCode).
func FormatCode(code string) string { return booking.FormatCode(code) }

// NormalizeCode reads a code as typed (booking.NormalizeCode).
func NormalizeCode(v string) (string, bool) { return booking.NormalizeCode(v) }

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
