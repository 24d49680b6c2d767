package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Alphabets without look-alike characters (0/O/o, 1/l/I/i).
const (
	pwLower   = "abcdefghjkmnpqrstuvwxyz"  // no i, l, o
	pwUpper   = "ABCDEFGHJKLMNPQRSTUVWXYZ" // no I, O
	pwDigits  = "23456789"                 // no 0, 1
	pwSymbols = "#%&*+-=?@"                // easy to read and to type on JIS and US keyboards
	// passwordAlphabet has 64 characters: 16 of them give 96 bits.
	passwordAlphabet = pwLower + pwUpper + pwDigits + pwSymbols
	passwordLength   = 16

	// recoveryAlphabet is lower-case letters without i, l and o (23
	// characters). Three groups of five give 15×log2(23) ≈ 67.9 bits.
	recoveryAlphabet   = pwLower
	recoveryGroups     = 3
	recoveryGroupLen   = 5
	recoveryCodeLength = recoveryGroups*recoveryGroupLen + recoveryGroups - 1

	// TokenPrefix starts every API token, so leaked tokens are easy to spot
	// by secret scanners and in logs.
	TokenPrefix = "kofu_"
)

// NewSessionID returns 128 random bits as unpadded base64url (22 characters).
func NewSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// NewToken returns an API token: "kofu_" followed by 32 random bytes as
// unpadded lower-case base32 (52 characters).
func NewToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return TokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// HashToken returns the hex SHA-256 of token. Session IDs, API tokens and
// recovery codes are stored only in this form; they carry at least 60 random
// bits, so a fast unsalted hash is enough. Normalise recovery codes with
// NormalizeRecoveryCode before hashing.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// GeneratePassword returns a one-time password of 16 characters from an
// alphabet without look-alike characters. It contains lower- and upper-case
// letters, digits and symbols, so it passes DefaultPolicy, and any policy
// with MinLength <= 16 whatever its RequireClasses.
func GeneratePassword() string {
	policy := DefaultPolicy()
	policy.RequireClasses = 4
	for {
		pw := randomString(passwordAlphabet, passwordLength)
		if policy.Check("", pw) == nil {
			return pw
		}
	}
}

// RecoveryCodes returns n single-use recovery codes such as
// "abcde-fghjk-mnpqr": three groups of five lower-case letters without
// look-alikes (about 68 bits each). The codes are distinct and already in
// NormalizeRecoveryCode form. n <= 0 gives none.
func RecoveryCodes(n int) []string {
	codes := make([]string, 0, max(n, 0))
	seen := make(map[string]bool, max(n, 0))
	for len(codes) < n {
		raw := randomString(recoveryAlphabet, recoveryGroups*recoveryGroupLen)
		code := groupRecoveryCode(raw)
		if !seen[code] {
			seen[code] = true
			codes = append(codes, code)
		}
	}
	return codes
}

// NormalizeRecoveryCode maps what a user types to the stored form of a
// recovery code: it applies NFKC (full-width letters from a Japanese IME
// become ASCII), lower-cases, removes white space and treats dashes of any
// kind (including "ー" and "－") as separators. If what remains is a code of
// the right length its hyphens are put back in the canonical places, so
// "ABCDE FGHJK MNPQR", "abcdefghjkmnpqr" and "abcde-fghjk-mnpqr" all give
// "abcde-fghjk-mnpqr". Other input is returned without separators and will
// simply not match.
func NormalizeRecoveryCode(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	var b strings.Builder
	for _, r := range s {
		if unicode.IsSpace(r) || isDash(r) {
			continue
		}
		b.WriteRune(r)
	}
	raw := b.String()
	if len(raw) == recoveryGroups*recoveryGroupLen && strings.Trim(raw, recoveryAlphabet) == "" {
		return groupRecoveryCode(raw)
	}
	return raw
}

func groupRecoveryCode(raw string) string {
	var b strings.Builder
	b.Grow(recoveryCodeLength)
	for i := 0; i < len(raw); i += recoveryGroupLen {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(raw[i:min(i+recoveryGroupLen, len(raw))])
	}
	return b.String()
}

// isDash reports hyphens, dashes, minus signs and the katakana prolonged
// sound mark, which Japanese IMEs often produce for "-".
func isDash(r rune) bool {
	return r == '-' || r == 'ー' || r == 'ｰ' || r == '−' || unicode.Is(unicode.Dash, r)
}

// randomString returns n characters drawn uniformly from the ASCII alphabet
// (at most 256 characters) with crypto/rand, by rejection sampling.
func randomString(alphabet string, n int) string {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2+8)
	for len(out) < n {
		_, _ = rand.Read(buf)
		for _, c := range buf {
			if int(c) < limit {
				out = append(out, alphabet[int(c)%len(alphabet)])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out)
}
