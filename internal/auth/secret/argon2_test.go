package secret

import (
	"encoding/base64"
	"errors"
	"runtime"
	"strings"
	"testing"
)

func testHasher() Hasher { return Hasher{Params: TestParams()} }

func TestDefaultAndTestParams(t *testing.T) {
	if got, want := DefaultParams(), (Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}); got != want {
		t.Errorf("DefaultParams() = %+v, want %+v", got, want)
	}
	if got, want := TestParams(), (Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}); got != want {
		t.Errorf("TestParams() = %+v, want %+v", got, want)
	}
	for _, p := range []Params{DefaultParams(), TestParams()} {
		if err := p.validate(); err != nil {
			t.Errorf("validate(%+v) = %v", p, err)
		}
	}
}

func TestHashVerifyRoundTrip(t *testing.T) {
	h := testHasher()
	for _, pw := range []string{"correct horse battery staple", "甲府市役所の桜は春に咲く", "", "a", strings.Repeat("x", 5000)} {
		enc, err := h.Hash(pw)
		if err != nil {
			t.Fatalf("Hash(%q): %v", pw, err)
		}
		ok, rehash, err := h.Verify(enc, pw)
		if !ok || rehash || err != nil {
			t.Errorf("Verify(Hash(%q)) = %v, %v, %v; want true, false, nil", pw, ok, rehash, err)
		}
	}
}

func TestHashFormat(t *testing.T) {
	enc, err := testHasher().Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "$argon2id$v=19$m=64,t=1,p=1$"
	if !strings.HasPrefix(enc, prefix) {
		t.Fatalf("Hash = %q, want prefix %q", enc, prefix)
	}
	parts := strings.Split(strings.TrimPrefix(enc, prefix), "$")
	if len(parts) != 2 {
		t.Fatalf("Hash = %q, want salt$hash after the parameters", enc)
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[0])
	if err != nil || len(salt) != 16 {
		t.Errorf("salt %q: %d bytes, %v; want 16 bytes", parts[0], len(salt), err)
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[1])
	if err != nil || len(key) != 32 {
		t.Errorf("hash %q: %d bytes, %v; want 32 bytes", parts[1], len(key), err)
	}

	enc2, _ := testHasher().Hash("correct horse battery staple")
	if enc == enc2 {
		t.Error("two hashes of the same password are equal; salt is not random")
	}
}

// Known answers from the reference implementation (the argon2 command of
// the Debian package "argon2", phc-winner-argon2), e.g.
//
//	echo -n "パスワード" | argon2 0123456789abcdef -id -t 1 -k 64 -p 1 -l 32 -e
//
// They pin the encoding and the password normalisation: a change that would
// lock every user out cannot pass unnoticed.
func TestVerifyReferenceVectors(t *testing.T) {
	for _, tc := range []struct{ password, encoded string }{
		{"パスワード", "$argon2id$v=19$m=64,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$4z0zksYykB27pOvlrkjnq+2HS3lCZBZouyo6/75GLiA"},
		{"correct horse battery staple", "$argon2id$v=19$m=19456,t=2,p=1$a29mdS1rbm93bi1zYWx0IQ$iwdQdzaX5qWUC+UEhz4lx0jsAESSjgcZxlJiCOuQiNY"},
		{"password", "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$F1jG2CV3/Nr+yRuIsPKw0J9r4s7cJHBU"},
	} {
		ok, _, err := testHasher().Verify(tc.encoded, tc.password)
		if !ok || err != nil {
			t.Errorf("Verify(%q, %q) = %v, %v; want true, nil", tc.encoded, tc.password, ok, err)
		}
		if ok, _, _ := testHasher().Verify(tc.encoded, tc.password+"x"); ok {
			t.Errorf("Verify(%q) accepted a wrong password", tc.encoded)
		}
		// Re-encoding the parsed values gives the reference string back.
		p, salt, key, err := parsePHC(tc.encoded)
		if err != nil {
			t.Fatal(err)
		}
		if got := encodePHC(p, salt, key); got != tc.encoded {
			t.Errorf("encodePHC(parsePHC(%q)) = %q", tc.encoded, got)
		}
	}
	// The 19 MiB vector is made with DefaultParams: no rehash needed.
	_, rehash, _ := Hasher{Params: DefaultParams()}.Verify(
		"$argon2id$v=19$m=19456,t=2,p=1$a29mdS1rbm93bi1zYWx0IQ$iwdQdzaX5qWUC+UEhz4lx0jsAESSjgcZxlJiCOuQiNY",
		"correct horse battery staple")
	if rehash {
		t.Error("hash with DefaultParams reported needsRehash under DefaultParams")
	}
}

func TestVerifyNormalisesFullWidth(t *testing.T) {
	h := testHasher()
	enc, err := h.Hash("Pass1234word")
	if err != nil {
		t.Fatal(err)
	}
	// Typed with a Japanese IME in full-width mode.
	ok, _, err := h.Verify(enc, "Ｐａｓｓ１２３４ｗｏｒｄ")
	if !ok || err != nil {
		t.Errorf("full-width input: Verify = %v, %v; want true, nil", ok, err)
	}
	// Half-width katakana and full-width katakana are the same password.
	enc, _ = h.Hash("ｶﾝﾘｼｬﾊﾟｽﾜｰﾄﾞ")
	if ok, _, _ := h.Verify(enc, "カンリシャパスワード"); !ok {
		t.Error("half-width katakana hash did not verify full-width katakana")
	}
}

func TestVerifyWrongPassword(t *testing.T) {
	h := testHasher()
	enc, err := h.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"", "correct horse battery stapl", "Correct horse battery staple", "correct horse battery staple "} {
		ok, rehash, err := h.Verify(enc, pw)
		if ok || rehash || err != nil {
			t.Errorf("Verify(%q) = %v, %v, %v; want false, false, nil", pw, ok, rehash, err)
		}
	}
}

func TestVerifyTampered(t *testing.T) {
	h := testHasher()
	const pw = "correct horse battery staple"
	enc, err := h.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(enc, "$") // "", argon2id, v=19, params, salt, hash

	flipFirst := func(s string) string {
		c := byte('A')
		if s[0] == 'A' {
			c = 'B'
		}
		return string(c) + s[1:]
	}
	join := func(p []string) string { return strings.Join(p, "$") }
	with := func(i int, v string) string {
		q := append([]string(nil), parts...)
		q[i] = v
		return join(q)
	}

	// Still well-formed, but no longer the hash of pw.
	for name, bad := range map[string]string{
		"hash changed":   with(5, flipFirst(parts[5])),
		"salt changed":   with(4, flipFirst(parts[4])),
		"memory changed": with(3, "m=72,t=1,p=1"),
		"time changed":   with(3, "m=64,t=2,p=1"),
		"lanes changed":  with(3, "m=64,t=1,p=2"),
	} {
		ok, rehash, err := h.Verify(bad, pw)
		if ok || rehash || err != nil {
			t.Errorf("%s: Verify = %v, %v, %v; want false, false, nil", name, ok, rehash, err)
		}
	}

	// Malformed: an error, never ok.
	salt8 := base64.RawStdEncoding.EncodeToString([]byte("12345678"))
	key16 := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef"))
	for name, tc := range map[string]struct {
		enc  string
		want error
	}{
		"empty":               {"", ErrInvalidHash},
		"plain text":          {pw, ErrInvalidHash},
		"bcrypt":              {"$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", ErrUnsupportedHash},
		"argon2i":             {strings.Replace(enc, "$argon2id$", "$argon2i$", 1), ErrUnsupportedHash},
		"argon2 v=16":         {with(2, "v=16"), ErrUnsupportedHash},
		"no version":          {"$argon2id$" + join(parts[3:]), ErrInvalidHash},
		"version garbage":     {with(2, "v=19x"), ErrInvalidHash},
		"extra field":         {enc + "$x", ErrInvalidHash},
		"trailing dollar":     {enc + "$", ErrInvalidHash},
		"missing hash":        {join(parts[:5]), ErrInvalidHash},
		"params reordered":    {with(3, "t=1,m=64,p=1"), ErrInvalidHash},
		"params missing":      {with(3, "m=64,t=1"), ErrInvalidHash},
		"params extra":        {with(3, "m=64,t=1,p=1,keyid=x"), ErrInvalidHash},
		"leading zero":        {with(3, "m=064,t=1,p=1"), ErrInvalidHash},
		"plus sign":           {with(3, "m=+64,t=1,p=1"), ErrInvalidHash},
		"negative":            {with(3, "m=-64,t=1,p=1"), ErrInvalidHash},
		"empty number":        {with(3, "m=,t=1,p=1"), ErrInvalidHash},
		"time zero":           {with(3, "m=64,t=0,p=1"), ErrInvalidHash},
		"time huge":           {with(3, "m=64,t=1000000,p=1"), ErrInvalidHash},
		"lanes zero":          {with(3, "m=64,t=1,p=0"), ErrInvalidHash},
		"lanes over 255":      {with(3, "m=4096,t=1,p=256"), ErrInvalidHash},
		"memory below 8p":     {with(3, "m=8,t=1,p=2"), ErrInvalidHash},
		"memory huge":         {with(3, "m=4294967295,t=1,p=1"), ErrInvalidHash},
		"memory overflow":     {with(3, "m=99999999999999999999,t=1,p=1"), ErrInvalidHash},
		"salt padded":         {with(4, parts[4]+"=="), ErrInvalidHash},
		"salt bad base64":     {with(4, "!!!!"+parts[4][4:]), ErrInvalidHash},
		"salt too short":      {with(4, base64.RawStdEncoding.EncodeToString([]byte("1234567"))), ErrInvalidHash},
		"hash too short":      {with(5, base64.RawStdEncoding.EncodeToString([]byte("123456789012345"))), ErrInvalidHash},
		"hash empty":          {with(5, ""), ErrInvalidHash},
		"hash non-canonical":  {with(5, key16[:len(key16)-1]+"x"), ErrInvalidHash}, // nonzero trailing bits
		"minimal but garbled": {"$argon2id$v=19$m=64,t=1,p=1$" + salt8 + "$" + key16 + "%", ErrInvalidHash},
	} {
		ok, rehash, err := h.Verify(tc.enc, pw)
		if ok || rehash || !errors.Is(err, tc.want) {
			t.Errorf("%s: Verify(%q) = %v, %v, %v; want false, false, %v", name, tc.enc, ok, rehash, err, tc.want)
		}
	}

	// The minimal well-formed hash (8-byte salt, 16-byte key) parses.
	if _, _, err := h.Verify("$argon2id$v=19$m=64,t=1,p=1$"+salt8+"$"+key16, pw); err != nil {
		t.Errorf("minimal well-formed hash: %v", err)
	}
}

func TestNeedsRehash(t *testing.T) {
	const pw = "correct horse battery staple"
	old := testHasher()
	enc, err := old.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	if ok, rehash, err := old.Verify(enc, pw); !ok || rehash || err != nil {
		t.Fatalf("same params: %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	change := map[string]func(*Params){
		"memory":  func(p *Params) { p.Memory = 128 },
		"time":    func(p *Params) { p.Time = 2 },
		"threads": func(p *Params) { p.Threads = 2 },
		"salt":    func(p *Params) { p.SaltLen = 32 },
		"key":     func(p *Params) { p.KeyLen = 64 },
	}
	for name, f := range change {
		p := TestParams()
		f(&p)
		ok, rehash, err := Hasher{Params: p}.Verify(enc, pw)
		if !ok || !rehash || err != nil {
			t.Errorf("%s changed: Verify = %v, %v, %v; want true, true, nil", name, ok, rehash, err)
		}
		// A wrong password never asks for a rehash.
		if ok, rehash, _ := (Hasher{Params: p}).Verify(enc, "wrong"); ok || rehash {
			t.Errorf("%s changed, wrong password: %v, %v; want false, false", name, ok, rehash)
		}
		// After the rehash the new hash is current.
		enc2, err := Hasher{Params: p}.Hash(pw)
		if err != nil {
			t.Fatal(err)
		}
		if ok, rehash, err := (Hasher{Params: p}).Verify(enc2, pw); !ok || rehash || err != nil {
			t.Errorf("%s changed, after rehash: %v, %v, %v; want true, false, nil", name, ok, rehash, err)
		}
	}
}

func TestZeroHasherUsesDefaultParams(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes with the default (expensive) parameters")
	}
	enc, err := Hasher{}.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("Hasher{}.Hash = %q, want default parameters", enc)
	}
	ok, rehash, err := Hasher{Params: DefaultParams()}.Verify(enc, "correct horse battery staple")
	if !ok || rehash || err != nil {
		t.Errorf("Verify with DefaultParams = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestHashInvalidParams(t *testing.T) {
	for name, p := range map[string]Params{
		"time zero":       {Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32},
		"threads zero":    {Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32},
		"memory below 8p": {Memory: 15, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32},
		"memory huge":     {Memory: 1 << 30, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		"salt short":      {Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32},
		"key short":       {Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8},
		"key long":        {Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 4096},
	} {
		enc, err := Hasher{Params: p}.Hash("correct horse battery staple")
		if enc != "" || !errors.Is(err, ErrInvalidParams) {
			t.Errorf("%s: Hash = %q, %v; want ErrInvalidParams", name, enc, err)
		}
	}
}

// DummyVerify must do the work of a real verification with h.Params. Argon2
// allocates its whole memory matrix, so the bytes allocated show which
// parameters were used.
func TestDummyVerify(t *testing.T) {
	allocated := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	small := testHasher()
	big := Hasher{Params: Params{Memory: 8192, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}
	enc, err := big.Hash("x")
	if err != nil {
		t.Fatal(err)
	}

	verify := allocated(func() { _, _, _ = big.Verify(enc, "correct horse battery staple") })
	dummy := allocated(func() { big.DummyVerify("correct horse battery staple") })
	cheap := allocated(func() { small.DummyVerify("correct horse battery staple") })
	const matrix = 8192 * 1024
	if verify < matrix || dummy < matrix {
		t.Errorf("allocated %d bytes for Verify and %d for DummyVerify; want both >= %d", verify, dummy, matrix)
	}
	if cheap >= matrix/4 {
		t.Errorf("DummyVerify with m=64 allocated %d bytes; it does not use h.Params", cheap)
	}

	// Invalid parameters fall back to the defaults rather than panicking.
	if testing.Short() {
		return
	}
	Hasher{Params: Params{Memory: 1}}.DummyVerify("x")
}

// FuzzParsePHC checks that the parser never panics and that whatever it
// accepts is canonical: encoding the parsed values gives the input back.
func FuzzParsePHC(f *testing.F) {
	enc, _ := testHasher().Hash("seed")
	for _, s := range []string{enc, "", "$", "$argon2id", "$argon2id$v=19$m=64,t=1,p=1$$", "$argon2id$v=19$m=64,t=1,p=1$MTIzNDU2Nzg$MDEyMzQ1Njc4OWFiY2RlZg"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := parsePHC(s)
		if err != nil {
			return
		}
		if got := encodePHC(p, salt, key); got != s {
			t.Errorf("parsePHC(%q) accepted a non-canonical string; re-encodes as %q", s, got)
		}
	})
}

func BenchmarkHashDefault(b *testing.B) {
	h := Hasher{Params: DefaultParams()}
	for b.Loop() {
		if _, err := h.Hash("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyDefault(b *testing.B) {
	h := Hasher{Params: DefaultParams()}
	enc, err := h.Hash("correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_, _, _ = h.Verify(enc, "correct horse battery staple")
	}
}
