package secret

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Errors returned by Hasher. Verify wraps them with detail; test with errors.Is.
var (
	// ErrInvalidHash means the encoded hash is not a well-formed Argon2id PHC string.
	ErrInvalidHash = errors.New("secret: malformed argon2id hash")
	// ErrUnsupportedHash means the encoded hash uses another algorithm or Argon2 version.
	ErrUnsupportedHash = errors.New("secret: unsupported password hash algorithm or version")
	// ErrInvalidParams means Hasher.Params are outside the accepted bounds.
	ErrInvalidParams = errors.New("secret: invalid argon2id parameters")
)

// Bounds on Argon2id parameters, both for hashing and for parsing stored
// hashes (so that a corrupted or tampered row cannot make a login allocate
// unbounded memory). The memory bound allows RFC 9106's first recommended
// option (m=2 GiB, t=1, p=4).
const (
	minSaltLen   = 8
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 128
	maxTime      = 32
	maxMemoryKiB = 2 << 20 // 2 GiB
)

// Params are Argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8  // lanes
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams returns the OWASP Password Storage Cheat Sheet recommendation
// for Argon2id: m=19456 KiB (19 MiB), t=2, p=1, with a 16-byte salt and a
// 32-byte key.
func DefaultParams() Params {
	return Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// TestParams returns cheap parameters for tests (m=64 KiB, t=1, p=1). Never
// use them in production.
func TestParams() Params {
	return Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

func (p Params) validate() error {
	switch {
	case p.Threads < 1:
		return fmt.Errorf("%w: threads must be at least 1", ErrInvalidParams)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("%w: time %d not in 1..%d", ErrInvalidParams, p.Time, maxTime)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB:
		return fmt.Errorf("%w: memory %d KiB not in %d..%d", ErrInvalidParams, p.Memory, 8*uint32(p.Threads), maxMemoryKiB)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("%w: salt length %d not in %d..%d", ErrInvalidParams, p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("%w: key length %d not in %d..%d", ErrInvalidParams, p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// Hasher hashes and verifies passwords with Argon2id. The zero Hasher uses
// DefaultParams.
type Hasher struct{ Params Params }

func (h Hasher) params() Params {
	if h.Params == (Params{}) {
		return DefaultParams()
	}
	return h.Params
}

// Hash returns the Argon2id hash of password in PHC string format, e.g.
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" with unpadded standard
// base64. The password is NFKC-normalised first. It fails only when
// h.Params are out of bounds.
func (h Hasher) Hash(password string) (string, error) {
	p := h.params()
	if err := p.validate(); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLen)
	_, _ = rand.Read(salt) // crypto/rand.Read never returns an error
	key := argon2.IDKey(normalizePassword(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encodePHC(p, salt, key), nil
}

// Verify reports whether password matches encoded, comparing in constant
// time. The cost parameters are read from encoded, so hashes made with older
// parameters still verify; needsRehash is true when a match was made with
// parameters (including salt and key lengths) that differ from h.Params, so
// the caller should store a fresh Hash. A wrong password gives
// (false, false, nil); err is non-nil only when encoded cannot be parsed
// (ErrInvalidHash, ErrUnsupportedHash).
//
// For an unknown user or a user without a password, call DummyVerify instead
// so both paths cost the same.
func (h Hasher) Verify(encoded, password string) (ok bool, needsRehash bool, err error) {
	p, salt, want, err := parsePHC(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey(normalizePassword(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != h.params(), nil
}

// dummySaltByte fills the salt of the fixed hash DummyVerify checks against.
const dummySaltByte = 0x5a

// DummyVerify runs a verification against a fixed hash with h.Params so an
// unknown user costs the same time as a known one. Its result is discarded.
// If h.Params are out of bounds (which Hash would also refuse) it uses
// DefaultParams.
func (h Hasher) DummyVerify(password string) {
	p := h.params()
	if p.validate() != nil {
		p = DefaultParams()
	}
	salt := make([]byte, p.SaltLen)
	for i := range salt {
		salt[i] = dummySaltByte
	}
	// An all-zero key: no password matches it except with negligible chance,
	// and the answer is ignored anyway.
	encoded := encodePHC(p, salt, make([]byte, p.KeyLen))
	_, _, _ = Hasher{Params: p}.Verify(encoded, password)
}

func normalizePassword(password string) []byte {
	return []byte(norm.NFKC.String(password))
}

func encodePHC(p Params, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// parsePHC parses "$argon2id$v=19$m=M,t=T,p=P$salt$hash" strictly: fields in
// that order, decimal numbers without signs or leading zeros, unpadded
// canonical base64, and parameters within the package bounds.
func parsePHC(s string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) < 2 || parts[0] != "" {
		return Params{}, nil, nil, fmt.Errorf("%w: not a PHC string", ErrInvalidHash)
	}
	if parts[1] != "argon2id" {
		return Params{}, nil, nil, fmt.Errorf("%w: algorithm %q", ErrUnsupportedHash, parts[1])
	}
	if len(parts) != 6 {
		return Params{}, nil, nil, fmt.Errorf("%w: want 5 fields, got %d", ErrInvalidHash, len(parts)-1)
	}
	v, ok := strings.CutPrefix(parts[2], "v=")
	if !ok {
		return Params{}, nil, nil, fmt.Errorf("%w: missing version", ErrInvalidHash)
	}
	version, err := parseDecimal(v, 255)
	if err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: version: %v", ErrInvalidHash, err)
	}
	if version != argon2.Version {
		return Params{}, nil, nil, fmt.Errorf("%w: argon2 version %d", ErrUnsupportedHash, version)
	}

	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return Params{}, nil, nil, fmt.Errorf("%w: want m,t,p parameters", ErrInvalidHash)
	}
	var nums [3]uint64
	for i, name := range [3]string{"m=", "t=", "p="} {
		val, ok := strings.CutPrefix(fields[i], name)
		if !ok {
			return Params{}, nil, nil, fmt.Errorf("%w: want parameter %s", ErrInvalidHash, name[:1])
		}
		if nums[i], err = parseDecimal(val, 1<<32-1); err != nil {
			return Params{}, nil, nil, fmt.Errorf("%w: parameter %s: %v", ErrInvalidHash, name[:1], err)
		}
	}
	if nums[2] > 255 {
		return Params{}, nil, nil, fmt.Errorf("%w: parallelism %d", ErrInvalidHash, nums[2])
	}

	b64 := base64.RawStdEncoding.Strict()
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: salt: %v", ErrInvalidHash, err)
	}
	if key, err = b64.DecodeString(parts[5]); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: hash: %v", ErrInvalidHash, err)
	}
	p = Params{
		Memory:  uint32(nums[0]),
		Time:    uint32(nums[1]),
		Threads: uint8(nums[2]),
		SaltLen: uint32(len(salt)),
		KeyLen:  uint32(len(key)),
	}
	if err := p.validate(); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: %v", ErrInvalidHash, err)
	}
	return p, salt, key, nil
}

// parseDecimal parses a canonical unsigned decimal (no sign, no leading zeros).
func parseDecimal(s string, max uint64) (uint64, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("not a canonical decimal: %q", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("not a canonical decimal: %q", s)
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > max {
		return 0, fmt.Errorf("out of range: %q", s)
	}
	return n, nil
}
