package store

import (
	"context"

	"github.com/kofu-oss/kofu/internal/audit"
)

// VerifyAudit walks the whole audit log and returns the first *audit.Problem,
// or nil when the chain is intact from its anchor to its head.
func VerifyAudit(ctx context.Context, db *DB) error {
	return db.View(ctx, func(tx *Tx) error {
		lastID, lastHash, anchorID, anchorHash, err := tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		v := audit.NewVerifier(anchorID, anchorHash)
		if err := tx.EachAudit(ctx, v.Next); err != nil {
			return err
		}
		return v.End(lastID, lastHash)
	})
}
