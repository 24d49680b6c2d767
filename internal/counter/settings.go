package counter

import (
	"context"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/store"
)

const settingsKey = "counter"

// Settings are the city's choices for the counter day.
type Settings struct {
	// EarlyMinutes is how long before the booked time check-in opens;
	// 0 allows it all day.
	EarlyMinutes int `json:"early_minutes"`
	// WalkIns lets residents without a booking take a ticket.
	WalkIns bool `json:"walk_ins"`
	// MinutesPerTicket is the service time assumed per ticket for the
	// wait shown to residents, until the day has its own figures.
	MinutesPerTicket int `json:"minutes_per_ticket"`
	// NearMailAhead offers residents who booked with an e-mail address
	// one mail when this many (or fewer) are ahead of them; 0 is off.
	NearMailAhead int `json:"near_mail_ahead"`
	// PublicWait shows today's wait per place on the citizen top page.
	PublicWait bool `json:"public_wait"`
}

// DefaultSettings are the settings before an admin changes them.
func DefaultSettings() Settings {
	return Settings{EarlyMinutes: 60, MinutesPerTicket: 10}
}

// Validate checks the ranges.
func (st Settings) Validate() error {
	var f []apperr.FieldError
	if st.EarlyMinutes < 0 || st.EarlyMinutes > 24*60 {
		f = append(f, apperr.FieldError{Field: "early_minutes", Message: "0〜1440 分で指定してください。"})
	}
	if st.MinutesPerTicket < 1 || st.MinutesPerTicket > 240 {
		f = append(f, apperr.FieldError{Field: "minutes_per_ticket", Message: "1〜240 分で指定してください。"})
	}
	if st.NearMailAhead < 0 || st.NearMailAhead > 50 {
		f = append(f, apperr.FieldError{Field: "near_mail_ahead", Message: "0〜50 人で指定してください（0 はお知らせしない）。"})
	}
	if f != nil {
		return apperr.WithFields("入力内容を確認してください。", f)
	}
	return nil
}

func loadSettings(ctx context.Context, tx *store.Tx) (Settings, error) {
	st := DefaultSettings()
	_, err := tx.LoadSetting(ctx, settingsKey, &st)
	return st, err
}

// Settings returns the settings.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	var st Settings
	err := s.DB.View(ctx, func(tx *store.Tx) (err error) { st, err = loadSettings(ctx, tx); return })
	return st, err
}

// SaveSettings stores the settings (admins), audited.
func (s *Service) SaveSettings(ctx context.Context, a Actor, st Settings) error {
	if err := st.Validate(); err != nil {
		return err
	}
	defer s.waits.forget() // this instance shows the change at once, others within PublicWaitTTL
	return s.update(ctx, func(tx *store.Tx, now time.Time) error {
		if err := tx.SaveSetting(ctx, settingsKey, st, a.Name, now); err != nil {
			return err
		}
		return a.audit(ctx, tx, now, "counter.settings_changed", "settings:counter",
			map[string]any{"early_minutes": st.EarlyMinutes, "walk_ins": st.WalkIns, "minutes_per_ticket": st.MinutesPerTicket,
				"near_mail_ahead": st.NearMailAhead, "public_wait": st.PublicWait})
	})
}
