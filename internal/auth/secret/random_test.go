package secret

import (
	"encoding/base32"
	"encoding/base64"
	"math"
	"regexp"
	"strings"
	"testing"
)

func TestNewSessionID(t *testing.T) {
	const draws = 100000
	seen := make(map[string]bool, draws)
	for range draws {
		id := NewSessionID()
		if len(id) != 22 {
			t.Fatalf("NewSessionID() = %q, %d chars; want 22", id, len(id))
		}
		b, err := base64.RawURLEncoding.Strict().DecodeString(id)
		if err != nil || len(b) != 16 {
			t.Fatalf("NewSessionID() = %q: %d bytes, %v; want 16 bytes of base64url", id, len(b), err)
		}
		if seen[id] {
			t.Fatalf("NewSessionID() repeated %q", id)
		}
		seen[id] = true
	}
}

var tokenRE = regexp.MustCompile(`^kofu_[a-z2-7]{52}$`)

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 10000 {
		tok := NewToken()
		if !tokenRE.MatchString(tok) {
			t.Fatalf("NewToken() = %q, want kofu_ and 52 lower-case base32 characters", tok)
		}
		b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimPrefix(tok, TokenPrefix)))
		if err != nil || len(b) != 32 {
			t.Fatalf("NewToken() = %q: %d bytes, %v; want 32", tok, len(b), err)
		}
		if seen[tok] {
			t.Fatalf("NewToken() repeated %q", tok)
		}
		seen[tok] = true
	}
}

func TestHashToken(t *testing.T) {
	// FIPS 180-2 test vector.
	if got, want := HashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("HashToken(abc) = %s, want %s", got, want)
	}
	tok := NewToken()
	if HashToken(tok) != HashToken(tok) || HashToken(tok) == HashToken(NewToken()) || len(HashToken(tok)) != 64 {
		t.Error("HashToken is not a deterministic 64-character digest")
	}
}

func TestGeneratePassword(t *testing.T) {
	strict := DefaultPolicy()
	strict.RequireClasses = 4
	strict.MinLength = 16
	seen := map[string]bool{}
	for range 1000 {
		pw := GeneratePassword()
		if len(pw) != 16 {
			t.Fatalf("GeneratePassword() = %q, want 16 characters", pw)
		}
		if strings.ContainsAny(pw, "0Oo1lIi") {
			t.Fatalf("GeneratePassword() = %q contains an ambiguous character", pw)
		}
		if strings.Trim(pw, passwordAlphabet) != "" {
			t.Fatalf("GeneratePassword() = %q has characters outside the alphabet", pw)
		}
		if err := DefaultPolicy().Check("", pw); err != nil {
			t.Fatalf("GeneratePassword() = %q fails DefaultPolicy: %v", pw, err)
		}
		if err := strict.Check("", pw); err != nil {
			t.Fatalf("GeneratePassword() = %q fails a 4-class policy: %v", pw, err)
		}
		if seen[pw] {
			t.Fatalf("GeneratePassword() repeated %q", pw)
		}
		seen[pw] = true
	}
}

var recoveryRE = regexp.MustCompile(`^[a-hjkmnp-z]{5}-[a-hjkmnp-z]{5}-[a-hjkmnp-z]{5}$`)

func TestRecoveryCodes(t *testing.T) {
	if bits := float64(recoveryGroups*recoveryGroupLen) * math.Log2(float64(len(recoveryAlphabet))); bits < 60 {
		t.Errorf("recovery codes carry %.1f bits, want >= 60", bits)
	}
	if strings.ContainsAny(recoveryAlphabet, "0o1liI") || len(recoveryAlphabet) != 23 {
		t.Errorf("recoveryAlphabet %q", recoveryAlphabet)
	}
	codes := RecoveryCodes(10)
	if len(codes) != 10 {
		t.Fatalf("RecoveryCodes(10) gave %d codes", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if !recoveryRE.MatchString(c) || len(c) != recoveryCodeLength {
			t.Errorf("code %q does not look like abcde-fghjk-mnpqr", c)
		}
		if NormalizeRecoveryCode(c) != c {
			t.Errorf("code %q is not in normal form: %q", c, NormalizeRecoveryCode(c))
		}
		if seen[c] {
			t.Errorf("duplicate code %q", c)
		}
		seen[c] = true
	}
	if n := len(RecoveryCodes(0)); n != 0 {
		t.Errorf("RecoveryCodes(0) gave %d codes", n)
	}
	if n := len(RecoveryCodes(-1)); n != 0 {
		t.Errorf("RecoveryCodes(-1) gave %d codes", n)
	}
}

func TestNormalizeRecoveryCode(t *testing.T) {
	const code = "abcde-fghjk-mnpqr"
	for in, want := range map[string]string{
		code:                     code,
		"  abcde-fghjk-mnpqr \n": code,
		"ABCDE-FGHJK-MNPQR":      code,
		"abcde fghjk mnpqr":      code,
		"abcdefghjkmnpqr":        code,
		"abc-defg-hjkmn-pqr":     code, // hyphens in the wrong places
		"abcde--fghjk--mnpqr":    code,
		"ＡＢＣＤＥ－ＦＧＨＪＫ－ＭＮＰＱＲ":           code, // full-width from a Japanese IME
		"abcdeーfghjkーmnpqr":           code, // katakana prolonged sound mark
		"abcdeｰfghjkｰmnpqr":           code, // half-width prolonged sound mark
		"abcde‐fghjk–mnpqr":           code, // hyphen U+2010 and en dash
		"abcde—fghjk−mnpqr":           code, // em dash and minus sign
		"abcde\u3000fghjk\u3000mnpqr": code, // ideographic spaces
		"\tabcde - fghjk - mnpqr\t":   code,
		"abcd-efgh-jkmn":              "abcdefghjkmn", // wrong length: separators removed, no match
		"abcde-fghjk-mnpqi":           "abcdefghjkmnpqi",
		"":                            "",
	} {
		if got := NormalizeRecoveryCode(in); got != want {
			t.Errorf("NormalizeRecoveryCode(%q) = %q, want %q", in, got, want)
		}
	}
	// What the caller stores and what it computes from user input agree.
	c := RecoveryCodes(1)[0]
	typed := strings.ToUpper(strings.ReplaceAll(c, "-", " "))
	if HashToken(NormalizeRecoveryCode(typed)) != HashToken(c) {
		t.Errorf("typed %q does not match stored code %q", typed, c)
	}
}

// randomString draws uniformly: each character is expected 1,000 times
// (σ ≈ 31) and must fall within ±10σ, so the test does not flake.
func TestRandomStringUniform(t *testing.T) {
	var b strings.Builder
	for i := range 100 {
		b.WriteByte(byte(i)) // 100 distinct ASCII bytes
	}
	hundred := b.String()
	for _, alphabet := range []string{passwordAlphabet, recoveryAlphabet, hundred} {
		distinct := map[rune]bool{}
		for _, r := range alphabet {
			distinct[r] = true
		}
		if len(distinct) != len(alphabet) {
			t.Fatalf("alphabet %q has repeated characters", alphabet)
		}
		s := randomString(alphabet, 1000*len(alphabet))
		counts := map[rune]int{}
		for _, r := range s {
			counts[r]++
		}
		for _, r := range alphabet {
			if n := counts[r]; n < 690 || n > 1310 {
				t.Errorf("alphabet of %d: character %q drawn %d times, want about 1000", len(alphabet), r, n)
			}
		}
		if len(counts) != len(alphabet) {
			t.Errorf("alphabet of %d: drew %d distinct characters", len(alphabet), len(counts))
		}
	}
}

// A plain modulo without rejection would favour the first 256 % 100 = 56
// characters of a 100-character alphabet (3/256 against 2/256 per draw).
// Their share of 100,000 draws is expected to be 56,000 (σ ≈ 157); a biased
// generator gives about 65,600.
func TestRandomStringNoModuloBias(t *testing.T) {
	var b strings.Builder
	for i := range 100 {
		b.WriteByte(byte(i))
	}
	s := randomString(b.String(), 100000)
	low := 0
	for i := 0; i < len(s); i++ {
		if s[i] < 56 {
			low++
		}
	}
	if low < 56000-6*157 || low > 56000+6*157 {
		t.Errorf("first 56 characters drawn %d times of 100000, want about 56000", low)
	}
}
