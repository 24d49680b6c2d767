package reserve

import (
	"context"
	"time"

	"github.com/kofu-oss/kofu/internal/store"
)

// Mailer queues the mails of booking events. Its methods run inside the
// transaction that makes the change, so a booking and its mails commit
// together, and an error rolls the change back. Package mail implements
// it; this package only calls it.
type Mailer interface {
	// Booked is called when a booking is made (also from a hold).
	Booked(ctx context.Context, tx *store.Tx, b Booking, now time.Time) error
	// Changed is called when a booking's start or people change.
	Changed(ctx context.Context, tx *store.Tx, before, after Booking, now time.Time) error
	// Cancelled is called when a booking is cancelled.
	Cancelled(ctx context.Context, tx *store.Tx, b Booking, now time.Time) error
}

// SetMailer makes the service queue booking mails through m. Without one
// (the default) no mail is queued. Call it before serving requests.
func (s *Service) SetMailer(m Mailer) { s.mailer = m }

func (s *Service) mailChanged(ctx context.Context, tx *store.Tx, before, after Booking, now time.Time) error {
	if s.mailer == nil {
		return nil
	}
	return s.mailer.Changed(ctx, tx, before, after, now)
}

func (s *Service) mailCancelled(ctx context.Context, tx *store.Tx, b Booking, now time.Time) error {
	if s.mailer == nil {
		return nil
	}
	return s.mailer.Cancelled(ctx, tx, b, now)
}
