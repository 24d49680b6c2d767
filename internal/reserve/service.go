package reserve

import (
	"context"
	"encoding/json"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/fresh"
	"github.com/kofu-oss/kofu/internal/store"
)

// retries is how often a transaction that lost a deadlock or serialisation
// race is run again before the conflict is reported.
const retries = 3

// Service carries out the booking use cases.
type Service struct {
	db     *store.DB
	clock  clock.Clock
	mailer Mailer // nil: no booking mails
	lines  *slotLines
	reads  *readLimiter  // the per-IP limit of reads, in this instance
	access *personAccess // signs the access ManageToken grants
	// answers keeps the residents' availability answers for a moment.
	answers *answers
	// public is the settings as the citizen pages see them (PublicSettings).
	public *fresh.Value[booking.Settings]
}

// PublicSettingsMaxAge bounds how long a change of the booking settings
// saved on another instance may take to show on this instance's citizen
// pages (docs/operations.md). Bookings always check the settings read in
// their own transaction.
const PublicSettingsMaxAge = time.Second

// New returns a service on db that reads the time from c.
func New(db *store.DB, c clock.Clock) *Service {
	return &Service{db: db, clock: c, lines: newSlotLines(), reads: newReadLimiter(), access: newPersonAccess(), answers: newAnswers(c), public: fresh.New[booking.Settings](PublicSettingsMaxAge)}
}

// PublicSettings returns the settings for the citizen pages: read from
// the database at most once per PublicSettingsMaxAge, so that a page view
// costs no database round trip for them (issue #8). Changes saved through
// this service show at once; those saved on another instance within
// PublicSettingsMaxAge. Staff pages and every booking use Settings or the
// settings of their own transaction, which are always current.
func (s *Service) PublicSettings(ctx context.Context) (booking.Settings, error) {
	st, err := s.public.Get(ctx, s.Settings)
	if err != nil {
		return st, err
	}
	return st.Clone(), nil // a copy: callers may change theirs
}

// settingsChanged makes this instance's citizen pages show a change of
// the settings at once.
func (s *Service) settingsChanged() {
	s.public.Forget()
	s.answers.forget()
}

// Settings returns the booking settings (the defaults until an admin
// saves some).
func (s *Service) Settings(ctx context.Context) (booking.Settings, error) {
	var st booking.Settings
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { st, err = loadSettings(ctx, tx); return err })
	return st, err
}

// decodedSettings is the last settings document decoded, keyed by its
// text. Every public page and booking reads the settings, and decoding
// the JSON cost more than the rest of the booking page (issue #8); the
// text is still read in the transaction, so a change saved by any
// instance is seen at once.
type decodedSettings struct {
	text string
	st   booking.Settings
}

var lastSettings atomic.Pointer[decodedSettings]

func loadSettings(ctx context.Context, tx *store.Tx) (booking.Settings, error) {
	text, found, err := tx.LoadSettingText(ctx, booking.SettingsKey)
	if err != nil || !found {
		return booking.DefaultSettings(), err
	}
	if d := lastSettings.Load(); d != nil && d.text == text {
		return d.st.Clone(), nil // a copy: callers may change theirs
	}
	// Decode into a zero value, not the defaults: a stored document is
	// replaced as a whole and must read back exactly as it was saved.
	var st booking.Settings
	if err := json.Unmarshal([]byte(text), &st); err != nil {
		return booking.DefaultSettings(), err
	}
	lastSettings.Store(&decodedSettings{text: text, st: st.Clone()})
	return st, nil
}

// SaveSettings validates and stores new settings (admins) and audits the
// change with the old and new documents.
func (s *Service) SaveSettings(ctx context.Context, p auth.Principal, m auth.Meta, st booking.Settings) error {
	if err := st.Validate(); err != nil {
		return err
	}
	a := staffActor(p, m)
	defer s.settingsChanged()
	return s.update(ctx, func(tx *store.Tx, now time.Time) error {
		old, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		if err := tx.SaveSetting(ctx, booking.SettingsKey, st, p.Username, now); err != nil {
			return err
		}
		return a.audit(ctx, tx, now, "settings.booking_changed", "settings:booking", map[string]any{"old": old, "new": st})
	})
}

// update runs fn in a write transaction with the current time, and runs
// it again when it lost a deadlock or serialisation race. A change this
// instance made shows at once in the residents' availability (answers).
func (s *Service) update(ctx context.Context, fn func(tx *store.Tx, now time.Time) error) error {
	var err error
	for range retries {
		now := s.clock.Now()
		err = s.db.Update(ctx, func(tx *store.Tx) error { return fn(tx, now) })
		if err == nil {
			s.answers.forget()
		}
		if !store.Retryable(err) {
			return err
		}
	}
	return err
}

// actor is who acts: a staff member, a resident on the web ("public") or
// the system's own jobs.
type actor struct {
	id    int64
	name  string
	meta  auth.Meta
	staff bool
}

const (
	publicActorName = "public"
	systemActorName = "system"
)

func staffActor(p auth.Principal, m auth.Meta) actor {
	return actor{id: p.UserID, name: p.Username, meta: m, staff: true}
}

func publicActor(m auth.Meta) actor { return actor{name: publicActorName, meta: m} }

func systemActor() actor { return actor{name: systemActorName} }

// audit appends an audit entry in tx, so it commits with the change.
func (a actor) audit(ctx context.Context, tx *store.Tx, now time.Time, action, target string, detail map[string]any) error {
	_, err := tx.AppendAudit(ctx, audit.Event{ActorID: a.id, Actor: a.name, Action: action, Target: target,
		IP: a.meta.IP, RequestID: a.meta.RequestID, Detail: detail}, now)
	return err
}

func bookingTarget(id int64) string { return "booking:" + strconv.FormatInt(id, 10) }

// Now is the engine's time: pages that say what the rules allow now use
// it, so that what they say is what Book applies.
func (s *Service) Now() time.Time { return s.clock.Now() }
