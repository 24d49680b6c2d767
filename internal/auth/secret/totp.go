package secret

import (
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
	"golang.org/x/text/unicode/norm"
)

// TOTP settings (RFC 6238 defaults, understood by every authenticator app).
const (
	totpPeriod     = 30 // seconds
	totpDigits     = 6
	totpSkew       = 1  // steps accepted either side of the current one
	totpSecretSize = 20 // bytes: 160 bits, as RFC 4226 recommends for HMAC-SHA1
	// totpMinSecret is the shortest secret accepted (80 bits, the size some
	// older providers issue); it mainly stops an empty secret from working.
	totpMinSecret = 10
)

var (
	errTOTPTime   = errors.New("secret: TOTP time before 1970")
	errTOTPSecret = errors.New("secret: TOTP secret is not base32 of at least 80 bits")
)

// NewTOTPSecret returns a new random TOTP secret (unpadded base32, 160 bits)
// and its otpauth:// URL for a QR code, with SHA1, 6 digits and a 30 s
// period. issuer is shown in the authenticator app (e.g. "甲府市 Kofu") and
// account identifies the user; both must be non-empty.
func NewTOTPSecret(issuer, account string) (secretBase32 string, otpauthURL string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      totpPeriod,
		SecretSize:  totpSecretSize,
		Digits:      otp.DigitsSix,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", "", err
	}
	return key.Secret(), key.URL(), nil
}

// ValidateTOTP checks code at time now, accepting the previous, current and
// next 30 s step, and returns the step (Unix time / 30) that matched. For
// replay protection the caller must refuse a step <= the last step it
// accepted for the user and then store the returned step. Spaces and
// hyphens in code are ignored and full-width digits are accepted; anything
// but 6 digits, or an invalid secret, gives ok == false.
func ValidateTOTP(secretBase32, code string, now time.Time) (step int64, ok bool) {
	code = normalizeTOTPCode(code)
	if len(code) != totpDigits || strings.IndexFunc(code, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, false
	}
	if now.Unix() < 0 {
		return 0, false
	}
	current := now.Unix() / totpPeriod
	// Check every step without stopping early; if a code happens to match
	// two steps, report the latest, which is the stricter for replay checks.
	matched := int64(-1)
	for s := current - totpSkew; s <= current+totpSkew; s++ {
		if s < 0 {
			continue
		}
		want, err := hotpCode(secretBase32, uint64(s), totpDigits)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			matched = s
		}
	}
	if matched < 0 {
		return 0, false
	}
	return matched, true
}

// TOTPCode returns the 6-digit code for secretBase32 at time t (for tests
// and the demo).
func TOTPCode(secretBase32 string, t time.Time) (string, error) {
	return totpCode(secretBase32, t, totpDigits)
}

func totpCode(secretBase32 string, t time.Time, digits int) (string, error) {
	if t.Unix() < 0 {
		return "", errTOTPTime
	}
	return hotpCode(secretBase32, uint64(t.Unix()/totpPeriod), digits)
}

func hotpCode(secretBase32 string, counter uint64, digits int) (string, error) {
	// Decode as the otp library does (case-insensitive, padding optional) to
	// check the length.
	raw := strings.TrimRight(strings.ToUpper(strings.TrimSpace(secretBase32)), "=")
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(raw)
	if err != nil || len(key) < totpMinSecret {
		return "", errTOTPSecret
	}
	return hotp.GenerateCodeCustom(secretBase32, counter, hotp.ValidateOpts{
		Digits:    otp.Digits(digits),
		Algorithm: otp.AlgorithmSHA1,
	})
}

// normalizeTOTPCode turns full-width digits into ASCII and drops white space
// and hyphens ("123 456", "123-456", "１２３４５６").
func normalizeTOTPCode(code string) string {
	code = norm.NFKC.String(code)
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, code)
}
