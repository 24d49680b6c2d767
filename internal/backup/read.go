package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"

	"filippo.io/age"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
)

// maxManifest bounds the manifest read into memory.
const maxManifest = 16 << 20

// verified is what a complete pass over a backup established.
type verified struct {
	manifest Manifest
	hash     [32]byte // SHA-256 of the manifest's bytes
	signed   bool     // false only for an unsigned backup let through
}

// trust is what a backup's signature is checked with: the data keys, and
// whether an unsigned backup (format 1, from before signing) may pass.
type trust struct {
	keys          *fieldcrypt.Keyring
	allowUnsigned bool
}

// chunkFunc receives each chunk of a table's lines, in stream order.
type chunkFunc func(table string, r io.Reader) error

// readBackup decrypts and walks a whole backup, checking every table's
// row count and SHA-256 against the manifest and that the stream ends
// where age, gzip and tar say it should, and the manifest's signature.
// onChunk (nil to only verify) sees the data as it passes; the caller
// must treat what it did as provisional until readBackup returns nil.
func readBackup(src io.Reader, id age.Identity, tr trust, onChunk chunkFunc) (verified, error) {
	plain, err := age.Decrypt(src, id)
	if err != nil {
		return verified{}, decryptError(err)
	}
	gz, err := gzip.NewReader(plain)
	if err != nil {
		return verified{}, corrupt("圧縮データの先頭", err)
	}
	v := &verifier{sums: map[string]*tableSum{}}
	archive := tar.NewReader(gz)
	for {
		hdr, err := archive.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return verified{}, corrupt("アーカイブ", err)
		}
		if err := v.entry(hdr, archive, onChunk); err != nil {
			return verified{}, err
		}
	}
	// Reading to the end checks gzip's CRC and age's final chunk.
	if _, err := io.Copy(io.Discard, gz); err != nil {
		return verified{}, corrupt("ファイルの終わり", err)
	}
	return v.finish(tr)
}

// readErrors remembers the first error reading a chunk (from tar, gzip or
// age), so that a failure while loading is blamed on the file, not on the
// database.
type readErrors struct {
	r   io.Reader
	err error
}

func (r *readErrors) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}

// tableSum accumulates what the manifest says about a table.
type tableSum struct {
	hash   hash.Hash
	rows   int64
	chunks int
	last   byte
}

func (s *tableSum) Write(p []byte) (int, error) {
	s.hash.Write(p)
	s.rows += int64(bytes.Count(p, []byte{'\n'}))
	if len(p) > 0 {
		s.last = p[len(p)-1]
	}
	return len(p), nil
}

type verifier struct {
	sums     map[string]*tableSum
	order    []string
	manifest *Manifest
	mraw     []byte // the manifest's bytes, which the signature covers
	mhash    [32]byte
	sig      *signature
}

func (v *verifier) entry(hdr *tar.Header, r io.Reader, onChunk chunkFunc) error {
	if hdr.Typeflag != tar.TypeReg {
		return corrupt("想定外の項目 "+hdr.Name, nil)
	}
	if v.manifest != nil {
		if hdr.Name != signatureName || v.sig != nil {
			return corrupt("manifest.json の後に余分な項目があります", nil)
		}
		var err error
		v.sig, err = readSignature(r)
		return err
	}
	if hdr.Name == manifestName {
		return v.readManifest(r)
	}
	table, n, ok := parseChunkName(hdr.Name)
	if !ok {
		return corrupt("想定外の項目 "+hdr.Name, nil)
	}
	sum, err := v.next(table, n)
	if err != nil {
		return err
	}
	in := &readErrors{r: r}
	data := io.TeeReader(in, sum)
	if onChunk != nil {
		if err := onChunk(table, data); err != nil {
			if in.err != nil {
				return corrupt("テーブル "+table+" の途中", in.err)
			}
			return err
		}
	}
	if _, err := io.Copy(io.Discard, data); err != nil {
		return corrupt("テーブル "+table+" の途中", err)
	}
	if hdr.Size == 0 || sum.last != '\n' {
		return corrupt("テーブル "+table+" の区切り", nil)
	}
	return nil
}

// next returns the sum of table and checks that chunks come in order and
// each table in one run.
func (v *verifier) next(table string, n int) (*tableSum, error) {
	if len(v.order) > 0 && v.order[len(v.order)-1] == table {
		sum := v.sums[table]
		if n != sum.chunks+1 {
			return nil, corrupt(fmt.Sprintf("テーブル %s の %d 番目の区切りが抜けています", table, sum.chunks+1), nil)
		}
		sum.chunks++
		return sum, nil
	}
	if _, seen := v.sums[table]; seen || n != 1 {
		return nil, corrupt("テーブル "+table+" の順序", nil)
	}
	sum := &tableSum{hash: sha256.New(), chunks: 1}
	v.sums[table] = sum
	v.order = append(v.order, table)
	return sum, nil
}

func parseChunkName(name string) (table string, n int, ok bool) {
	rest, ok := strings.CutPrefix(name, tablesDir)
	if !ok {
		return "", 0, false
	}
	table, file, ok := strings.Cut(rest, "/")
	num, ok2 := strings.CutSuffix(file, ".jsonl")
	n, err := strconv.Atoi(num)
	if !ok || !ok2 || err != nil || n < 1 || table == "" {
		return "", 0, false
	}
	return table, n, true
}

func (v *verifier) readManifest(r io.Reader) error {
	b, err := io.ReadAll(io.LimitReader(r, maxManifest+1))
	if err != nil {
		return corrupt("manifest.json", err)
	}
	if len(b) > maxManifest {
		return corrupt("manifest.json が大きすぎます", nil)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return corrupt("manifest.json", err)
	}
	v.manifest, v.mraw, v.mhash = &m, b, sha256.Sum256(b)
	return nil
}

// finish compares what was read with what the manifest promises, and
// checks the manifest's signature.
func (v *verifier) finish(tr trust) (verified, error) {
	if v.manifest == nil {
		return verified{}, corrupt("manifest.json がありません。ファイルが途中で切れています", nil)
	}
	m := *v.manifest
	if m.Format != FormatName || m.FormatVersion < 1 {
		return verified{}, corrupt("kofu のバックアップ形式ではありません", nil)
	}
	if m.FormatVersion > FormatVersion {
		return verified{}, corrupt(fmt.Sprintf("より新しい kofu で作られた形式 (バージョン %d) です", m.FormatVersion), nil)
	}
	signed, err := v.checkSignature(m, tr)
	if err != nil {
		return verified{manifest: m}, err
	}
	if err := v.compare(m); err != nil {
		return verified{}, err
	}
	return verified{manifest: m, hash: v.mhash, signed: signed}, nil
}

// checkSignature requires the signature of a backup in format 2 or later,
// and lets a format 1 backup (from before signing) pass unsigned only when
// allowed.
func (v *verifier) checkSignature(m Manifest, tr trust) (signed bool, err error) {
	switch {
	case v.sig != nil:
		return true, v.sig.check(tr.keys, v.mraw)
	case m.FormatVersion >= 2:
		return false, apperr.New(CodeSignature, "バックアップに署名がありません。改ざんされています。復元しません。")
	case !tr.allowUnsigned:
		return false, apperr.New(CodeUnsigned, "このバックアップには署名がありません（署名を始める前の版の kofu で作成されたもの、またはそれを装ったものです）。"+
			"作成元が確かなときに限り、--allow-unsigned を付けて復元できます。")
	}
	return false, nil
}

func (v *verifier) compare(m Manifest) error {
	pos := map[string]int{}
	for i, t := range m.Tables {
		if _, dup := pos[t.Name]; dup {
			return corrupt("テーブル "+t.Name+" が manifest に重複しています", nil)
		}
		pos[t.Name] = i
		if err := v.compareTable(t); err != nil {
			return err
		}
	}
	last := -1
	for _, name := range v.order {
		i, ok := pos[name]
		if !ok || i < last {
			return corrupt("テーブル "+name+" が manifest と一致しません", nil)
		}
		last = i
	}
	return nil
}

func (v *verifier) compareTable(t Table) error {
	sum := v.sums[t.Name]
	if sum == nil {
		sum = &tableSum{hash: sha256.New()}
	}
	switch {
	case sum.rows != t.Rows:
		return corrupt(fmt.Sprintf("テーブル %s の行数が違います: %d 行、manifest では %d 行", t.Name, sum.rows, t.Rows), nil)
	case sum.chunks != t.Chunks:
		return corrupt(fmt.Sprintf("テーブル %s の区切りの数が違います", t.Name), nil)
	case hex.EncodeToString(sum.hash.Sum(nil)) != t.SHA256:
		return corrupt(fmt.Sprintf("テーブル %s のチェックサム (SHA-256) が一致しません", t.Name), nil)
	}
	return nil
}
