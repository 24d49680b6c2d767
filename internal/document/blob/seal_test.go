package blob

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
)

func testSealer(t *testing.T, older ...*fieldcrypt.Key) (*Sealer, *fieldcrypt.Key) {
	t.Helper()
	k, err := fieldcrypt.ParseKey(fieldcrypt.Generate())
	if err != nil {
		t.Fatal(err)
	}
	return SealerFor(fieldcrypt.NewKeyring(k, older...)), k
}

func seal(t *testing.T, s *Sealer, blobID string, plain []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := s.Seal(&out, blobID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, bytes.NewReader(plain)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(plain); !bytes.Equal(w.Sum(), sum[:]) || w.Size() != int64(len(plain)) {
		t.Fatalf("sum %x size %d, want %x %d", w.Sum(), w.Size(), sum, len(plain))
	}
	return out.Bytes()
}

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func TestSealRoundTrip(t *testing.T) {
	s, _ := testSealer(t)
	for _, n := range []int{0, 1, 64 << 10, 64<<10 + 1, 300 << 10} {
		plain := random(n)
		sealed := seal(t, s, "blob-1", plain)
		if bytes.Contains(sealed, plain[:min(n, 32)]) && n >= 32 {
			t.Fatalf("%d bytes: the plaintext shows in the sealed blob", n)
		}
		r, err := s.Open(bytes.NewReader(sealed), "blob-1")
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("%d bytes: read back %d bytes, %v", n, len(got), err)
		}
		sum := sha256.Sum256(plain)
		if err := s.Verify(bytes.NewReader(sealed), "blob-1", sum[:]); err != nil {
			t.Fatalf("%d bytes: verify: %v", n, err)
		}
	}
}

func TestSealRandomAccess(t *testing.T) {
	s, _ := testSealer(t)
	plain := random(200 << 10)
	sealed := seal(t, s, "blob-2", plain)
	ra, size, err := s.OpenAt(bytes.NewReader(sealed), int64(len(sealed)), "blob-2")
	if err != nil || size != int64(len(plain)) {
		t.Fatalf("size %d, %v", size, err)
	}
	part := make([]byte, 1000)
	if _, err := ra.ReadAt(part, 65000); err != nil || !bytes.Equal(part, plain[65000:66000]) {
		t.Fatalf("a range across a chunk boundary: %v", err)
	}
}

// A blob altered anywhere, cut short, or read as another blob fails with
// CodeCorrupt; one under a key not given fails with CodeKey.
func TestSealDetectsTamperingSwapsAndCuts(t *testing.T) {
	s, _ := testSealer(t)
	plain := random(150 << 10)
	sealed := seal(t, s, "blob-3", plain)
	flip := func(at int) []byte {
		b := bytes.Clone(sealed)
		b[at] ^= 1
		return b
	}
	stranger, _ := testSealer(t)
	for _, tc := range []struct {
		name   string
		s      *Sealer
		data   []byte
		blobID string
		code   apperr.Code
	}{
		{"a byte of the first chunk", s, flip(len(sealed) - 100_000), "blob-3", CodeCorrupt},
		{"a byte of the last chunk", s, flip(len(sealed) - 10), "blob-3", CodeCorrupt},
		{"a byte of the wrapped key", s, flip(bytes.Index(sealed, []byte("\n---")) - 3), "blob-3", CodeCorrupt},
		{"a byte of the header's MAC", s, flip(bytes.Index(sealed, []byte("\n---")) + 6), "blob-3", CodeCorrupt},
		{"cut at a chunk boundary", s, sealed[:len(sealed)-(150<<10-128<<10)-16], "blob-3", CodeCorrupt},
		{"cut in the middle", s, sealed[:len(sealed)/2], "blob-3", CodeCorrupt},
		{"read as another blob", s, sealed, "blob-4", CodeCorrupt},
		{"another city's key", stranger, sealed, "blob-3", CodeKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sum := sha256.Sum256(plain)
			err := tc.s.Verify(bytes.NewReader(tc.data), tc.blobID, sum[:])
			if apperr.CodeOf(err) != tc.code {
				t.Fatalf("code %q (%v), want %s", apperr.CodeOf(err), err, tc.code)
			}
		})
	}
	if err := s.Verify(bytes.NewReader(sealed), "blob-3", make([]byte, 32)); apperr.CodeOf(err) != CodeCorrupt {
		t.Fatalf("a stored sum that differs: %v", err)
	}
}

// After `kofu keys rotate` the old key still opens old blobs, KeyID finds
// them, and Reseal moves them to the new key.
func TestSealKeyRotation(t *testing.T) {
	old, oldKey := testSealer(t)
	plain := random(70 << 10)
	sealed := seal(t, old, "blob-5", plain)
	rotated, newKey := testSealer(t, oldKey)
	if id, err := KeyID(bytes.NewReader(sealed)); err != nil || id != oldKey.ID() {
		t.Fatalf("key id %q, %v; want %s", id, err, oldKey.ID())
	}
	var out bytes.Buffer
	sum, err := rotated.Reseal(&out, bytes.NewReader(sealed), "blob-5")
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(plain)
	if !bytes.Equal(sum, want[:]) {
		t.Fatalf("resealed sum %x, want %x", sum, want)
	}
	if id, _ := KeyID(bytes.NewReader(out.Bytes())); id != newKey.ID() {
		t.Fatalf("resealed under %s, want %s", id, newKey.ID())
	}
	newOnly := SealerFor(fieldcrypt.NewKeyring(newKey))
	if err := newOnly.Verify(bytes.NewReader(out.Bytes()), "blob-5", want[:]); err != nil {
		t.Fatalf("the new key alone opens the resealed blob: %v", err)
	}
	if err := newOnly.Verify(bytes.NewReader(sealed), "blob-5", want[:]); apperr.CodeOf(err) != CodeKey {
		t.Fatalf("the old blob without the old key: %v", err)
	}
}

// Sealing streams: a large blob is written with a small, constant heap.
func BenchmarkSeal50MB(b *testing.B) {
	k, _ := fieldcrypt.ParseKey(fieldcrypt.Generate())
	s := SealerFor(fieldcrypt.NewKeyring(k))
	chunk := random(1 << 20)
	b.SetBytes(50 << 20)
	b.ReportAllocs()
	for b.Loop() {
		w, _ := s.Seal(io.Discard, "bench")
		for range 50 {
			w.Write(chunk)
		}
		w.Close()
	}
}
