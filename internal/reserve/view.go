package reserve

import (
	"time"

	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/store"
)

// Booking is a booking as the service answers it: the stored booking with
// what the settings say about it, in the city's time zone.
type Booking struct {
	store.Booking
	ServiceName  string
	PlaceName    string
	ItemsToBring []string
	// ChangeDeadline is the last day the booking can be changed or
	// cancelled online; Changeable tells whether that is still possible.
	ChangeDeadline calendar.Date
	// ChangeClosesAt is the instant online changes close (the end of
	// ChangeDeadline): what Changeable applies.
	ChangeClosesAt time.Time
	Changeable     bool
	Location       *time.Location
}

// view dresses b with the settings. A service or place removed from the
// settings since is shown by its ID.
func view(st booking.Settings, b store.Booking, now time.Time) Booking {
	v := Booking{Booking: b, ServiceName: b.Service, PlaceName: b.Place, Location: time.UTC}
	if svc, ok := st.Service(b.Service); ok {
		v.ServiceName, v.ItemsToBring = svc.Name, svc.ItemsToBring
	}
	if pl, ok := st.Place(b.Place); ok {
		v.PlaceName = pl.Name
	}
	if loc, err := st.Location(); err == nil {
		v.Location = loc
	}
	if d, err := st.ChangeDeadline(b.Start); err == nil {
		v.ChangeDeadline = d
		v.ChangeClosesAt, _ = st.ChangeClosesAt(b.Start)
	}
	v.Changeable = b.Status == store.BookingBooked && st.Changeable(b.Start, now) == nil
	return v
}

// Hold is a hold as the service answers it; Token is shown once.
type Hold struct {
	Token     string
	Service   string
	Place     string
	Start     time.Time
	End       time.Time
	People    int
	ExpiresAt time.Time
	Location  *time.Location
}
