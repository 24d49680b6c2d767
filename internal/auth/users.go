package auth

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/store"
)

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// NewUser describes an account to create. An empty Password means "generate
// a one-time password that must be changed at first login".
type NewUser struct {
	Username    string
	DisplayName string
	Role        string
	Password    string
}

// CreateUser creates an account and returns the one-time password when one
// was generated.
func (s *Service) CreateUser(ctx context.Context, p Principal, m Meta, nu NewUser) (oneTime string, err error) {
	nu.Username = strings.ToLower(strings.TrimSpace(nu.Username))
	if err := validateNewUser(nu); err != nil {
		return "", err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return "", err
	}
	password := nu.Password
	if password == "" {
		oneTime = secret.GeneratePassword()
		password = oneTime
	} else if err := st.Policy().Check(nu.Username, password); err != nil {
		return "", policyError(err)
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return "", err
	}
	now := s.clock.Now()
	u := store.User{Username: nu.Username, DisplayName: strings.TrimSpace(nu.DisplayName), Role: nu.Role,
		PasswordHash: hash, PasswordChangedAt: now, MustChangePassword: oneTime != "", CreatedAt: now}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.InsertUser(ctx, &u); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				return apperr.WithFields("このユーザー名はすでに使われています。", []apperr.FieldError{{Field: "username", Message: "すでに使われています。"}})
			}
			return err
		}
		return s.audit(ctx, tx, p, m, "user.created", userTarget(u.ID), map[string]any{"username": u.Username, "role": u.Role, "one_time_password": oneTime != ""})
	})
	return oneTime, err
}

func validateNewUser(nu NewUser) error {
	var fe apperr.Fields
	if !usernamePattern.MatchString(nu.Username) {
		fe.Add("username", "半角英小文字・数字・「.」「_」「-」で 2〜64 文字にしてください。")
	}
	if !ValidRole(nu.Role) {
		fe.Add("role", "役割は admin、staff、viewer のいずれかです。")
	}
	if len([]rune(nu.DisplayName)) > 100 {
		fe.Add("display_name", "100 文字以内にしてください。")
	}
	if len(fe) > 0 {
		return apperr.WithFields("入力に誤りがあります。", fe)
	}
	return nil
}

func policyError(err error) error {
	return apperr.WithFields(err.Error(), []apperr.FieldError{{Field: "password", Message: err.Error()}})
}

// Users lists the accounts (admin).
func (s *Service) Users(ctx context.Context) ([]store.User, error) {
	var us []store.User
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { us, err = tx.Users(ctx); return })
	return us, err
}

// User returns one account by username.
func (s *Service) User(ctx context.Context, username string) (store.User, error) {
	var u store.User
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { u, err = tx.UserByName(ctx, username); return })
	if apperr.Is(err, apperr.NotFound) {
		err = apperr.Wrap(apperr.NotFound, "ユーザーが見つかりません: "+username, err)
	}
	return u, err
}

// changeUser loads a user by name, applies fn, saves it and audits action,
// all in one transaction.
func (s *Service) changeUser(ctx context.Context, p Principal, m Meta, username, action string, fn func(tx *store.Tx, u *store.User, now time.Time) (map[string]any, error)) error {
	now := s.clock.Now()
	return s.db.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByName(ctx, username)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Wrap(apperr.NotFound, "ユーザーが見つかりません: "+username, err)
		}
		if err != nil {
			return err
		}
		detail, err := fn(tx, &u, now)
		if err != nil {
			return err
		}
		if err := tx.UpdateUser(ctx, u, now); err != nil {
			return err
		}
		if detail == nil {
			detail = map[string]any{}
		}
		detail["username"] = u.Username
		return s.audit(ctx, tx, p, m, action, userTarget(u.ID), detail)
	})
}

// Lock locks an account until an admin unlocks it and ends its sessions.
func (s *Service) Lock(ctx context.Context, p Principal, m Meta, username string) error {
	return s.changeUser(ctx, p, m, username, "auth.locked", func(tx *store.Tx, u *store.User, _ time.Time) (map[string]any, error) {
		if u.ID == p.UserID {
			return nil, apperr.New(apperr.Invalid, "自分自身のアカウントはロックできません。")
		}
		u.AdminLocked = true
		n, err := tx.DeleteUserSessions(ctx, u.ID)
		return map[string]any{"by": "admin", "sessions_ended": n}, err
	})
}

// Unlock lifts both kinds of lock and clears the failure counter.
func (s *Service) Unlock(ctx context.Context, p Principal, m Meta, username string) error {
	return s.changeUser(ctx, p, m, username, "auth.unlocked", func(_ *store.Tx, u *store.User, _ time.Time) (map[string]any, error) {
		u.AdminLocked, u.LockedUntil, u.FailedLogins = false, time.Time{}, 0
		return nil, nil
	})
}

// ResetPassword sets a one-time password, ends the user's sessions,
// revokes the user's API tokens and returns the password to hand over: a
// reset is what an admin does for an account that may be in the wrong
// hands, and a token would outlive it.
func (s *Service) ResetPassword(ctx context.Context, p Principal, m Meta, username string) (string, error) {
	oneTime := secret.GeneratePassword()
	hash, err := s.hasher.Hash(oneTime)
	if err != nil {
		return "", err
	}
	err = s.changeUser(ctx, p, m, username, "auth.password_reset", func(tx *store.Tx, u *store.User, now time.Time) (map[string]any, error) {
		u.PasswordHash, u.PasswordChangedAt, u.MustChangePassword = hash, now, true
		u.AdminLocked, u.LockedUntil, u.FailedLogins = false, time.Time{}, 0
		return endAccess(ctx, tx, u.ID, now, map[string]any{})
	})
	return oneTime, err
}

// SetRole changes an account's role.
func (s *Service) SetRole(ctx context.Context, p Principal, m Meta, username, role string) error {
	if !ValidRole(role) {
		return apperr.WithFields("役割が正しくありません。", []apperr.FieldError{{Field: "role", Message: "admin、staff、viewer のいずれかです。"}})
	}
	return s.changeUser(ctx, p, m, username, "user.role_changed", func(_ *store.Tx, u *store.User, _ time.Time) (map[string]any, error) {
		if u.ID == p.UserID && role != RoleAdmin {
			return nil, apperr.New(apperr.Invalid, "自分自身の管理者権限は外せません。")
		}
		old := u.Role
		u.Role = role
		return map[string]any{"old": old, "new": role}, nil
	})
}

// EndSessions ends every session of a user.
func (s *Service) EndSessions(ctx context.Context, p Principal, m Meta, username string) error {
	return s.changeUser(ctx, p, m, username, "auth.sessions_ended", func(tx *store.Tx, u *store.User, _ time.Time) (map[string]any, error) {
		n, err := tx.DeleteUserSessions(ctx, u.ID)
		return map[string]any{"sessions_ended": n}, err
	})
}

// SetPassword sets an operator-chosen password from the command line; it
// is ready to use, so it must pass the policy. Like a reset, it ends the
// user's sessions and revokes the user's API tokens.
func (s *Service) SetPassword(ctx context.Context, p Principal, m Meta, username, password string) error {
	st, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	if err := st.Policy().Check(username, password); err != nil {
		return policyError(err)
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return err
	}
	return s.changeUser(ctx, p, m, username, "auth.password_changed", func(tx *store.Tx, u *store.User, now time.Time) (map[string]any, error) {
		u.PasswordHash, u.PasswordChangedAt, u.MustChangePassword = hash, now, false
		return endAccess(ctx, tx, u.ID, now, map[string]any{"by": "operator"})
	})
}

// endAccess ends a user's sessions and revokes the user's API tokens, and
// adds both counts to the audit detail.
func endAccess(ctx context.Context, tx *store.Tx, userID int64, now time.Time, detail map[string]any) (map[string]any, error) {
	n, err := tx.DeleteUserSessions(ctx, userID)
	if err != nil {
		return nil, err
	}
	revoked, err := tx.RevokeUserTokens(ctx, userID, now)
	detail["sessions_ended"], detail["tokens_revoked"] = n, revoked
	return detail, err
}

// ChangeOwnPassword checks the current password, applies the policy and
// ends the user's other sessions.
func (s *Service) ChangeOwnPassword(ctx context.Context, p Principal, m Meta, current, next string) error {
	u, err := s.User(ctx, p.Username)
	if err != nil {
		return err
	}
	if ok, _, err := s.hasher.Verify(u.PasswordHash, current); err != nil || !ok {
		return apperr.WithFields("現在のパスワードが正しくありません。", []apperr.FieldError{{Field: "current_password", Message: "正しくありません。"}})
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	if current == next {
		return apperr.WithFields("新しいパスワードは現在のものと別にしてください。", []apperr.FieldError{{Field: "new_password", Message: "現在のものと同じです。"}})
	}
	if err := st.Policy().Check(u.Username, next); err != nil {
		return policyError(err)
	}
	hash, err := s.hasher.Hash(next)
	if err != nil {
		return err
	}
	return s.changeUser(ctx, p, m, u.Username, "auth.password_changed", func(tx *store.Tx, u *store.User, now time.Time) (map[string]any, error) {
		u.PasswordHash, u.PasswordChangedAt, u.MustChangePassword = hash, now, false
		n, err := tx.DeleteUserSessionsExcept(ctx, u.ID, p.SessionHash)
		return map[string]any{"by": "self", "other_sessions_ended": n}, err
	})
}
