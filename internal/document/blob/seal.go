// Package blob is the sealed blob format of stored documents (issue #19),
// apart from the rest of internal/document so that the store, which keeps
// the blobs, needs none of the file readers.
package blob

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
)

// A sealed blob is an age file (age-encryption.org/v1): a random 128-bit
// file key per blob, and the content in 64 KiB chunks of
// ChaCha20-Poly1305 in the STREAM construction, the last chunk flagged, so
// that a change, a reordering or a cut anywhere is detected and a 50 MB
// scan is sealed and opened in constant memory. age, already used for
// backups, is the well-kept library made for this.
//
// Instead of age's public-key recipients the file key is wrapped with
// Kofu's data key, in one stanza of Kofu's own type:
//
//	-> kofu-blob <key id> <salt>
//	<ChaCha20-Poly1305 of the file key under HKDF(document key, salt, "kofu document blob " + blob id)>
//
// The wrapping key depends on the blob's id, so a blob copied over another
// (or moved to another row) does not open; the key id lets a key rotation
// find the blobs still sealed under an older key.

const stanzaType = "kofu-blob"

// Key is one key that seals blobs: a public id and a 32-byte secret.
type Key struct {
	ID     string
	Secret []byte
}

// Sealer seals blobs under its current key and opens blobs sealed under
// any of its keys.
type Sealer struct {
	keys []Key // the current first
}

// NewSealer returns a sealer sealing with current and opening with all.
func NewSealer(current Key, older ...Key) *Sealer {
	return &Sealer{keys: append([]Key{current}, older...)}
}

// SealerFor derives the blob keys from the data keyring: they follow
// KOFU_DATA_KEY and its older keys through `kofu keys rotate`.
func SealerFor(ring *fieldcrypt.Keyring) *Sealer {
	var keys []Key
	for _, k := range ring.Keys() {
		keys = append(keys, Key{ID: k.ID(), Secret: k.DocumentKey()})
	}
	return NewSealer(keys[0], keys[1:]...)
}

// CurrentKeyID names the key new blobs are sealed under.
func (s *Sealer) CurrentKeyID() string { return s.keys[0].ID }

func wrapKey(secret, salt []byte, blobID string) []byte {
	k, err := hkdf.Key(sha256.New, secret, salt, "kofu document blob "+blobID, chacha20poly1305.KeySize)
	if err != nil {
		panic(err) // only for lengths hkdf cannot give
	}
	return k
}

// recipient wraps a file key for one blob.
type recipient struct {
	key    Key
	blobID string
}

func (r recipient) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	salt := make([]byte, 16)
	rand.Read(salt)
	aead, err := chacha20poly1305.New(wrapKey(r.key.Secret, salt, r.blobID))
	if err != nil {
		return nil, err
	}
	body := aead.Seal(nil, make([]byte, chacha20poly1305.NonceSize), fileKey, nil)
	return []*age.Stanza{{Type: stanzaType, Args: []string{r.key.ID, base64.RawStdEncoding.EncodeToString(salt)}, Body: body}}, nil
}

// identity unwraps a blob's file key with whichever key it names.
type identity struct {
	keys   []Key
	blobID string
	keyID  string // set by Unwrap: the key the blob is sealed under
}

func (id *identity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	for _, st := range stanzas {
		if st.Type != stanzaType || len(st.Args) != 2 {
			continue
		}
		id.keyID = st.Args[0]
		key, ok := id.key(st.Args[0])
		if !ok {
			return nil, apperr.New(CodeKey, fmt.Sprintf("書類は鍵 %s で暗号化されていますが、その鍵が指定されていません（KOFU_DATA_KEY と以前の鍵のファイルを確かめてください）。", st.Args[0]))
		}
		salt, err := base64.RawStdEncoding.DecodeString(st.Args[1])
		if err != nil {
			return nil, blobCorrupt(err)
		}
		aead, err := chacha20poly1305.New(wrapKey(key.Secret, salt, id.blobID))
		if err != nil {
			return nil, err
		}
		fileKey, err := aead.Open(nil, make([]byte, chacha20poly1305.NonceSize), st.Body, nil)
		if err != nil {
			return nil, blobCorrupt(errors.New("the file key does not open: another blob, or altered"))
		}
		return fileKey, nil
	}
	return nil, age.ErrIncorrectIdentity
}

func (id *identity) key(keyID string) (Key, bool) {
	for _, k := range id.keys {
		if k.ID == keyID {
			return k, true
		}
	}
	return Key{}, false
}

func blobCorrupt(err error) error {
	return apperr.Wrap(CodeCorrupt, "保管された書類のデータが壊れているか、改ざんされているか、別の書類のものです。", err)
}

// Sealed is a blob being written. Close must be called; Sum and Size are
// valid after it.
type Sealed struct {
	w    io.WriteCloser
	sum  hash.Hash
	size int64
}

// Seal starts a blob with id blobID written to dst, under the current key.
func (s *Sealer) Seal(dst io.Writer, blobID string) (*Sealed, error) {
	w, err := age.Encrypt(dst, recipient{key: s.keys[0], blobID: blobID})
	if err != nil {
		return nil, err
	}
	return &Sealed{w: w, sum: sha256.New()}, nil
}

func (b *Sealed) Write(p []byte) (int, error) {
	n, err := b.w.Write(p)
	b.sum.Write(p[:n])
	b.size += int64(n)
	return n, err
}

// Close writes the final chunk.
func (b *Sealed) Close() error { return b.w.Close() }

// Sum is the SHA-256 of the plaintext written.
func (b *Sealed) Sum() []byte { return b.sum.Sum(nil) }

// Size is the number of plaintext bytes written.
func (b *Sealed) Size() int64 { return b.size }

// Open returns the plaintext of blob blobID read from src. Reading fails
// with CodeCorrupt at the first altered chunk and at a cut before the
// last: a reader that needs the whole content verified reads to the end
// before using it.
func (s *Sealer) Open(src io.Reader, blobID string) (io.Reader, error) {
	r, err := age.Decrypt(src, &identity{keys: s.keys, blobID: blobID})
	if err != nil {
		return nil, openErr(err)
	}
	return corruptOnError{r}, nil
}

// OpenAt gives random access to a blob's plaintext (for a viewer's range
// requests) and its size; the last chunk is authenticated first, so the
// size is true.
func (s *Sealer) OpenAt(src io.ReaderAt, sealedSize int64, blobID string) (io.ReaderAt, int64, error) {
	r, n, err := age.DecryptReaderAt(src, sealedSize, &identity{keys: s.keys, blobID: blobID})
	if err != nil {
		return nil, 0, openErr(err)
	}
	return corruptOnErrorAt{r}, n, nil
}

// Stable error codes (apperr codes).
var (
	CodeKey     = apperr.Define("document_blob_key", apperr.KindInternal)     // a sealed blob under a key Kofu was not given
	CodeCorrupt = apperr.Define("document_blob_corrupt", apperr.KindInternal) // a sealed blob altered, truncated or not this blob
)

// KeyID reads only a blob's header and names the key it is sealed under,
// for a rotation that re-seals blobs still under an older key.
func KeyID(src io.Reader) (string, error) {
	hdr, err := age.ExtractHeader(src)
	if err != nil {
		return "", blobCorrupt(err)
	}
	id := &identity{}
	_, err = age.DecryptHeader(hdr, id)
	if id.keyID == "" {
		return "", blobCorrupt(fmt.Errorf("no %s stanza: %w", stanzaType, err))
	}
	return id.keyID, nil
}

func openErr(err error) error {
	if apperr.CodeOf(err) != apperr.Internal {
		return err
	}
	return blobCorrupt(err)
}

type corruptOnError struct{ r io.Reader }

func (c corruptOnError) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF {
		err = blobCorrupt(err)
	}
	return n, err
}

type corruptOnErrorAt struct{ r io.ReaderAt }

func (c corruptOnErrorAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	if err == io.EOF && n == len(p) {
		// age reports EOF with a read that ends at the end; readers of a
		// format (TIFF) take EOF as a cut file, as bytes.Reader never says
		// it for a full read.
		err = nil
	}
	if err != nil && err != io.EOF {
		err = blobCorrupt(err)
	}
	return n, err
}

// Reseal copies blob blobID from src to dst under the current key (a key
// rotation), returning the plaintext's SHA-256 to compare with the stored
// one. The caller replaces the old blob only once this succeeds.
func (s *Sealer) Reseal(dst io.Writer, src io.Reader, blobID string) ([]byte, error) {
	r, err := s.Open(src, blobID)
	if err != nil {
		return nil, err
	}
	w, err := s.Seal(dst, blobID)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(w, r); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return w.Sum(), nil
}

// Verify reads blob blobID to its end and checks it against the SHA-256
// stored when it was written: a missing key, an altered or cut blob, or
// one that is not this blob fails with a coded error.
func (s *Sealer) Verify(src io.Reader, blobID string, sum []byte) error {
	r, err := s.Open(src, blobID)
	if err != nil {
		return err
	}
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return err
	}
	if got := h.Sum(nil); string(got) != string(sum) {
		return blobCorrupt(fmt.Errorf("sha256 %x, stored %x", got, sum))
	}
	return nil
}
