package store

import (
	"context"
	"time"
)

// RecordLoginAttempt notes an attempt from ip and returns how many attempts
// that ip made since `since` (this one included). Old rows of the ip are
// pruned on the way, so the table stays small. Kept in the database so that
// every server process sees the same count.
func (t *Tx) RecordLoginAttempt(ctx context.Context, ip string, at, since time.Time) (int, error) {
	if _, err := t.exec(ctx, `DELETE FROM login_attempts WHERE ip = $1 AND at < $2`, ip, millis(since)); err != nil {
		return 0, err
	}
	if _, err := t.exec(ctx, `INSERT INTO login_attempts (ip, at) VALUES ($1, $2)`, ip, millis(at)); err != nil {
		return 0, err
	}
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM login_attempts WHERE ip = $1 AND at >= $2`, ip, millis(since)).Scan(&n)
	return n, err
}
