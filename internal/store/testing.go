package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// ForceSchemaVersion records a schema version as applied. Tests use it to
// simulate a database written by a newer binary.
func (t *Tx) ForceSchemaVersion(ctx context.Context, v int) error {
	_, err := t.exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, 0)`, v)
	return err
}

// MigrateToForTest applies the migrations up to the version last, so a
// test can write rows as an older binary did and then migrate them.
func (db *DB) MigrateToForTest(ctx context.Context, last int) error {
	_, err := db.migrateTo(ctx, last)
	return err
}

// TamperAuditForTest edits an audit entry the way an intruder with database
// access would: by lifting the append-only trigger and changing the row.
func (t *Tx) TamperAuditForTest(ctx context.Context, id int64, detail string) error {
	drop := `DROP TRIGGER audit_log_no_update`
	if t.d.forUpdate != "" {
		drop += ` ON audit_log`
	}
	if _, err := t.exec(ctx, drop); err != nil {
		return err
	}
	_, err := t.exec(ctx, `UPDATE audit_log SET detail = $2 WHERE id = $1`, id, detail)
	return err
}

// DeleteAuditForTest removes one audit entry, as an intruder would.
func (t *Tx) DeleteAuditForTest(ctx context.Context, id int64) error {
	_, err := t.exec(ctx, `DELETE FROM audit_log WHERE id = $1`, id)
	return err
}

// MigrationsDigest is a hash of the engine's migrations: test support names
// a migrated template database after it, so a changed migration gets a
// new template.
func MigrationsDigest(e Engine) (string, error) {
	ms, err := migrations(e)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%d %s %d\n%s\n", m.version, m.name, len(m.sql), m.sql)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
