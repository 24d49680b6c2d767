package store

import (
	"context"
	"time"
)

// SpendChallenge records that the challenge nonce was used; it reports
// false when it was used before. Expired rows are dropped on the way.
func (t *Tx) SpendChallenge(ctx context.Context, nonce string, expires, now time.Time) (bool, error) {
	if _, err := t.exec(ctx, `DELETE FROM challenge_uses WHERE expires_at < $1`, millis(now)); err != nil {
		return false, translate(err)
	}
	res, err := t.exec(ctx, `INSERT INTO challenge_uses (nonce, expires_at) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING`,
		nonce, millis(expires))
	return changedOne(res, err)
}

// FormKey returns the key that seals the public site's multi-step forms
// (and, derived from it, its queue tickets and booking challenges). It is
// derived from the current data key, so every process has the same one
// and the database holds none to steal; a change of data key ends the
// forms under way, as a restart of every server would.
func (db *DB) FormKey() ([]byte, error) {
	if db.keys == nil {
		return nil, errNoKeys()
	}
	return db.keys.Current().Derive("public forms"), nil
}
