package store

import (
	"context"
	"time"
)

// Session is a staff login session; only the hash of its ID is stored, so a
// copy of the database does not hand out live sessions.
type Session struct {
	IDHash     string
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	IP         string
	UserAgent  string
}

// InsertSession stores a new session.
func (t *Tx) InsertSession(ctx context.Context, s Session) error {
	_, err := t.exec(ctx, `INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, ip, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6)`, s.IDHash, s.UserID, millis(s.CreatedAt), millis(s.LastSeenAt), s.IP, s.UserAgent)
	return translate(err)
}

// SessionByHash returns a session, or a not_found error.
func (t *Tx) SessionByHash(ctx context.Context, idHash string) (Session, error) {
	var s Session
	var created, seen int64
	err := t.queryRow(ctx, `SELECT id_hash, user_id, created_at, last_seen_at, ip, user_agent FROM sessions WHERE id_hash = $1`,
		idHash).Scan(&s.IDHash, &s.UserID, &created, &seen, &s.IP, &s.UserAgent)
	s.CreatedAt, s.LastSeenAt = fromMillis(created), fromMillis(seen)
	return s, translate(err)
}

// TouchSession records activity on a session.
func (t *Tx) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	_, err := t.exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1`, idHash, millis(at))
	return err
}

// DeleteSession ends one session.
func (t *Tx) DeleteSession(ctx context.Context, idHash string) error {
	_, err := t.exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash)
	return err
}

// DeleteUserSessions ends every session of a user and returns how many.
func (t *Tx) DeleteUserSessions(ctx context.Context, userID int64) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DeleteUserSessionsExcept ends every session of a user but the one given.
func (t *Tx) DeleteUserSessionsExcept(ctx context.Context, userID int64, keepHash string) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2`, userID, keepHash)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// CountUserSessions counts a user's sessions.
func (t *Tx) CountUserSessions(ctx context.Context, userID int64) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM sessions WHERE user_id = $1`, userID).Scan(&n)
	return n, err
}

// DeleteExpiredSessions removes sessions idle since before idleBefore or
// created before createdBefore.
func (t *Tx) DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2`, millis(idleBefore), millis(createdBefore))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
