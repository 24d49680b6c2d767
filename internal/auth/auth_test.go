package auth

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var ctx = context.Background()

const goodPassword = "kawa-no-nagare-2026"

// countingHasher counts the slow verifications each attempt costs.
type countingHasher struct {
	secret.Hasher
	verifies atomic.Int64
}

func (c *countingHasher) Verify(encoded, password string) (bool, bool, error) {
	c.verifies.Add(1)
	return c.Hasher.Verify(encoded, password)
}

func (c *countingHasher) DummyVerify(password string) {
	c.verifies.Add(1)
	c.Hasher.DummyVerify(password)
}

type fixture struct {
	db    *store.DB
	svc   *Service
	clock *clock.Fixed
	hash  *countingHasher
}

func newFixture(t *testing.T, db *store.DB) fixture {
	t.Helper()
	c := clock.NewFixed(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	svc := NewService(db, c, secret.TestParams(), "Kofu")
	h := &countingHasher{Hasher: secret.Hasher{Params: secret.TestParams()}}
	svc.hasher = h
	return fixture{db: db, svc: svc, clock: c, hash: h}
}

func (f fixture) mustUser(t *testing.T, username, role string) {
	t.Helper()
	if _, err := f.svc.CreateUser(ctx, System("test"), Meta{}, NewUser{Username: username, Role: role, Password: goodPassword}); err != nil {
		t.Fatalf("create %s: %v", username, err)
	}
}

func (f fixture) actions(t *testing.T) []string {
	t.Helper()
	var out []string
	err := f.db.View(ctx, func(tx *store.Tx) error {
		return tx.EachAudit(ctx, func(e audit.Entry) error { out = append(out, e.Action); return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func count(actions []string, action string) int {
	n := 0
	for _, a := range actions {
		if a == action {
			n++
		}
	}
	return n
}

func TestLockoutLooksLikeAnyOtherFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.mustUser(t, "sato", RoleStaff)
		m := Meta{IP: "192.0.2.10"}
		for i := range 6 {
			_, _, err := f.svc.Login(ctx, m, "sato", "wrong-password-"+string(rune('a'+i)), "")
			if err != ErrBadCredentials {
				t.Fatalf("attempt %d: want ErrBadCredentials, got %v", i+1, err)
			}
		}
		before := f.hash.verifies.Load()
		_, _, errLocked := f.svc.Login(ctx, m, "sato", goodPassword, "")
		_, _, errUnknown := f.svc.Login(ctx, m, "nobody", goodPassword, "")
		_, _, errWrong := f.svc.Login(ctx, m, "sato", "still-wrong-password", "")
		if errLocked != ErrBadCredentials || errUnknown != ErrBadCredentials || errWrong != ErrBadCredentials {
			t.Fatalf("locked, unknown and wrong must answer alike: %v / %v / %v", errLocked, errUnknown, errWrong)
		}
		if n := f.hash.verifies.Load() - before; n != 3 {
			t.Fatalf("each of the 3 attempts must cost exactly one hash verification, got %d", n)
		}
		if err := f.svc.Unlock(ctx, System("test"), m, "sato"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Login(ctx, m, "sato", goodPassword, ""); err != nil {
			t.Fatalf("after unlock: %v", err)
		}
		acts := f.actions(t)
		if count(acts, "auth.login_failed") != 9 || count(acts, "auth.locked") != 1 || count(acts, "auth.unlocked") != 1 || count(acts, "auth.login_ok") != 1 {
			t.Fatalf("audit trail incomplete: %v", acts)
		}
	})
}

func TestTimedLockExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.mustUser(t, "ito", RoleStaff)
		for range 5 {
			f.svc.Login(ctx, Meta{IP: "192.0.2.1"}, "ito", "bad-bad-bad-bad", "")
		}
		if _, _, err := f.svc.Login(ctx, Meta{IP: "192.0.2.1"}, "ito", goodPassword, ""); err != ErrBadCredentials {
			t.Fatalf("locked account must refuse the right password, got %v", err)
		}
		f.clock.Advance(31 * time.Minute)
		if _, _, err := f.svc.Login(ctx, Meta{IP: "192.0.2.1"}, "ito", goodPassword, ""); err != nil {
			t.Fatalf("the 30-minute lock must expire: %v", err)
		}
	})
}

func TestLoginThrottlePerIP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		st := DefaultSettings()
		st.LoginThrottlePerMinute = 3
		if err := f.svc.SaveSettings(ctx, System("test"), Meta{}, st); err != nil {
			t.Fatal(err)
		}
		var err error
		for range 4 {
			_, _, err = f.svc.Login(ctx, Meta{IP: "198.51.100.7"}, "x", "y", "")
		}
		if !apperr.Is(err, apperr.RateLimited) {
			t.Fatalf("4th attempt within a minute: want rate_limited, got %v", err)
		}
		if _, _, err := f.svc.Login(ctx, Meta{IP: "198.51.100.8"}, "x", "y", ""); err != ErrBadCredentials {
			t.Fatalf("another address is not throttled: %v", err)
		}
	})
}

func TestSessionsExpireAndEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.mustUser(t, "kato", RoleStaff)
		login := func() string {
			_, sid, err := f.svc.Login(ctx, Meta{IP: "192.0.2.2"}, "kato", goodPassword, "")
			if err != nil {
				t.Fatal(err)
			}
			return sid
		}
		a, b := login(), login()
		if a == b || len(a) < 22 {
			t.Fatalf("each login needs a new 128-bit id: %q %q", a, b)
		}
		f.clock.Advance(29 * time.Minute)
		if _, err := f.svc.Authenticate(ctx, a); err != nil {
			t.Fatalf("active within idle timeout: %v", err)
		}
		f.clock.Advance(31 * time.Minute)
		if _, err := f.svc.Authenticate(ctx, b); err != ErrNoSession {
			t.Fatalf("idle 60 minutes must end the session, got %v", err)
		}
		for range 26 { // keep a busy for 13 hours
			f.clock.Advance(29 * time.Minute)
			if _, err := f.svc.Authenticate(ctx, a); err != nil {
				break
			}
		}
		if _, err := f.svc.Authenticate(ctx, a); err != ErrNoSession {
			t.Fatalf("absolute lifetime of 12h must end the session, got %v", err)
		}
		c := login()
		if err := f.svc.Lock(ctx, System("test"), Meta{}, "kato"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Authenticate(ctx, c); err != ErrNoSession {
			t.Fatalf("locking ends sessions, got %v", err)
		}
		f.svc.Unlock(ctx, System("test"), Meta{}, "kato")
		d := login()
		if _, err := f.svc.ResetPassword(ctx, System("test"), Meta{}, "kato"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Authenticate(ctx, d); err != ErrNoSession {
			t.Fatalf("password reset ends sessions, got %v", err)
		}
	})
}

func TestOneTimePasswordMustBeChanged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		pw, err := f.svc.CreateUser(ctx, System("test"), Meta{}, NewUser{Username: "new.user", Role: RoleViewer})
		if err != nil || pw == "" {
			t.Fatalf("generated password: %q %v", pw, err)
		}
		p, _, err := f.svc.Login(ctx, Meta{}, "new.user", pw, "")
		if err != nil || !p.MustChangePassword || !p.Restricted() {
			t.Fatalf("first login must be restricted to a password change: %+v %v", p, err)
		}
		err = f.svc.ChangeOwnPassword(ctx, p, Meta{}, pw, "password1234")
		if !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("a blocked password must be refused, got %v", err)
		}
		if err := f.svc.ChangeOwnPassword(ctx, p, Meta{}, pw, goodPassword); err != nil {
			t.Fatal(err)
		}
		p, _, err = f.svc.Login(ctx, Meta{}, "new.user", goodPassword, "")
		if err != nil || p.Restricted() {
			t.Fatalf("after the change: %+v %v", p, err)
		}
	})
}

func TestTOTPLoginAndRecoveryCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.mustUser(t, "suzuki", RoleAdmin)
		p, _, err := f.svc.Login(ctx, Meta{}, "suzuki", goodPassword, "")
		if err != nil {
			t.Fatal(err)
		}
		sec, _, err := f.svc.BeginTOTP(ctx, p, Meta{})
		if err != nil {
			t.Fatal(err)
		}
		code, _ := secret.TOTPCode(sec, f.clock.Now())
		codes, err := f.svc.ConfirmTOTP(ctx, p, Meta{}, code)
		if err != nil || len(codes) != 10 {
			t.Fatalf("confirm: %d codes, %v", len(codes), err)
		}
		if _, _, err := f.svc.Login(ctx, Meta{}, "suzuki", goodPassword, ""); err != ErrBadCredentials {
			t.Fatalf("password alone is not enough with TOTP: %v", err)
		}
		if _, _, err := f.svc.Login(ctx, Meta{}, "suzuki", goodPassword, code); err != ErrBadCredentials {
			t.Fatalf("a code already used must not work again: %v", err)
		}
		f.clock.Advance(30 * time.Second)
		next, _ := secret.TOTPCode(sec, f.clock.Now())
		if _, _, err := f.svc.Login(ctx, Meta{}, "suzuki", goodPassword, next); err != nil {
			t.Fatalf("fresh code: %v", err)
		}
		if _, _, err := f.svc.Login(ctx, Meta{}, "suzuki", goodPassword, codes[0]); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		if _, _, err := f.svc.Login(ctx, Meta{}, "suzuki", goodPassword, codes[0]); err != ErrBadCredentials {
			t.Fatalf("a recovery code works once: %v", err)
		}
		acts := f.actions(t)
		if count(acts, "auth.totp_enabled") != 1 || count(acts, "auth.recovery_code_used") != 1 {
			t.Fatalf("TOTP events missing from audit: %v", acts)
		}
	})
}

func TestTOTPRequiredForRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.mustUser(t, "boss", RoleAdmin)
		st := DefaultSettings()
		st.TOTPRequiredRoles = []string{RoleAdmin}
		if err := f.svc.SaveSettings(ctx, System("test"), Meta{}, st); err != nil {
			t.Fatal(err)
		}
		p, _, err := f.svc.Login(ctx, Meta{}, "boss", goodPassword, "")
		if err != nil || !p.NeedsTOTP || !p.Restricted() {
			t.Fatalf("admin without TOTP must be sent to enrolment: %+v %v", p, err)
		}
	})
}

func TestTokensAuthenticateUntilRevoked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.mustUser(t, "robot", RoleStaff)
		token, tok, err := f.svc.CreateToken(ctx, System("test"), Meta{}, "robot", "住基連携")
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.svc.AuthenticateToken(ctx, token)
		if err != nil || p.Username != "robot" || p.Via != "token" {
			t.Fatalf("token auth: %+v %v", p, err)
		}
		ts, _ := f.svc.Tokens(ctx)
		for _, x := range ts {
			if x.TokenHash == token {
				t.Fatal("the token itself must never be stored")
			}
		}
		if err := f.svc.RevokeToken(ctx, System("test"), Meta{}, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AuthenticateToken(ctx, token); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("revoked token: %v", err)
		}
		acts := f.actions(t)
		if count(acts, "auth.token_created") != 1 || count(acts, "auth.token_revoked") != 1 {
			t.Fatalf("token events missing: %v", acts)
		}
	})
}

func TestSettingsValidation(t *testing.T) {
	st := DefaultSettings()
	st.LockoutThreshold, st.SessionIdleMinutes, st.TOTPRequiredRoles = 0, -1, []string{"root"}
	err := st.Validate()
	fields := map[string]bool{}
	for _, fe := range apperr.FieldsOf(err) {
		fields[fe.Field] = true
	}
	if !fields["lockout_threshold"] || !fields["session_idle_minutes"] || !fields["totp_required_roles"] {
		t.Fatalf("want field errors for the three bad fields, got %v", err)
	}
	if err := DefaultSettings().Validate(); err != nil {
		t.Fatalf("defaults must be valid: %v", err)
	}
	var e *apperr.Error
	if !errors.As(err, &e) {
		t.Fatal("validation must return a coded error")
	}
}
