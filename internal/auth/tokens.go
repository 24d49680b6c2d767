package auth

import (
	"context"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/store"
)

// CreateToken issues a bearer token acting as the user; the token is
// returned once and only its hash is kept.
func (s *Service) CreateToken(ctx context.Context, p Principal, m Meta, username, name string) (string, store.APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 {
		return "", store.APIToken{}, apperr.WithFields("トークンの名前を 1〜100 文字で指定してください。", []apperr.FieldError{{Field: "name", Message: "1〜100 文字で指定してください。"}})
	}
	token := secret.NewToken()
	now := s.clock.Now()
	var tok store.APIToken
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByName(ctx, username)
		if err != nil {
			return notFoundUser(username, err)
		}
		tok = store.APIToken{UserID: u.ID, Username: u.Username, Name: name, TokenHash: secret.HashToken(token), CreatedAt: now}
		if err := tx.InsertToken(ctx, &tok); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "auth.token_created", "token:"+itoa(tok.ID), map[string]any{"username": u.Username, "name": name})
	})
	return token, tok, err
}

func notFoundUser(username string, err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Wrap(apperr.NotFound, "ユーザーが見つかりません: "+username, err)
	}
	return err
}

// Tokens lists all tokens (never their values).
func (s *Service) Tokens(ctx context.Context) ([]store.APIToken, error) {
	var ts []store.APIToken
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { ts, err = tx.Tokens(ctx); return })
	return ts, err
}

// RevokeToken revokes a token by id.
func (s *Service) RevokeToken(ctx context.Context, p Principal, m Meta, id int64) error {
	return s.db.Update(ctx, func(tx *store.Tx) error {
		tok, err := tx.RevokeToken(ctx, id, s.clock.Now())
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Wrap(apperr.NotFound, "有効なトークンが見つかりません。", err)
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "auth.token_revoked", "token:"+itoa(id), map[string]any{"username": tok.Username, "name": tok.Name})
	})
}

// AuthenticateToken returns the principal behind a bearer token. A token of
// a locked account is refused.
func (s *Service) AuthenticateToken(ctx context.Context, token string) (Principal, error) {
	hash := secret.HashToken(strings.TrimSpace(token))
	now := s.clock.Now()
	var tok store.APIToken
	var u store.User
	var st Settings
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		if tok, err = tx.TokenByHash(ctx, hash); err != nil {
			return err
		}
		if u, err = tx.UserByID(ctx, tok.UserID); err != nil {
			return err
		}
		st, err = loadSettings(ctx, tx)
		return err
	})
	if apperr.Is(err, apperr.NotFound) || (err == nil && locked(u, now)) {
		return Principal{}, apperr.New(apperr.Unauthenticated, "トークンが無効です。")
	}
	if err != nil {
		return Principal{}, err
	}
	if now.Sub(tok.LastUsedAt) > touchEvery {
		s.db.Update(ctx, func(tx *store.Tx) error { return tx.TouchToken(ctx, tok.ID, now) })
	}
	p := principalOf(u, st, now)
	// Integrations cannot answer a password change or TOTP prompt; the token
	// itself is the credential an admin issued.
	p.MustChangePassword, p.NeedsTOTP, p.Via = false, false, "token"
	return p, nil
}
