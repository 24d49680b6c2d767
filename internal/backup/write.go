package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/store"
)

const (
	root         = "kofu-backup"
	manifestName = root + "/manifest.json"
	tablesDir    = root + "/tables/"
	// chunkSize bounds the memory a table takes while it is written: tar
	// needs each entry's size before its bytes.
	chunkSize = 4 << 20
)

// Write writes an encrypted backup of every table of db to w and returns
// its manifest. It reads one consistent snapshot while the server keeps
// running, and holds one chunk (about 4 MiB) of rows in memory at a time.
// On error, what was written to w is not a usable backup. at stamps the
// manifest and the archive's entries: the caller's clock.
func Write(ctx context.Context, db *store.DB, w io.Writer, enc Encryption, at time.Time) (Manifest, error) {
	return write(ctx, db, w, enc, at, chunkSize)
}

// write is Write with the chunk size as a parameter, for tests.
func write(ctx context.Context, db *store.DB, w io.Writer, enc Encryption, at time.Time, chunk int) (Manifest, error) {
	recipients, err := enc.recipients()
	if err != nil {
		return Manifest{}, err
	}
	if db.Keys() == nil {
		return Manifest{}, errNeedKeys("バックアップ")
	}
	snap, err := openSnapshot(ctx, db)
	if err != nil {
		return Manifest{}, fmt.Errorf("バックアップ用の読み取りを開始できません: %w", err)
	}
	defer snap.close()
	m, err := describe(ctx, snap.tx, db.Engine)
	if err != nil {
		return Manifest{}, err
	}
	m.CreatedAt = at.UTC().Truncate(time.Millisecond)
	a, err := newArchive(w, recipients)
	if err != nil {
		return Manifest{}, err
	}
	for i := range m.Tables {
		if err := writeTable(ctx, snap.tx, a, &m.Tables[i], m.CreatedAt, chunk); err != nil {
			return Manifest{}, fmt.Errorf("テーブル %s: %w", m.Tables[i].Name, err)
		}
	}
	if err := a.writeManifest(m, db.Keys()); err != nil {
		return Manifest{}, err
	}
	return m, a.close()
}

// describe makes the manifest's frame: versions and tables in order.
func describe(ctx context.Context, tx *sql.Tx, e store.Engine) (Manifest, error) {
	v, err := schemaVersion(ctx, tx)
	if err != nil {
		return Manifest{}, err
	}
	cat, err := readCatalog(ctx, tx, e)
	if err != nil {
		return Manifest{}, err
	}
	names, err := cat.order()
	if err != nil {
		return Manifest{}, err
	}
	head, err := auditHead(ctx, tx)
	if err != nil {
		return Manifest{}, err
	}
	m := Manifest{Format: FormatName, FormatVersion: FormatVersion, SchemaVersion: v, Engine: string(e),
		Compression: "gzip", AuditHead: &head}
	for _, n := range names {
		if strings.ContainsAny(n, "/\\") {
			return Manifest{}, fmt.Errorf("テーブル名 %q はバックアップできません", n)
		}
		m.Tables = append(m.Tables, Table{Name: n, Columns: cat.columns[n]})
	}
	return m, nil
}

// archive is the writing end: tar, inside gzip, inside age.
type archive struct {
	enc io.WriteCloser
	gz  *gzip.Writer
	tw  *tar.Writer
}

func newArchive(w io.Writer, recipients []age.Recipient) (*archive, error) {
	enc, err := age.Encrypt(w, recipients...)
	if err != nil {
		return nil, fmt.Errorf("暗号化を開始できません: %w", err)
	}
	gz, err := gzip.NewWriterLevel(enc, gzip.DefaultCompression)
	if err != nil {
		return nil, err
	}
	return &archive{enc: enc, gz: gz, tw: tar.NewWriter(gz)}, nil
}

func (a *archive) entry(name string, data []byte, mod time.Time) error {
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o600, Size: int64(len(data)), ModTime: mod, Format: tar.FormatPAX}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err := a.tw.Write(data)
	return err
}

// writeManifest writes the manifest and, after it, its signature.
func (a *archive) writeManifest(m Manifest, keys *fieldcrypt.Keyring) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if err := a.entry(manifestName, b, m.CreatedAt); err != nil {
		return err
	}
	sig, err := json.Marshal(sign(keys, b))
	if err != nil {
		return err
	}
	return a.entry(signatureName, append(sig, '\n'), m.CreatedAt)
}

// auditHead reads the audit chain's head in the snapshot.
func auditHead(ctx context.Context, tx *sql.Tx) (audit.Head, error) {
	var h audit.Head
	err := tx.QueryRowContext(ctx, `SELECT last_id, last_hash, anchor_id, anchor_hash, mac FROM audit_head WHERE id = 1`).
		Scan(&h.LastID, &h.LastHash, &h.AnchorID, &h.AnchorHash, &h.Mac)
	return h, err
}

// close ends the tar, flushes gzip and writes age's last, authenticated
// chunk: without it a reader sees a truncated file.
func (a *archive) close() error {
	return errors.Join(a.tw.Close(), a.gz.Close(), a.enc.Close())
}

// chunker cuts a table's lines into tar entries and sums them.
type chunker struct {
	a     *archive
	table *Table
	mod   time.Time
	size  int
	buf   bytes.Buffer
	sum   hash.Hash
}

func (c *chunker) add(line []byte) error {
	c.buf.Write(line)
	c.sum.Write(line)
	c.table.Rows++
	if c.buf.Len() >= c.size {
		return c.flush()
	}
	return nil
}

func (c *chunker) flush() error {
	if c.buf.Len() == 0 {
		return nil
	}
	c.table.Chunks++
	name := chunkName(c.table.Name, c.table.Chunks)
	err := c.a.entry(name, c.buf.Bytes(), c.mod)
	c.buf.Reset()
	return err
}

func chunkName(table string, n int) string {
	return path.Join(tablesDir, table, fmt.Sprintf("%06d.jsonl", n))
}

// writeTable streams one table's rows into the archive and fills in the
// table's row count, chunk count and checksum.
func writeTable(ctx context.Context, tx *sql.Tx, a *archive, t *Table, mod time.Time, chunk int) error {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = quote(c.Name)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+strings.Join(names, ", ")+` FROM `+quote(t.Name))
	if err != nil {
		return err
	}
	defer rows.Close()
	c := &chunker{a: a, table: t, mod: mod, size: chunk, sum: sha256.New()}
	vals, ptrs := scanTargets(len(t.Columns))
	var line []byte
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if line, err = appendRow(line[:0], t.Columns, vals); err != nil {
			return fmt.Errorf("%d 行目: %w", t.Rows+1, err)
		}
		if err := c.add(line); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	t.SHA256 = hex.EncodeToString(c.sum.Sum(nil))
	return c.flush()
}

func scanTargets(n int) ([]any, []any) {
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	return vals, ptrs
}
