// Package fieldcrypt encrypts personal fields before they reach the
// database, so that neither the database files (SQLite's file and WAL,
// PostgreSQL's data directory) nor a backup hold a resident's name or
// address in readable form. Field-level encryption was chosen over an
// encrypting SQLite VFS because it gives the same guarantee on both engines
// and keeps the pure-Go SQLite driver.
//
// A field is sealed with AES-256-GCM under a key derived from the 32-byte
// master key; the stored text names the key ("enc2:<key id>:<base64>") so
// that several keys can be accepted while data is re-encrypted under a new
// one. The associated data names the table, the column and the row
// (SealRow), so a ciphertext moved to another column or another row does
// not open. Values of the first format ("enc1:", bound to the column only)
// are still opened by Open, for what was sealed before rows were bound.
//
// Searches use keyed hashes (HMAC-SHA256 under a second derived key) of
// fragments of the normalised name, cut to 64 bits: equal fragments give
// equal tokens, and the tokens reveal nothing without the key.
package fieldcrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"runtime"
	"strings"
	"sync"
)

// KeySize is the length of a master key in bytes.
const KeySize = 32

// prefix marks a value bound to its column only (Seal); rowPrefix a value
// bound to its row too (SealRow). Values without either are plaintext.
const (
	prefix    = "enc1:"
	rowPrefix = "enc2:"
)

// ErrUnknownKey is returned for a value sealed under a key the keyring does
// not hold: the wrong key was given.
var ErrUnknownKey = errors.New("データの暗号鍵が違います: データベースを暗号化した鍵（KOFU_DATA_KEY または KOFU_DATA_KEY_FILE）を指定してください")

// Key is one master key with the keys derived from it.
type Key struct {
	id     string
	master []byte
	aead   cipher.AEAD
	tokens *sync.Pool // of hash.Hash: HMAC under the token key
}

// ID is a short public name of the key (not secret), stored in each value.
func (k *Key) ID() string { return k.id }

// NewKey derives the field and token keys from a 32-byte master key.
func NewKey(master []byte) (*Key, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("データの暗号鍵は %d バイトにしてください（base64 で 44 文字、指定は %d バイト）", KeySize, len(master))
	}
	derive := func(info string) []byte { return deriveKey(master, info) }
	block, err := aes.NewCipher(derive("field encryption"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	tokenKey := derive("search tokens")
	return &Key{
		id:     hex.EncodeToString(derive("key id")[:4]),
		master: append([]byte(nil), master...),
		aead:   aead,
		tokens: &sync.Pool{New: func() any { return hmac.New(sha256.New, tokenKey) }},
	}, nil
}

func deriveKey(master []byte, info string) []byte {
	b, err := hkdf.Key(sha256.New, master, nil, "kofu "+info, KeySize)
	if err != nil {
		panic(err) // only for lengths hkdf cannot give
	}
	return b
}

// Derive returns a 32-byte key for one purpose (such as "audit chain"),
// derived from the master key the way the field and token keys are, so
// that keys other parts need are kept nowhere but come with the data key.
func (k *Key) Derive(purpose string) []byte { return deriveKey(k.master, purpose) }

// DocumentKey is the key derived for sealing stored documents (scans),
// kept apart from the field and token keys.
func (k *Key) DocumentKey() []byte { return k.Derive("document blobs") }

// ParseKey reads a master key written in base64 (surrounding space ignored).
func ParseKey(text string) (*Key, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil {
		return nil, fmt.Errorf("データの暗号鍵を base64 として読めません: %w", err)
	}
	return NewKey(raw)
}

// ReadKeyFile reads a base64 master key from a file. It refuses a file
// that its group or others can read (a key written with `>` under the
// usual umask is 0644): the key opens every resident's sealed data, and a
// server that started anyway would leave it readable for as long as it
// runs. Refusing, not warning, because a warning in a log nobody reads
// protects no one, and the fix (chmod 600) takes a second.
func ReadKeyFile(path string) (*Key, error) {
	if err := checkPrivate(path); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("データの暗号鍵のファイルを読めません: %w", err)
	}
	k, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// checkPrivate refuses a key file readable by its group or others. Modes
// mean nothing on Windows, which is left to its ACLs.
func checkPrivate(path string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("データの暗号鍵のファイルを読めません: %w", err)
	}
	if perm := st.Mode().Perm(); perm&0o044 != 0 {
		return fmt.Errorf("データの暗号鍵のファイル %s は所有者以外も読める権限 (%04o) になっているため使いません。"+
			"この鍵があればすべての個人情報を復号できます。chmod 600 %s で所有者だけが読めるようにしてから、もう一度実行してください", path, perm, path)
	}
	return nil
}

// Generate returns a new random master key in base64.
func Generate() string {
	b := make([]byte, KeySize)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// Token returns the keyed hash of s cut to 64 bits.
func (k *Key) Token(s string) int64 {
	h := k.tokens.Get().(hash.Hash)
	defer k.tokens.Put(h)
	h.Reset()
	h.Write([]byte(s))
	var sum [sha256.Size]byte
	return int64(binary.BigEndian.Uint64(h.Sum(sum[:0])))
}

// Keyring is the current key, which seals, and older keys that still open
// values and match tokens while data moves to the current key.
type Keyring struct {
	keys []*Key
}

// NewKeyring returns a keyring sealing with current and opening with all.
func NewKeyring(current *Key, older ...*Key) *Keyring {
	return &Keyring{keys: append([]*Key{current}, older...)}
}

// Current is the key new values are sealed with.
func (r *Keyring) Current() *Key { return r.keys[0] }

// Keys returns every key, the current first.
func (r *Keyring) Keys() []*Key { return r.keys }

func (r *Keyring) key(id string) *Key {
	for _, k := range r.keys {
		if k.id == id {
			return k
		}
	}
	return nil
}

// Seal encrypts s under the current key, bound to ad (a purpose, or a
// table and column). The empty string stays empty: it holds nothing to hide.
func (r *Keyring) Seal(s, ad string) string { return r.seal(prefix, s, ad) }

// SealRow encrypts s under the current key, bound to ad (table and column)
// and to row (the row's key): it opens only with OpenRow of the same row.
func (r *Keyring) SealRow(s, ad, row string) string { return r.seal(rowPrefix, s, rowAD(ad, row)) }

func rowAD(ad, row string) string { return "row\x00" + ad + "\x00" + row }

func (r *Keyring) seal(pfx, s, ad string) string {
	if s == "" {
		return ""
	}
	k := r.Current()
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(s)+k.aead.Overhead())
	rand.Read(nonce)
	out := k.aead.Seal(nonce, nonce, []byte(s), []byte(ad))
	return pfx + k.id + ":" + base64.RawStdEncoding.EncodeToString(out)
}

// ErrNotRowSealed is returned by OpenRow for a value that is not bound to
// a row: plaintext, or a value sealed for another purpose and copied here.
var ErrNotRowSealed = errors.New("行に結び付けて暗号化された値ではありません")

// OpenRow decrypts a value sealed by SealRow for the same column and row.
func (r *Keyring) OpenRow(v, ad, row string) (string, error) {
	if !strings.HasPrefix(v, rowPrefix) {
		return "", ErrNotRowSealed
	}
	return r.open(v, rowAD(ad, row), ad)
}

// Open decrypts a value sealed by Seal. A value without the marker is
// plaintext written before encryption was enabled and is returned as is.
func (r *Keyring) Open(v, ad string) (string, error) {
	if _, _, ok := split(v); !ok {
		return v, nil
	}
	if strings.HasPrefix(v, rowPrefix) {
		return "", fmt.Errorf("暗号化された値を復号できません (%s): 別の欄の値です", ad)
	}
	return r.open(v, ad, ad)
}

// RowSealed reports whether v is a value of SealRow (under any key).
func RowSealed(v string) bool { return strings.HasPrefix(v, rowPrefix) }

// IsRowSealed reports whether v is a value of SealRow under the key id.
func IsRowSealed(v, id string) bool { return strings.HasPrefix(v, rowPrefix+id+":") }

// RowPrefix is the start of every value SealRow writes under the key id,
// for SQL that looks for values under other keys (LIKE RowPrefix(id)+"%").
func RowPrefix(id string) string { return rowPrefix + id + ":" }

func (r *Keyring) open(v, ad, what string) (string, error) {
	id, body, _ := split(v)
	k := r.key(id)
	if k == nil {
		return "", ErrUnknownKey
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	n := k.aead.NonceSize()
	if err != nil || len(raw) < n {
		return "", fmt.Errorf("暗号化された値が壊れています (%s)", what)
	}
	plain, err := k.aead.Open(nil, raw[:n], raw[n:], []byte(ad))
	if err != nil {
		return "", fmt.Errorf("暗号化された値を復号できません (%s): 改ざんされたか、別の欄か別の行の値です", what)
	}
	return string(plain), nil
}

// KeyOf returns the id of the key a value is sealed with, "" for plaintext.
func KeyOf(v string) string {
	id, _, _ := split(v)
	return id
}

func split(v string) (id, body string, ok bool) {
	rest, ok := strings.CutPrefix(v, prefix)
	if !ok {
		if rest, ok = strings.CutPrefix(v, rowPrefix); !ok {
			return "", "", false
		}
	}
	return strings.Cut(rest, ":")
}

// Tokens returns the token of s under every key: a search during a key
// change must find rows indexed under the old key and under the new.
func (r *Keyring) Tokens(s string) []int64 {
	out := make([]int64, len(r.keys))
	for i, k := range r.keys {
		out[i] = k.Token(s)
	}
	return out
}
