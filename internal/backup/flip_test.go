package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"slices"
	"testing"

	"filippo.io/age"

	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// The layout of an age file's payload (age-encryption.org/v1): a 16-byte
// nonce, then STREAM chunks of 64 KiB of ciphertext, each followed by a
// 16-byte Poly1305 tag; the last chunk is shorter.
const (
	ageNonce = 16
	ageChunk = 64 << 10
	ageTag   = 16
)

// flipFixture is a signed backup of a small database (users, their audit
// entries and enough data that does not compress to span two age
// chunks), the identity that opens it and an empty database to restore
// into. What the tables hold does not matter here, their number of bytes
// does: every probe of flipSites inflates the stream.
func flipFixture(tb testing.TB) ([]byte, *age.X25519Identity, *store.DB) {
	tb.Helper()
	src := storetest.MustOpen(tb, store.SQLite)
	withAdmin(tb, src, "staff-a")
	stageNoise(tb, src, ageChunk+ageChunk/4) // compresses to a little more than one chunk
	id := mustIdentity(tb)
	file, _ := mustBackup(tb, src, toKey(id))
	return file, id, storetest.MustOpen(tb, store.SQLite)
}

// mustRefuse restores file with one byte flipped and fails unless the
// restore is refused.
func mustRefuse(t *testing.T, file []byte, id age.Identity, dst *store.DB, at int, mask byte, what string) {
	t.Helper()
	damaged := bytes.Clone(file)
	damaged[at] ^= mask
	if _, err := Restore(t.Context(), bytes.NewReader(damaged), Decryption{Identities: []age.Identity{id}}, dst); err == nil {
		t.Fatalf("%s: byte %d of %d flipped (^%#02x): restored", what, at, len(file), mask)
	}
}

// TestEveryFlippedByteIsCaught flips one byte at a time at positions that
// cover every part of the format, from the outside in: each line of the
// age header (its first, middle and last byte, the MAC line included), the
// nonce, the first, middle and last byte and the tag of every age chunk;
// inside the encryption, the gzip header (every byte, MTIME and OS too,
// which gzip's own CRC does not cover) and trailer; inside the gzip
// stream, the tar header and middle of the first and the last table's
// entries, the header, first, middle and last byte of the manifest and of
// the signature, and the tar trailer. Every such file is refused and nothing is written. The walk
// over every byte of the file is FuzzFlippedByte (go test -fuzz).
func TestEveryFlippedByteIsCaught(t *testing.T) {
	file, id, dst := flipFixture(t)
	sites := flipSites(t, file, id)
	parts := map[string]bool{}
	for _, s := range sites {
		parts[s.part] = true
	}
	for _, want := range []string{"age header line 1", "age header MAC line", "nonce", "age chunk 1", "age chunk 1 tag", "age chunk 2 tag",
		"gzip header", "gzip trailer", "tar trailer", manifestName, signatureName} {
		if !parts[want] {
			t.Fatalf("no site in %q: the fixture does not have the layout this test expects (%d bytes)", want, len(file))
		}
	}
	for _, s := range sites {
		mustRefuse(t, file, id, dst, s.at, 0x20, s.part)
	}
	t.Logf("%d bytes, %d positions flipped", len(file), len(sites))
	assertEmpty(t, dst)
}

// FuzzFlippedByte is the exhaustive version of TestEveryFlippedByteIsCaught:
// any byte of the backup, flipped with any mask, makes the restore fail.
// Its seeds (run by go test) hit the start, the end and a chunk boundary.
func FuzzFlippedByte(f *testing.F) {
	file, id, dst := flipFixture(f)
	body := bytes.Index(file, []byte("\n---")) + 1
	body += bytes.IndexByte(file[body:], '\n') + 1 + ageNonce
	for _, at := range []int{0, body - 1, body + ageChunk - 1, body + ageChunk + ageTag, len(file) - 1} {
		f.Add(uint32(at), byte(0x01))
	}
	f.Fuzz(func(t *testing.T, at uint32, mask byte) {
		if mask == 0 {
			return // no change
		}
		mustRefuse(t, file, id, dst, int(at)%len(file), mask, "fuzz")
	})
}

// A site is one byte of a backup file, named by the part of the format it
// sits in.
type site struct {
	part string
	at   int
}

type siteList []site

func (l *siteList) add(part string, at ...int) {
	for _, a := range at {
		*l = append(*l, site{part, a})
	}
}

// flipSites maps the backup's format onto the bytes of file. Positions
// inside the encryption are mapped through the layout of age's STREAM;
// positions inside the compressed stream through compressedAt.
func flipSites(t *testing.T, file []byte, id age.Identity) []site {
	t.Helper()
	var l siteList
	header := bytes.Index(file, []byte("\n---")) + 1 // the MAC line
	body := header + bytes.IndexByte(file[header:], '\n') + 1
	for i, n := 0, 1; i < body; n++ {
		end := i + bytes.IndexByte(file[i:body], '\n')
		part := fmt.Sprintf("age header line %d", n)
		if i == header {
			part = "age header MAC line"
		}
		l.add(part, i, (i+end)/2, end)
		i = end + 1
	}
	l.add("nonce", body, body+ageNonce/2, body+ageNonce-1)
	body += ageNonce
	for k, start := 1, body; start < len(file); k, start = k+1, start+ageChunk+ageTag {
		end := min(start+ageChunk+ageTag, len(file)) - ageTag // where the tag begins
		l.add(fmt.Sprintf("age chunk %d", k), start, (start+end)/2, end-1)
		l.add(fmt.Sprintf("age chunk %d tag", k), end, end+ageTag-1)
	}
	gz := decryptedPayload(t, file, id)
	at := func(p int) int { return body + p/ageChunk*(ageChunk+ageTag) + p%ageChunk }
	for p := range 10 {
		l.add("gzip header", at(p))
	}
	l.add("gzip trailer", at(len(gz)-8), at(len(gz)-4), at(len(gz)-1))
	inflated := map[int]int{} // the searches share their first probes
	for _, e := range tarEntries(t, decryptAll(t, file, id)) {
		for _, u := range e.offsets {
			l.add(e.name, at(compressedAt(gz, u, inflated)))
		}
	}
	slices.SortFunc(l, func(a, b site) int { return a.at - b.at })
	return slices.CompactFunc(l, func(a, b site) bool { return a.at == b.at })
}

// decryptedPayload is the gzip stream inside file.
func decryptedPayload(t *testing.T, file []byte, id age.Identity) []byte {
	t.Helper()
	r, err := age.Decrypt(bytes.NewReader(file), id)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// entrySites is a part of the tar stream and offsets in it to flip.
type entrySites struct {
	name    string
	offsets []int
}

// tarEntries returns the offsets (in the uncompressed tar stream) of the
// header and the middle of the first and the last table chunk, the
// header, first, middle and last byte of the manifest and the signature,
// and of the tar trailer. (Each offset costs a binary search of inflated
// prefixes: they are few.)
func tarEntries(t *testing.T, raw []byte) []entrySites {
	t.Helper()
	r := bytes.NewReader(raw)
	tr := tar.NewReader(onlyReader{r}) // no Seek: r's offset follows what tar read
	var all []entrySites
	next := 0 // where the next entry's header blocks begin
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data := len(raw) - r.Len()
		e := entrySites{name: hdr.Name, offsets: []int{next, data + int(hdr.Size)/2}}
		if hdr.Name == manifestName || hdr.Name == signatureName {
			e.offsets = append(e.offsets, data, data+int(hdr.Size)-1)
		}
		all = append(all, e)
		next = data + (int(hdr.Size)+511)/512*512
	}
	tables := all[:len(all)-2]
	picked := []entrySites{tables[0], tables[len(tables)-1], all[len(all)-2], all[len(all)-1]}
	if picked[2].name != manifestName || picked[3].name != signatureName {
		t.Fatalf("the stream ends with %s, %s", picked[2].name, picked[3].name)
	}
	return append(picked, entrySites{name: "tar trailer", offsets: []int{next, next + 511, len(raw) - 1}})
}

// compressedAt returns the offset in the gzip stream gz of the byte that
// completes uncompressed byte u: the shortest prefix of gz that inflates
// to more than u bytes ends there. (A decoder emits what it has decoded
// when its input ends, so the inflated length grows with the prefix.)
// memo keeps the inflated length of each prefix tried.
func compressedAt(gz []byte, u int, memo map[int]int) int {
	lo, hi := 10, len(gz) // the header alone inflates to nothing
	for lo < hi {
		mid := (lo + hi) / 2
		n, ok := memo[mid]
		if !ok {
			n = inflatedLen(gz[:mid])
			memo[mid] = n
		}
		if n > u {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo - 1
}

func inflatedLen(prefix []byte) int {
	zr, err := gzip.NewReader(bytes.NewReader(prefix))
	if err != nil {
		return 0
	}
	n, _ := io.Copy(io.Discard, zr)
	return int(n)
}
