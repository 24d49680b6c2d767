// Package challenge is the proof-of-work check of the citizen booking
// form. It is off by default; under load (many booking submissions, or a
// busy public site) the confirm step asks the browser for a small
// hashcash-style proof: find a number n such that SHA-256(token ":" n)
// starts with a number of zero bits. A tiny self-hosted script does it in
// a moment; a browser without JavaScript waits a few seconds instead and
// submits again, so the form stays usable by everyone. Each challenge is
// bound to one form, expires, and passes only once.
package challenge

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"log/slog"
	"math/bits"
	"sync"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
)

// The modes.
const (
	ModeOff    = "off"    // never ask
	ModeAuto   = "auto"   // ask while the site is under load
	ModeAlways = "always" // always ask (e.g. during a known attack)
)

// SettingsKey is where the settings live in the settings table.
const SettingsKey = "public_challenge"

// TTL is how long a challenge may be answered.
const TTL = 15 * time.Minute

// CodeUsed is the error code of a challenge answered twice.
var CodeUsed = apperr.Define("challenge_used", apperr.KindConflict)

// Settings say when the challenge is asked and how hard it is.
type Settings struct {
	Mode string `json:"mode"`
	// SubmitsPerMinute switches the challenge on (mode auto) when one
	// instance receives this many booking submissions within a minute.
	SubmitsPerMinute int `json:"submits_per_minute"`
	// PressurePercent switches it on (mode auto) when this share of the
	// public site's request slots is in use, or visitors are waiting.
	PressurePercent int `json:"pressure_percent"`
	// Bits is the difficulty: each bit doubles the work (14: a fraction
	// of a second on a phone).
	Bits int `json:"bits"`
	// WaitSeconds is how long a browser without JavaScript waits instead.
	WaitSeconds int `json:"wait_seconds"`
}

// DefaultSettings are off, with sensible numbers for when it is switched on.
func DefaultSettings() Settings {
	return Settings{Mode: ModeOff, SubmitsPerMinute: 120, PressurePercent: 80, Bits: 14, WaitSeconds: 10}
}

// Validate names every wrong field.
func (s Settings) Validate() error {
	var fe apperr.Fields
	check := func(ok bool, field, msg string) {
		if !ok {
			fe.Add(field, msg)
		}
	}
	check(s.Mode == ModeOff || s.Mode == ModeAuto || s.Mode == ModeAlways, "mode", "モードは off・auto・always のいずれかを指定してください。")
	check(s.SubmitsPerMinute >= 1 && s.SubmitsPerMinute <= 1_000_000, "submits_per_minute", "1 分あたりの予約の送信数は 1 以上 1000000 以下で指定してください。")
	check(s.PressurePercent >= 1 && s.PressurePercent <= 100, "pressure_percent", "混雑の割合は 1 以上 100 以下（%）で指定してください。")
	check(s.Bits >= 8 && s.Bits <= 22, "bits", "難しさは 8 以上 22 以下で指定してください。")
	check(s.WaitSeconds >= 3 && s.WaitSeconds <= 120, "wait_seconds", "JavaScript なしの待ち時間は 3 秒以上 120 秒以下で指定してください。")
	if len(fe) > 0 {
		return apperr.WithFields("混雑時の確認の設定に誤りがあります。", fe)
	}
	return nil
}

// Service decides when to ask and spends answered challenges.
type Service struct {
	db       *store.DB
	clock    clock.Clock
	key      []byte
	meter    meter
	pressure func() float64
	clients  *clients // the challenges of each client not answered with a proof
}

// New returns the service on db, with a key of its own until SetKey.
func New(db *store.DB, c clock.Clock) *Service {
	key := make([]byte, 32)
	rand.Read(key)
	return &Service{db: db, clock: c, key: key, clients: newClients(c.Now)}
}

func (s *Service) log(ctx context.Context, err error) {
	slog.ErrorContext(ctx, "challenge settings", "err", err.Error())
}

// SetPressure gives the share (0..1) of the public site's capacity in use.
func (s *Service) SetPressure(f func() float64) { s.pressure = f }

// Now is the service's time (challenges are issued and timed by it).
func (s *Service) Now() time.Time { return s.clock.Now() }

// Settings returns the stored settings or the defaults.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	st := DefaultSettings()
	err := s.db.View(ctx, func(tx *store.Tx) error { _, err := tx.LoadSetting(ctx, SettingsKey, &st); return err })
	return st, err
}

// Save validates, stores and audits the settings.
func (s *Service) Save(ctx context.Context, p auth.Principal, m auth.Meta, st Settings) (Settings, error) {
	if err := st.Validate(); err != nil {
		return st, err
	}
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		now := s.clock.Now()
		old := DefaultSettings()
		if _, err := tx.LoadSetting(ctx, SettingsKey, &old); err != nil {
			return err
		}
		if err := tx.SaveSetting(ctx, SettingsKey, st, p.Username, now); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "settings.challenge_changed",
			Target: "settings:" + SettingsKey, IP: m.IP, RequestID: m.RequestID, Detail: map[string]any{"old": old, "new": st}}, now)
		return err
	})
	return st, err
}

// Active reports whether the booking form must carry a proof now.
func (s *Service) Active(ctx context.Context) (Settings, bool, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return st, false, err
	}
	switch st.Mode {
	case ModeAlways:
		return st, true, nil
	case ModeAuto:
		busy := s.pressure != nil && s.pressure()*100 >= float64(st.PressurePercent)
		return st, busy || s.meter.rate(s.clock.Now()) >= st.SubmitsPerMinute, nil
	}
	return st, false, nil
}

// NoteSubmit counts one booking submission towards the rate.
func (s *Service) NoteSubmit() { s.meter.note(s.clock.Now()) }

// Spend marks the challenge nonce as used; a second use is refused.
func (s *Service) Spend(ctx context.Context, nonce string, issued time.Time) error {
	return s.db.Update(ctx, func(tx *store.Tx) error {
		ok, err := tx.SpendChallenge(ctx, nonce, issued.Add(TTL), s.clock.Now())
		if err == nil && !ok {
			err = apperr.New(CodeUsed, "この確認はすでに使われています。")
		}
		return err
	})
}

// Solved reports whether solution answers token at the difficulty: the
// SHA-256 of token ":" solution starts with that many zero bits.
func Solved(token, solution string, difficulty int) bool {
	if solution == "" || len(solution) > 12 {
		return false
	}
	for _, r := range solution {
		if r < '0' || r > '9' {
			return false
		}
	}
	return ZeroBits(sha256.Sum256([]byte(token+":"+solution))) >= difficulty
}

// ZeroBits counts the leading zero bits of a hash.
func ZeroBits(sum [32]byte) int {
	n := 0
	for _, b := range sum {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}

// meter counts submissions over the last minute in one-second buckets.
type meter struct {
	mu      sync.Mutex
	buckets [60]int
	seconds [60]int64 // the second each bucket counts
}

func (m *meter) note(now time.Time) {
	sec := now.Unix()
	i := int(sec % 60)
	m.mu.Lock()
	if m.seconds[i] != sec {
		m.seconds[i], m.buckets[i] = sec, 0
	}
	m.buckets[i]++
	m.mu.Unlock()
}

func (m *meter) rate(now time.Time) int {
	sec := now.Unix()
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for i := range m.buckets {
		if sec-m.seconds[i] < 60 {
			n += m.buckets[i]
		}
	}
	return n
}
