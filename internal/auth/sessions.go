package auth

import (
	"context"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/store"
)

// touchEvery limits last-seen writes to one a minute per session.
const touchEvery = time.Minute

// ErrNoSession means the caller must log in (again).
var ErrNoSession = apperr.New(apperr.Unauthenticated, "ログインしてください。")

func (s *Service) openSession(ctx context.Context, tx *store.Tx, p *Principal, m Meta, now time.Time) (string, error) {
	sid := secret.NewSessionID()
	p.Via, p.SessionHash = "session", secret.HashToken(sid)
	return sid, tx.InsertSession(ctx, store.Session{IDHash: p.SessionHash, UserID: p.UserID, CreatedAt: now,
		LastSeenAt: now, IP: m.IP, UserAgent: truncate(m.UserAgent, 200)})
}

// Authenticate returns the principal of a live session. Idle and
// over-age sessions are ended here.
func (s *Service) Authenticate(ctx context.Context, sid string) (Principal, error) {
	if sid == "" {
		return Principal{}, ErrNoSession
	}
	hash := secret.HashToken(sid)
	now := s.clock.Now()
	var sess store.Session
	var u store.User
	var st Settings
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		if sess, err = tx.SessionByHash(ctx, hash); err != nil {
			return err
		}
		if u, err = tx.UserByID(ctx, sess.UserID); err != nil {
			return err
		}
		st, err = loadSettings(ctx, tx)
		return err
	})
	if apperr.Is(err, apperr.NotFound) {
		return Principal{}, ErrNoSession
	}
	if err != nil {
		return Principal{}, err
	}
	if now.Sub(sess.LastSeenAt) > st.idle() || now.Sub(sess.CreatedAt) > st.absolute() || locked(u, now) {
		s.db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteSession(ctx, hash) })
		return Principal{}, ErrNoSession
	}
	if now.Sub(sess.LastSeenAt) > touchEvery {
		if err := s.db.Update(ctx, func(tx *store.Tx) error { return tx.TouchSession(ctx, hash, now) }); err != nil {
			return Principal{}, err
		}
	}
	p := principalOf(u, st, now)
	p.Via, p.SessionHash = "session", hash
	return p, nil
}

// Logout ends the caller's session.
func (s *Service) Logout(ctx context.Context, p Principal, m Meta) error {
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteSession(ctx, p.SessionHash); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "auth.logout", userTarget(p.UserID), nil)
	})
}

// PurgeSessions removes expired sessions; the server runs it now and then.
func (s *Service) PurgeSessions(ctx context.Context) (int64, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return 0, err
	}
	now := s.clock.Now()
	var n int64
	err = s.db.Update(ctx, func(tx *store.Tx) (err error) {
		n, err = tx.DeleteExpiredSessions(ctx, now.Add(-st.idle()), now.Add(-st.absolute()))
		return err
	})
	return n, err
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
