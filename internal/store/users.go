package store

import (
	"context"
	"database/sql"
	"time"
)

// User is a staff account as stored.
type User struct {
	ID                 int64
	Username           string
	DisplayName        string
	Role               string
	PasswordHash       string
	PasswordChangedAt  time.Time
	MustChangePassword bool
	FailedLogins       int
	LockedUntil        time.Time // zero: no timed lock
	AdminLocked        bool
	TOTPSecret         string // in the clear here; sealed in the database
	TOTPEnabled        bool
	TOTPLastStep       int64
	CreatedAt          time.Time
}

const userColumns = `id, username, display_name, role, password_hash, password_changed_at,
	must_change_password, failed_logins, locked_until, admin_locked, COALESCE(totp_secret, ''),
	totp_enabled, totp_last_step, created_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var changed, created int64
	var locked sql.NullInt64
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.PasswordHash, &changed,
		&u.MustChangePassword, &u.FailedLogins, &locked, &u.AdminLocked, &u.TOTPSecret,
		&u.TOTPEnabled, &u.TOTPLastStep, &created)
	u.PasswordChangedAt = fromMillis(changed)
	u.CreatedAt = fromMillis(created)
	if locked.Valid {
		u.LockedUntil = fromMillis(locked.Int64)
	}
	return u, err
}

// totpColumn is the two-factor secret's column, sealed (see fieldcrypt):
// with it, anyone holding the database could make the codes.
const totpColumn = "users.totp_secret"

// UserByName returns the user with the username, or a not_found error.
func (t *Tx) UserByName(ctx context.Context, username string) (User, error) {
	return t.openUser(scanUser(t.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`+t.lock(), username)))
}

// UserByID returns the user with the id, or a not_found error.
func (t *Tx) UserByID(ctx context.Context, id int64) (User, error) {
	return t.openUser(scanUser(t.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`+t.lock(), id)))
}

func (t *Tx) openUser(u User, err error) (User, error) {
	if err != nil {
		return u, translate(err)
	}
	u.TOTPSecret, err = t.open(u.TOTPSecret, totpColumn, rowKey(u.ID))
	return u, err
}

// Users lists all users by username, without their two-factor secrets.
func (t *Tx) Users(ctx context.Context) ([]User, error) {
	rows, err := t.query(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		u.TOTPSecret = ""
		out = append(out, u)
	}
	return out, rows.Err()
}

// InsertUser stores a new user and sets its ID.
func (t *Tx) InsertUser(ctx context.Context, u *User) error {
	now := millis(u.CreatedAt)
	err := t.queryRow(ctx, `INSERT INTO users (username, display_name, role, password_hash, password_changed_at,
		must_change_password, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		u.Username, u.DisplayName, u.Role, u.PasswordHash, millis(u.PasswordChangedAt), u.MustChangePassword, now).Scan(&u.ID)
	return translate(err)
}

// UpdateUser writes every mutable field of u.
func (t *Tx) UpdateUser(ctx context.Context, u User, now time.Time) error {
	var locked sql.NullInt64
	if !u.LockedUntil.IsZero() {
		locked = sql.NullInt64{Int64: millis(u.LockedUntil), Valid: true}
	}
	var secret sql.NullString
	if u.TOTPSecret != "" {
		sealed, err := t.seal(u.TOTPSecret, totpColumn, rowKey(u.ID))
		if err != nil {
			return err
		}
		secret = sql.NullString{String: sealed, Valid: true}
	}
	_, err := t.exec(ctx, `UPDATE users SET display_name = $2, role = $3, password_hash = $4,
		password_changed_at = $5, must_change_password = $6, failed_logins = $7, locked_until = $8,
		admin_locked = $9, totp_secret = $10, totp_enabled = $11, totp_last_step = $12, updated_at = $13
		WHERE id = $1`,
		u.ID, u.DisplayName, u.Role, u.PasswordHash, millis(u.PasswordChangedAt), u.MustChangePassword,
		u.FailedLogins, locked, u.AdminLocked, secret, u.TOTPEnabled, u.TOTPLastStep, millis(now))
	return translate(err)
}

// SealTOTPSecrets seals, bound to their rows, the two-factor secrets
// written in the clear by versions before they were sealed (or sealed for
// the column only), and returns how many it sealed.
func (db *DB) SealTOTPSecrets(ctx context.Context) (int, error) {
	if db.keys == nil {
		return 0, errNoKeys()
	}
	n := 0
	err := db.Update(ctx, func(t *Tx) error {
		rows, err := t.query(ctx, `SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL AND totp_secret <> '' AND totp_secret NOT LIKE 'enc2:%'`)
		if err != nil {
			return err
		}
		type plain struct {
			id     int64
			secret string
		}
		var todo []plain
		for rows.Next() {
			var p plain
			if err := rows.Scan(&p.id, &p.secret); err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, p := range todo {
			secret, err := t.openLegacy(p.secret, totpColumn, totpColumn, rowKey(p.id))
			if err != nil {
				return err
			}
			sealed, err := t.seal(secret, totpColumn, rowKey(p.id))
			if err != nil {
				return err
			}
			if _, err := t.exec(ctx, `UPDATE users SET totp_secret = $2 WHERE id = $1`, p.id, sealed); err != nil {
				return err
			}
		}
		n = len(todo)
		return nil
	})
	return n, err
}

// CountUsers returns how many users exist.
func (t *Tx) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// ReplaceRecoveryCodes stores fresh recovery code hashes for the user.
func (t *Tx) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string) error {
	if _, err := t.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := t.exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, h); err != nil {
			return err
		}
	}
	return nil
}

// UseRecoveryCode marks an unused code as used; it reports whether one was.
func (t *Tx) UseRecoveryCode(ctx context.Context, userID int64, hash string, now time.Time) (bool, error) {
	res, err := t.exec(ctx, `UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`,
		userID, hash, millis(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RemainingRecoveryCodes counts the user's unused recovery codes.
func (t *Tx) RemainingRecoveryCodes(ctx context.Context, userID int64) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&n)
	return n, err
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
