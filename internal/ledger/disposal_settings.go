package ledger

import (
	"context"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/store"
)

// loadRules reads the city's rules; fields never saved keep their defaults.
func loadRules(ctx context.Context, tx *store.Tx) (DisposalRules, error) {
	r := DefaultDisposalRules()
	_, err := tx.LoadSetting(ctx, DisposalSettingsKey, &r)
	return r, err
}

// Rules returns the city's rules for uncollected cards.
func (w *Workflows) Rules(ctx context.Context) (DisposalRules, error) {
	var r DisposalRules
	err := w.db.View(ctx, func(tx *store.Tx) (err error) { r, err = loadRules(ctx, tx); return err })
	return r, err
}

// SaveRules validates and stores the rules (admins), recording the old and
// new documents in the audit log.
func (w *Workflows) SaveRules(ctx context.Context, p auth.Principal, m auth.Meta, r DisposalRules) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return w.db.Update(ctx, func(tx *store.Tx) error {
		old, err := loadRules(ctx, tx)
		if err != nil {
			return err
		}
		if err := tx.SaveSetting(ctx, DisposalSettingsKey, r, p.Username, w.clock.Now()); err != nil {
			return err
		}
		return w.audit(ctx, tx, p, m, "settings.disposal_changed", "settings:"+DisposalSettingsKey,
			map[string]any{"old": old, "new": r})
	})
}
