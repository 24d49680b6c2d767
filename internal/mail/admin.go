package mail

import (
	"context"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
)

// Admin is what administrators do with mail: read and save the settings,
// look at the outbox and send a failed message again.
type Admin struct {
	db    *store.DB
	clock clock.Clock
}

// NewAdmin returns the admin service on db.
func NewAdmin(db *store.DB, c clock.Clock) *Admin { return &Admin{db: db, clock: c} }

// Settings returns the settings with the password masked.
func (a *Admin) Settings(ctx context.Context) (Settings, error) {
	var st Settings
	err := a.db.View(ctx, func(tx *store.Tx) (err error) { st, err = LoadSettings(ctx, tx); return err })
	return st.Masked(), err
}

// SaveSettings validates and stores the settings and audits the change
// (passwords masked). A password equal to PasswordMask keeps the stored
// one; an empty password removes it. It returns the settings as they now
// apply: masked, empty templates shown with the default text they use.
func (a *Admin) SaveSettings(ctx context.Context, p auth.Principal, m auth.Meta, st Settings) (Settings, error) {
	err := a.db.Update(ctx, func(tx *store.Tx) error {
		now := a.clock.Now()
		old, err := LoadSettings(ctx, tx)
		if err != nil {
			return err
		}
		if st.Password == PasswordMask {
			st.Password = old.Password
		}
		if err := st.Validate(); err != nil {
			return err
		}
		if err := tx.SaveSetting(ctx, SettingsKey, st, p.Username, now); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "settings.mail_changed",
			Target: "settings:mail", IP: m.IP, RequestID: m.RequestID,
			Detail: map[string]any{"old": old.Masked(), "new": st.Masked(), "password_changed": old.Password != st.Password}}, now)
		return err
	})
	st.Templates = st.Templates.withDefaults()
	return st.Masked(), err
}

// OutboxEntry is an outbox row as admins see it: no body, which holds a
// resident's booking.
type OutboxEntry struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	BookingCode string    `json:"booking_code"`
	To          string    `json:"to"`
	Subject     string    `json:"subject"`
	Status      string    `json:"status"`
	NotBefore   time.Time `json:"not_before"`
	Attempts    int       `json:"attempts"`
	LastError   string    `json:"last_error,omitempty"`
	SentAt      time.Time `json:"sent_at,omitzero"`
	CreatedAt   time.Time `json:"created_at"`
}

// Outbox lists outbox rows, newest first: all, or those of a status
// (failed shows the mails given up on).
func (a *Admin) Outbox(ctx context.Context, status string, limit int) ([]OutboxEntry, error) {
	switch status {
	case "", store.MailPending, store.MailSent, store.MailFailed, store.MailCancelled:
	default:
		return nil, apperr.WithFields("状態の指定が正しくありません。", []apperr.FieldError{{Field: "status",
			Message: "状態は pending・sent・failed・cancelled のいずれかを指定してください。"}})
	}
	var rows []store.MailMessage
	err := a.db.View(ctx, func(tx *store.Tx) (err error) {
		rows, err = tx.ListMail(ctx, store.MailFilter{Status: status, Limit: min(max(limit, 0), 500)})
		return err
	})
	out := make([]OutboxEntry, len(rows))
	for i, m := range rows {
		out[i] = OutboxEntry{ID: m.ID, Kind: m.Kind, BookingCode: m.BookingCode, To: m.To, Subject: m.Subject,
			Status: m.Status, NotBefore: m.NotBefore, Attempts: m.Attempts, LastError: m.LastError, SentAt: m.SentAt, CreatedAt: m.CreatedAt}
	}
	return out, err
}

// Retry makes a failed message due again, with a fresh count of attempts.
func (a *Admin) Retry(ctx context.Context, p auth.Principal, m auth.Meta, id int64) error {
	return a.db.Update(ctx, func(tx *store.Tx) error {
		now := a.clock.Now()
		if err := tx.RetryMail(ctx, id, now); err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return apperr.New(apperr.NotFound, "再送できるメール（送信失敗）が見つかりません。")
			}
			return err
		}
		_, err := tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "mail.retried",
			Target: fmtMailTarget(id), IP: m.IP, RequestID: m.RequestID}, now)
		return err
	})
}

func fmtMailTarget(id int64) string { return "mail:" + strconv.FormatInt(id, 10) }
