package secret

import (
	"encoding/base32"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
)

// rfcSecret is the SHA1 seed of RFC 6238 Appendix B, "12345678901234567890",
// in base32.
var rfcSecret = base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))

// rfcVectors are the SHA1 rows of RFC 6238 Appendix B (8 digits).
var rfcVectors = []struct {
	unix int64
	step int64 // T in hex in the RFC
	code string
}{
	{59, 0x1, "94287082"},
	{1111111109, 0x23523EC, "07081804"},
	{1111111111, 0x23523ED, "14050471"},
	{1234567890, 0x273EF07, "89005924"},
	{2000000000, 0x3F940AA, "69279037"},
	{20000000000, 0x27BC86AA, "65353130"},
}

func TestTOTPRFC6238Vectors(t *testing.T) {
	if rfcSecret != "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" {
		t.Fatalf("rfcSecret = %q", rfcSecret)
	}
	for _, v := range rfcVectors {
		at := time.Unix(v.unix, 0).UTC()
		got, err := totpCode(rfcSecret, at, 8)
		if err != nil || got != v.code {
			t.Errorf("8-digit code at %d = %q, %v; want %q", v.unix, got, err, v.code)
		}
		// Production codes are the same HOTP value mod 10^6: the last six digits.
		want6 := v.code[2:]
		got6, err := TOTPCode(rfcSecret, at)
		if err != nil || got6 != want6 {
			t.Errorf("TOTPCode at %d = %q, %v; want %q", v.unix, got6, err, want6)
		}
		step, ok := ValidateTOTP(rfcSecret, want6, at)
		if !ok || step != v.step {
			t.Errorf("ValidateTOTP(%q) at %d = %d, %v; want %d, true", want6, v.unix, step, ok, v.step)
		}
	}
}

func TestValidateTOTPSkew(t *testing.T) {
	now := time.Unix(1111111111, 0) // step 0x23523ED, 1 s into it
	cur := now.Unix() / 30
	codeAt := func(step int64) string {
		c, err := TOTPCode(rfcSecret, time.Unix(step*30, 0))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	codes := map[int64]string{}
	for d := int64(-3); d <= 3; d++ {
		codes[d] = codeAt(cur + d)
	}
	for d := int64(-3); d <= 3; d++ {
		for e := d + 1; e <= 3; e++ {
			if codes[d] == codes[e] {
				t.Fatalf("test data: steps %d and %d share code %s", d, e, codes[d])
			}
		}
	}
	for d := int64(-3); d <= 3; d++ {
		step, ok := ValidateTOTP(rfcSecret, codes[d], now)
		wantOK := d >= -1 && d <= 1
		if ok != wantOK || (ok && step != cur+d) {
			t.Errorf("code of step %+d: ValidateTOTP = %d, %v; want %d, %v", d, step, ok, cur+d, wantOK)
		}
	}

	// The window moves with the clock: at the very end of the current step the
	// previous one is still accepted and the one after next is not.
	end := time.Unix((cur+1)*30-1, 0)
	if _, ok := ValidateTOTP(rfcSecret, codes[-1], end); !ok {
		t.Error("previous step refused at the end of the current step")
	}
	if _, ok := ValidateTOTP(rfcSecret, codes[2], end); ok {
		t.Error("step +2 accepted at the end of the current step")
	}
}

// The caller implements replay protection with the returned step; this
// shows the intended use.
func TestValidateTOTPReplay(t *testing.T) {
	now := time.Unix(1234567890, 0)
	code, _ := TOTPCode(rfcSecret, now)
	var lastStep int64
	accept := func(code string, at time.Time) bool {
		step, ok := ValidateTOTP(rfcSecret, code, at)
		if !ok || step <= lastStep {
			return false
		}
		lastStep = step
		return true
	}
	if !accept(code, now) {
		t.Fatal("first use refused")
	}
	if accept(code, now.Add(10*time.Second)) {
		t.Error("same code accepted twice")
	}
	// The previous step's code is refused after the current one was used.
	prev, _ := TOTPCode(rfcSecret, now.Add(-30*time.Second))
	if accept(prev, now) {
		t.Error("older step accepted after a newer one")
	}
	next, _ := TOTPCode(rfcSecret, now.Add(30*time.Second))
	if !accept(next, now.Add(30*time.Second)) {
		t.Error("next step refused")
	}
}

func TestValidateTOTPInput(t *testing.T) {
	at := time.Unix(59, 0)
	const code = "287082"
	for _, in := range []string{code, " 287082 ", "287 082", "287-082", "２８７０８２", "２８７　０８２"} {
		if step, ok := ValidateTOTP(rfcSecret, in, at); !ok || step != 1 {
			t.Errorf("ValidateTOTP(%q) = %d, %v; want 1, true", in, step, ok)
		}
	}
	for _, in := range []string{"", "28708", "2870820", "94287082", "28708a", "+87082", "287082\x00", "٢٨٧٠٨٢", "000000"} {
		if _, ok := ValidateTOTP(rfcSecret, in, at); ok {
			t.Errorf("ValidateTOTP(%q) accepted", in)
		}
	}
	// Lower-case and padded secrets are accepted, as the otp library does.
	if _, ok := ValidateTOTP(strings.ToLower(rfcSecret), code, at); !ok {
		t.Error("lower-case secret refused")
	}
	padded := base32.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
	if !strings.HasSuffix(padded, "=") {
		t.Fatalf("test data: %q has no padding", padded)
	}
	pc, err := TOTPCode(padded, at)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ValidateTOTP(strings.TrimRight(padded, "="), pc, at); !ok {
		t.Error("code of padded secret refused for the same secret unpadded")
	}
	for _, secret := range []string{"", "not base32!", "GEZDGNBV", strings.Repeat("A", 15)} {
		if _, ok := ValidateTOTP(secret, code, at); ok {
			t.Errorf("ValidateTOTP with secret %q accepted", secret)
		}
		if _, err := TOTPCode(secret, at); err == nil {
			t.Errorf("TOTPCode with secret %q: no error", secret)
		}
	}
	before := time.Unix(-1, 0)
	if _, ok := ValidateTOTP(rfcSecret, code, before); ok {
		t.Error("time before 1970 accepted")
	}
	if _, err := TOTPCode(rfcSecret, before); err == nil {
		t.Error("TOTPCode before 1970: no error")
	}
	// Near the epoch there is no step -1.
	c0, _ := TOTPCode(rfcSecret, time.Unix(0, 0))
	if step, ok := ValidateTOTP(rfcSecret, c0, time.Unix(5, 0)); !ok || step != 0 {
		t.Errorf("step 0 at t=5: %d, %v", step, ok)
	}
}

func TestNewTOTPSecret(t *testing.T) {
	secret, rawURL, err := NewTOTPSecret("甲府市 Kofu", "tanaka.taro")
	if err != nil {
		t.Fatal(err)
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil || len(key) != 20 {
		t.Fatalf("secret %q: %d bytes, %v; want 20 bytes of unpadded base32", secret, len(key), err)
	}
	k, err := otp.NewKeyFromURL(rawURL)
	if err != nil {
		t.Fatalf("NewKeyFromURL(%q): %v", rawURL, err)
	}
	if k.Type() != "totp" || k.Issuer() != "甲府市 Kofu" || k.AccountName() != "tanaka.taro" || k.Secret() != secret ||
		k.Period() != 30 || k.Digits() != otp.DigitsSix || k.Algorithm() != otp.AlgorithmSHA1 {
		t.Errorf("otpauth URL %q: type %s issuer %q account %q period %d digits %d alg %s",
			rawURL, k.Type(), k.Issuer(), k.AccountName(), k.Period(), k.Digits(), k.Algorithm())
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "otpauth" || u.Query().Get("issuer") != "甲府市 Kofu" {
		t.Errorf("URL %q: scheme %q issuer %q, %v", rawURL, u.Scheme, u.Query().Get("issuer"), err)
	}

	now := time.Now()
	code, err := TOTPCode(secret, now)
	if err != nil || len(code) != 6 {
		t.Fatalf("TOTPCode = %q, %v", code, err)
	}
	if _, err := strconv.Atoi(code); err != nil {
		t.Errorf("code %q is not numeric", code)
	}
	if step, ok := ValidateTOTP(secret, code, now); !ok || step != now.Unix()/30 {
		t.Errorf("ValidateTOTP(own code) = %d, %v", step, ok)
	}

	other, _, err := NewTOTPSecret("甲府市 Kofu", "tanaka.taro")
	if err != nil || other == secret {
		t.Errorf("second secret %q equals the first, %v", other, err)
	}
	if _, _, err := NewTOTPSecret("", "tanaka"); err == nil {
		t.Error("empty issuer accepted")
	}
	if _, _, err := NewTOTPSecret("Kofu", ""); err == nil {
		t.Error("empty account accepted")
	}
}
