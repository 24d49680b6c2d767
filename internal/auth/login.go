package auth

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/store"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func principalOf(u store.User, st Settings, now time.Time) Principal {
	return Principal{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role,
		MustChangePassword: u.MustChangePassword || st.Policy().Expired(u.PasswordChangedAt, now),
		TOTPEnabled:        u.TOTPEnabled,
		NeedsTOTP:          st.TOTPRequired(u.Role) && !u.TOTPEnabled}
}

func locked(u store.User, now time.Time) bool {
	return u.AdminLocked || (!u.LockedUntil.IsZero() && now.Before(u.LockedUntil))
}

// Login checks a username, password and (when enrolled) a TOTP or recovery
// code, and opens a session. Every outcome costs one password hash
// verification and returns ErrBadCredentials on any failure, so a wrong
// password, an unknown user and a locked account look the same.
func (s *Service) Login(ctx context.Context, m Meta, username, password, otp string) (Principal, string, error) {
	username = strings.TrimSpace(username)
	st, err := s.throttle(ctx, m)
	if err != nil {
		return Principal{}, "", err
	}
	// The slow hash runs outside any transaction: SQLite's single writer is
	// not held while argon2 works.
	var u store.User
	err = s.db.View(ctx, func(tx *store.Tx) (err error) { u, err = tx.UserByName(ctx, username); return })
	if apperr.Is(err, apperr.NotFound) {
		s.hasher.DummyVerify(password)
		return Principal{}, "", s.recordFailure(ctx, m, username, 0, "unknown_user", st)
	}
	if err != nil {
		return Principal{}, "", err
	}
	ok, rehash, err := s.hasher.Verify(u.PasswordHash, password)
	if err != nil {
		return Principal{}, "", err
	}
	now := s.clock.Now()
	switch {
	case locked(u, now):
		return Principal{}, "", s.recordFailure(ctx, m, username, u.ID, "locked", st)
	case !ok:
		return Principal{}, "", s.recordFailure(ctx, m, username, u.ID, "bad_password", st)
	}
	return s.completeLogin(ctx, m, u.ID, password, otp, rehash, st)
}

// throttle counts the attempt against the client address.
func (s *Service) throttle(ctx context.Context, m Meta) (Settings, error) {
	var st Settings
	var n int
	now := s.clock.Now()
	err := s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if st, err = loadSettings(ctx, tx); err != nil {
			return err
		}
		n, err = tx.RecordLoginAttempt(ctx, m.IP, now, now.Add(-time.Minute))
		return err
	})
	if err == nil && n > st.LoginThrottlePerMinute {
		err = apperr.New(apperr.RateLimited, "ログインの試行が多すぎます。しばらく待ってからもう一度お試しください。")
	}
	return st, err
}

// recordFailure counts a failure, locks the account at the threshold and
// writes the audit entries, then answers ErrBadCredentials.
func (s *Service) recordFailure(ctx context.Context, m Meta, username string, userID int64, reason string, st Settings) error {
	now := s.clock.Now()
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		ev := audit.Event{ActorID: userID, Actor: username, Action: "auth.login_failed", Target: targetOrEmpty(userID),
			IP: m.IP, RequestID: m.RequestID, Detail: map[string]any{"reason": reason}}
		if _, err := tx.AppendAudit(ctx, ev, now); err != nil {
			return err
		}
		if userID == 0 || reason == "locked" {
			return nil
		}
		return s.countFailure(ctx, tx, userID, m, st, now)
	})
	if err != nil {
		return err
	}
	return ErrBadCredentials
}

func (s *Service) countFailure(ctx context.Context, tx *store.Tx, userID int64, m Meta, st Settings, now time.Time) error {
	u, err := tx.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	u.FailedLogins++
	if u.FailedLogins >= st.LockoutThreshold && !locked(u, now) {
		if st.LockoutMinutes == 0 {
			u.AdminLocked = true
		} else {
			u.LockedUntil = now.Add(st.lockout())
		}
		if _, err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
		ev := audit.Event{Actor: "system", Action: "auth.locked", Target: userTarget(u.ID), IP: m.IP, RequestID: m.RequestID,
			Detail: map[string]any{"username": u.Username, "failed_logins": u.FailedLogins, "until": lockUntilText(u)}}
		if _, err := tx.AppendAudit(ctx, ev, now); err != nil {
			return err
		}
	}
	return tx.UpdateUser(ctx, u, now)
}

func lockUntilText(u store.User) string {
	if u.AdminLocked {
		return "admin_unlock"
	}
	return u.LockedUntil.Format(time.RFC3339)
}

func targetOrEmpty(userID int64) string {
	if userID == 0 {
		return ""
	}
	return userTarget(userID)
}

// completeLogin checks the second factor and opens the session.
func (s *Service) completeLogin(ctx context.Context, m Meta, userID int64, password, otp string, rehash bool, st Settings) (Principal, string, error) {
	var p Principal
	var sid string
	var name string
	var failed bool
	now := s.clock.Now()
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		name = u.Username
		if u.TOTPEnabled {
			if ok, err := s.secondFactor(ctx, tx, &u, otp, now); err != nil || !ok {
				failed = true
				return err
			}
		}
		if rehash {
			if h, err := s.hasher.Hash(password); err == nil {
				u.PasswordHash = h
			}
		}
		u.FailedLogins, u.LockedUntil = 0, time.Time{}
		if err := tx.UpdateUser(ctx, u, now); err != nil {
			return err
		}
		p = principalOf(u, st, now)
		if sid, err = s.openSession(ctx, tx, &p, m, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "auth.login_ok", userTarget(u.ID), map[string]any{"second_factor": u.TOTPEnabled})
	})
	if err == nil && failed {
		return Principal{}, "", s.recordFailure(ctx, m, name, userID, "bad_otp", st)
	}
	return p, sid, err
}

// secondFactor accepts a fresh TOTP code (each time step once) or an
// unused recovery code.
func (s *Service) secondFactor(ctx context.Context, tx *store.Tx, u *store.User, otp string, now time.Time) (bool, error) {
	otp = strings.TrimSpace(otp)
	if otp == "" {
		return false, nil
	}
	if step, ok := secret.ValidateTOTP(u.TOTPSecret, otp, now); ok {
		if step <= u.TOTPLastStep {
			return false, nil // replayed code
		}
		u.TOTPLastStep = step
		return true, nil
	}
	used, err := tx.UseRecoveryCode(ctx, u.ID, secret.HashToken(secret.NormalizeRecoveryCode(otp)), now)
	if used {
		_, err = tx.AppendAudit(ctx, audit.Event{ActorID: u.ID, Actor: u.Username, Action: "auth.recovery_code_used",
			Target: userTarget(u.ID)}, now)
	}
	return used, err
}
