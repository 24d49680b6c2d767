package store

import (
	"context"
	"database/sql"
	"time"
)

// APIToken is a bearer token for integrations; only its hash is stored.
type APIToken struct {
	ID         int64
	UserID     int64
	Username   string
	Name       string
	TokenHash  string
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// InsertToken stores a token and sets its ID.
func (t *Tx) InsertToken(ctx context.Context, tok *APIToken) error {
	err := t.queryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		tok.UserID, tok.Name, tok.TokenHash, millis(tok.CreatedAt)).Scan(&tok.ID)
	return translate(err)
}

const tokenColumns = `t.id, t.user_id, u.username, t.name, t.token_hash, t.created_at, t.last_used_at, t.revoked_at`

func scanToken(row interface{ Scan(...any) error }) (APIToken, error) {
	var tok APIToken
	var created int64
	var used, revoked sql.NullInt64
	err := row.Scan(&tok.ID, &tok.UserID, &tok.Username, &tok.Name, &tok.TokenHash, &created, &used, &revoked)
	tok.CreatedAt, tok.LastUsedAt, tok.RevokedAt = fromMillis(created), fromMillis(used.Int64), fromMillis(revoked.Int64)
	return tok, err
}

// TokenByHash returns a live (not revoked) token, or a not_found error.
func (t *Tx) TokenByHash(ctx context.Context, hash string) (APIToken, error) {
	tok, err := scanToken(t.queryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL`, hash))
	return tok, translate(err)
}

// Tokens lists all tokens, newest first.
func (t *Tx) Tokens(ctx context.Context) ([]APIToken, error) {
	rows, err := t.query(ctx, `SELECT `+tokenColumns+` FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		tok, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, tok)
	}
	return out, rows.Err()
}

// RevokeToken revokes a live token; not_found when there is none.
func (t *Tx) RevokeToken(ctx context.Context, id int64, at time.Time) (APIToken, error) {
	tok, err := scanToken(t.queryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.id = $1 AND t.revoked_at IS NULL`, id))
	if err != nil {
		return tok, translate(err)
	}
	_, err = t.exec(ctx, `UPDATE api_tokens SET revoked_at = $2 WHERE id = $1`, id, millis(at))
	return tok, err
}

// RevokeUserTokens revokes every live token of a user and returns how many.
func (t *Tx) RevokeUserTokens(ctx context.Context, userID int64, at time.Time) (int64, error) {
	res, err := t.exec(ctx, `UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, userID, millis(at))
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}

// TouchToken records the token's use.
func (t *Tx) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := t.exec(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, id, millis(at))
	return err
}
