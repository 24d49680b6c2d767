// Package auth is staff authentication: passwords, lockout, sessions,
// two-factor login, API tokens and account administration. Every event is
// written to the audit log in the same transaction as the change.
package auth

import (
	"context"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
)

// Service carries out authentication and account administration.
type Service struct {
	db     *store.DB
	clock  clock.Clock
	hasher hasher
	issuer string // shown in authenticator apps
}

// hasher is the password hashing the service needs; secret.Hasher in
// production, a counting wrapper in tests that prove every login attempt
// costs the same work.
type hasher interface {
	Hash(password string) (string, error)
	Verify(encoded, password string) (ok, needsRehash bool, err error)
	DummyVerify(password string)
}

// NewService returns a service. Tests pass cheap hashing parameters.
func NewService(db *store.DB, c clock.Clock, params secret.Params, issuer string) *Service {
	if issuer == "" {
		issuer = "Kofu"
	}
	return &Service{db: db, clock: c, hasher: secret.Hasher{Params: params}, issuer: issuer}
}

// Now is the service's clock: what lockouts and token expiries are
// measured against.
func (s *Service) Now() time.Time { return s.clock.Now() }

// ErrBadCredentials is the one answer to a wrong password, an unknown user,
// a wrong code and a locked account, so none can be told apart.
var ErrBadCredentials = apperr.New(apperr.Unauthenticated, "ユーザー名、パスワードまたは確認コードが正しくありません。")

// Settings returns the security settings (defaults when none are stored).
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	var st Settings
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { st, err = loadSettings(ctx, tx); return })
	return st, err
}

func loadSettings(ctx context.Context, tx *store.Tx) (Settings, error) {
	st := DefaultSettings()
	_, err := tx.LoadSetting(ctx, SettingsKey, &st)
	return st, err
}

// SaveSettings validates and stores new settings (admin).
func (s *Service) SaveSettings(ctx context.Context, p Principal, m Meta, st Settings) error {
	if err := st.Validate(); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		old, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		if err := tx.SaveSetting(ctx, SettingsKey, st, p.Username, s.clock.Now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "settings.security_changed", "settings:security", map[string]any{"old": old, "new": st})
	})
}

// audit appends an entry for an action by p.
func (s *Service) audit(ctx context.Context, tx *store.Tx, p Principal, m Meta, action, target string, detail map[string]any) error {
	_, err := tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: action, Target: target,
		IP: m.IP, RequestID: m.RequestID, Detail: detail}, s.clock.Now())
	return err
}

// System is the principal for actions taken from the command line.
func System(name string) Principal {
	return Principal{Username: "cli:" + name, Role: RoleAdmin, Via: "cli"}
}

func userTarget(id int64) string { return "user:" + itoa(id) }
