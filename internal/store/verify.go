package store

import (
	"context"
	"database/sql"

	"github.com/kofu-oss/kofu/internal/audit"
)

// AuditReport is what a verification of the audit log found.
type AuditReport struct {
	Head audit.Head
	// Entries were checked; Legacy of them are from before the chain was
	// keyed (hash only); Unchecked are keyed with a data key that was not
	// given (an older one): their hashes still chain into the later,
	// checked entries, so a change to them is caught there.
	Entries, Legacy, Unchecked int
}

// VerifyAudit walks the whole audit log and returns the first *audit.Problem,
// or nil when the chain is intact from its anchor to its head.
func VerifyAudit(ctx context.Context, db *DB) error {
	_, err := CheckAudit(ctx, db, nil)
	return err
}

// CheckAudit walks the whole audit log in one snapshot and checks every
// entry's hash and key, the head and the anchor; given a head published
// earlier outside the database, it also checks that the log still holds it
// (catching newest entries cut and an old head put back). It returns the
// first *audit.Problem, or nil when the chain is intact.
func CheckAudit(ctx context.Context, db *DB, published *audit.Head) (AuditReport, error) {
	var r AuditReport
	err := db.snapshot(ctx, func(tx *Tx) error {
		keys, err := tx.chainKeyring()
		if err != nil {
			return err
		}
		if r.Head, err = tx.AuditHead(ctx); err != nil {
			return err
		}
		if err := tx.checkNotWiped(ctx, r.Head); err != nil {
			return err
		}
		v := audit.NewVerifier(keys, r.Head.Anchor())
		if published != nil {
			v.Watch(published.LastID)
		}
		err = tx.EachAudit(ctx, v.Next)
		r.Entries, r.Legacy, r.Unchecked = v.Count, v.Legacy, v.Unchecked
		if err == nil {
			err = v.End(r.Head)
		}
		if err == nil && published != nil {
			err = v.Against(*published, r.Head)
		}
		return err
	})
	return r, err
}

// checkNotWiped refuses an empty log in a database that has staff
// accounts: creating an account is recorded, and retention always leaves
// its own entry, so such a log had every entry removed.
func (t *Tx) checkNotWiped(ctx context.Context, h audit.Head) error {
	if h.LastID > 0 {
		return nil
	}
	n, err := t.CountUsers(ctx)
	if err != nil || n == 0 {
		return err
	}
	return &audit.Problem{ID: 1, Reason: "the log is empty but the database has staff accounts: every entry was removed"}
}

// snapshot runs fn in a read-only transaction that sees one state of the
// database throughout: REPEATABLE READ on PostgreSQL, where READ COMMITTED
// would let an append between two statements look like a broken chain; a
// SQLite read transaction already keeps the snapshot of its first read.
func (db *DB) snapshot(ctx context.Context, fn func(*Tx) error) error {
	if db.Engine != Postgres {
		return db.View(ctx, fn)
	}
	sqlTx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return translate(err)
	}
	defer sqlTx.Rollback()
	db.count.tx.Add(1)
	return translate(fn(&Tx{tx: sqlTx, d: db.d, readOnly: true, keys: db.keys, chain: db.chain, count: db.count}))
}
