package reserve

import (
	"context"
	"time"

	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/store"
)

// The entries a seeding tool (the demo city, package demo) books through,
// so that what it makes passes the same checks and capacity as every
// booking. actorName is who the audit log and the card events name.

// SeedBook makes a booking on channel ch for actorName: the request is
// checked as a staff booking's (no contact required, no hold) and counts
// against no limits.
func (s *Service) SeedBook(ctx context.Context, actorName string, ch booking.Channel, req CreateRequest) (Booking, error) {
	in, bad := parseCreate(req, false)
	if err := bad.err(); err != nil {
		return Booking{}, err
	}
	b, _, err := s.create(ctx, actor{name: actorName}, ch, in, false)
	return b, err
}

// SeedSettings saves st as the booking settings for actorName, unless
// settings are saved already.
func (s *Service) SeedSettings(ctx context.Context, actorName string, st booking.Settings) error {
	defer s.settingsChanged()
	return s.update(ctx, func(tx *store.Tx, now time.Time) error {
		var saved booking.Settings
		found, err := tx.LoadSetting(ctx, booking.SettingsKey, &saved)
		if err != nil || found {
			return err
		}
		if err := tx.SaveSetting(ctx, booking.SettingsKey, st, actorName, now); err != nil {
			return err
		}
		return actor{name: actorName}.audit(ctx, tx, now, "settings.booking_changed", "settings:booking", map[string]any{"new": st})
	})
}
