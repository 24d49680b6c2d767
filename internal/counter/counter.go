// Package counter is the counter day (issue #17): residents check in with
// their booking (at the counter or at a self check-in kiosk) and get a
// numbered ticket; desks call the tickets in order; the waiting room's
// display shows the calls; kiosks and displays are devices with their own
// credential, bound to one place.
package counter

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
)

// Error codes, stable for the API.
const (
	CodeNotToday      = "not_today"      // 409: the booking is for another day
	CodeWrongPlace    = "wrong_place"    // 409: the booking is for another place
	CodeCancelled     = "cancelled"      // 409: the booking was cancelled
	CodeAlreadyIssued = "already_issued" // 409: the cards were handed over already
	CodeTooEarly      = "too_early"      // 409: check-in opens later
	CodeWalkInsOff    = "walk_ins_off"   // 409: the city takes no walk-ins
	CodeQueueEmpty    = "queue_empty"    // 404: nobody waits
	CodeNoTicket      = "no_ticket"      // 404: the desk has no ticket called
)

// Deps are what the service is built from.
type Deps struct {
	DB    *store.DB
	Clock clock.Clock
	// Bookings reads the booking settings: the places and the time zone.
	Bookings func(context.Context) (booking.Settings, error)
	// Key signs the links residents follow their ticket with.
	Key []byte
	// Mailer queues the mail when a resident's turn is near; nil sends
	// none (and the wait page offers none).
	Mailer NearMailer
}

// Service runs check-ins, calls and devices.
type Service struct {
	Deps
	waits waitCache
}

// New returns the service.
func New(d Deps) *Service { return &Service{Deps: d, waits: waitCache{ttl: PublicWaitTTL}} }

// Actor is who acts: a staff member or a device.
type Actor struct {
	ID     int64
	Name   string
	Meta   auth.Meta
	Device int64 // the device's ID when a kiosk or display acts
}

// StaffActor is a staff member acting.
func StaffActor(p auth.Principal, m auth.Meta) Actor {
	return Actor{ID: p.UserID, Name: p.Username, Meta: m}
}

// DeviceActor is a kiosk or display acting.
func DeviceActor(d Device, m auth.Meta) Actor {
	return Actor{Name: "device:" + strconv.FormatInt(d.ID, 10), Meta: m, Device: d.ID}
}

func (a Actor) audit(ctx context.Context, tx *store.Tx, now time.Time, action, target string, detail map[string]any) error {
	_, err := tx.AppendAudit(ctx, audit.Event{ActorID: a.ID, Actor: a.Name, Action: action, Target: target,
		IP: a.Meta.IP, RequestID: a.Meta.RequestID, Detail: detail}, now)
	return err
}

// day is what an action needs to know about the place and today.
type day struct {
	place booking.Place
	date  string // YYYY-MM-DD, today in the city's zone
	loc   *time.Location
}

// today resolves the place and today's date, or not_found for an unknown
// place.
func (s *Service) today(ctx context.Context, place string) (day, error) {
	st, err := s.Bookings(ctx)
	if err != nil {
		return day{}, err
	}
	pl, ok := st.Place(strings.TrimSpace(place))
	if !ok {
		return day{}, apperr.New(apperr.NotFound, "窓口（場所）が見つかりません。")
	}
	loc, err := st.Location()
	if err != nil {
		return day{}, err
	}
	return day{place: pl, date: calendar.DateOf(s.Clock.Now().In(loc)).String(), loc: loc}, nil
}

// Places lists the places tickets can be issued for.
func (s *Service) Places(ctx context.Context) ([]booking.Place, error) {
	st, err := s.Bookings(ctx)
	return st.Places, err
}

// update runs fn in a write transaction, again when it lost a race.
func (s *Service) update(ctx context.Context, fn func(tx *store.Tx, now time.Time) error) error {
	var err error
	for range 3 {
		now := s.Clock.Now()
		err = s.DB.Update(ctx, func(tx *store.Tx) error { return fn(tx, now) })
		if !store.Retryable(err) {
			return err
		}
	}
	return err
}

// Caller is who called a device route: a registered device, or a staff
// member (Device nil).
type Caller struct {
	Actor  Actor
	Device *Device
}

// Place is the place the caller acts for: the device's own, or the one a
// staff member chose.
func (c Caller) Place(chosen string) string {
	if c.Device != nil {
		return c.Device.Place
	}
	return chosen
}

// IsKind reports whether the caller is a staff member or a device of the kind.
func (c Caller) IsKind(kind string) bool { return c.Device == nil || c.Device.Kind == kind }
