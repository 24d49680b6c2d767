// Package backup writes encrypted, portable backups of a whole Kofu
// database and restores them into an empty database of either engine.
//
// A backup is an age-encrypted, gzip-compressed tar stream:
//
//	kofu-backup/tables/<table>/000001.jsonl   rows of <table>, one JSON array per line
//	kofu-backup/tables/<table>/000002.jsonl   (a table is cut into chunks of about 4 MiB)
//	...
//	kofu-backup/manifest.json                 versions, columns, row counts, SHA-256, audit head
//	kofu-backup/signature.json                last: HMAC-SHA256 of manifest.json's bytes
//
// Tables come in foreign-key order (parents first), so a restore inserts
// them in stream order. Each line holds the row's values in the order of
// the table's columns in the manifest, typed by the column's kind: int and
// float as JSON numbers, text as JSON strings, bool as true/false, bytes as
// base64 strings, NULL as null. The SHA-256 of a table is that of its
// chunks' bytes concatenated, so `age -d | tar -xzO` and sha256sum check it.
// The signature is made with a key derived from the data key (see sign.go),
// so that no one who lacks it can make a backup that restores, even with
// the age public key and write access to where backups are kept.
//
// Nothing here is unencrypted: Write refuses to run without a recipient or
// a passphrase, and Restore never puts decrypted data on disk.
package backup

import (
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
)

// FormatName and FormatVersion identify the backup format in the manifest.
const (
	FormatName    = "kofu-backup"
	FormatVersion = 2 // 2: signed; 1 (unsigned) restores only when allowed
)

// Stable error codes of this package (apperr codes), for callers and tests.
var (
	CodeNotEncrypted   = apperr.Define("backup_not_encrypted", apperr.KindInvalid)    // no recipient and no passphrase
	CodeDecrypt        = apperr.Define("backup_decrypt", apperr.KindInvalid)          // wrong key or passphrase, or a damaged header
	CodeCorrupt        = apperr.Define("backup_corrupt", apperr.KindInvalid)          // damaged, truncated or inconsistent content
	CodeSchema         = apperr.Define("backup_schema_mismatch", apperr.KindInvalid)  // backup and target differ in schema
	CodeTargetNotEmpty = apperr.Define("backup_target_not_empty", apperr.KindInvalid) // the target already holds data
	CodeAuditBroken    = apperr.Define("backup_audit_broken", apperr.KindInvalid)     // restored, but the audit chain does not verify
	CodeSignature      = apperr.Define("backup_signature", apperr.KindInvalid)        // the signature does not match, or its key was not given
	CodeUnsigned       = apperr.Define("backup_unsigned", apperr.KindInvalid)         // a backup without a signature (format 1)
)

// Manifest describes a backup; it is the stream's last entry.
type Manifest struct {
	Format        string    `json:"format"`
	FormatVersion int       `json:"format_version"`
	SchemaVersion int       `json:"schema_version"` // kofu's schema_migrations version
	Engine        string    `json:"engine"`         // engine of origin: sqlite or postgres
	CreatedAt     time.Time `json:"created_at"`
	Compression   string    `json:"compression"` // gzip
	Tables        []Table   `json:"tables"`      // in restore (foreign-key) order
	// AuditHead is the audit chain's head in the backup's snapshot: one of
	// the places it is published outside the database (a restore checks the
	// restored log against it; `kofu audit verify --head` takes it too).
	AuditHead *audit.Head `json:"audit_head,omitempty"`
}

// Table is one table of a backup.
type Table struct {
	Name    string   `json:"name"`
	Columns []Column `json:"columns"`
	Rows    int64    `json:"rows"`
	Chunks  int      `json:"chunks"`
	SHA256  string   `json:"sha256"` // hex, of the table's JSON lines
}

// Column is a column and the kind of its values.
type Column struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
}

// Kind is the portable type of a column's values.
type Kind string

// The kinds of values a backup holds.
const (
	KindInt   Kind = "int"
	KindFloat Kind = "float"
	KindText  Kind = "text"
	KindBool  Kind = "bool"
	KindBytes Kind = "bytes"
)

// TotalRows returns the number of rows in all tables.
func (m Manifest) TotalRows() int64 {
	var n int64
	for _, t := range m.Tables {
		n += t.Rows
	}
	return n
}

func corrupt(detail string, err error) error {
	return apperr.Wrap(CodeCorrupt, "バックアップファイルが壊れているか、改ざんされています ("+detail+")。", err)
}
