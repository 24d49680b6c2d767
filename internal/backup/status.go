package backup

import (
	"context"
	"time"

	"github.com/kofu-oss/kofu/internal/store"
)

// statusKey is the settings row holding the last backup's outcome, so the
// dashboard of every instance shows it, whichever instance (or the
// `kofu backup` command) wrote the backup.
const statusKey = "backup.last"

// Status is the last backup's outcome as the dashboard shows it.
type Status struct {
	Result
	Recorded bool // false before any backup was recorded
}

// Stale reports whether the last success is older than maxAge at now, or
// there is none: the operators must look.
func (s Status) Stale(now time.Time, maxAge time.Duration) bool {
	return !s.Recorded || s.Err != "" || now.Sub(s.At) > maxAge
}

// RecordResult stores the outcome of a backup in the database.
func RecordResult(ctx context.Context, db *store.DB, r Result) error {
	return db.Update(ctx, func(tx *store.Tx) error {
		return tx.SaveSetting(ctx, statusKey, r, "system", r.At)
	})
}

// LastStatus reads the outcome of the last recorded backup.
func LastStatus(ctx context.Context, db *store.DB) (Status, error) {
	var s Status
	err := db.View(ctx, func(tx *store.Tx) error {
		var err error
		s.Recorded, err = tx.LoadSetting(ctx, statusKey, &s.Result)
		return err
	})
	return s, err
}
