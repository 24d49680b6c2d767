package api

import (
	"time"

	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
)

// availabilityJSON is the answer of the availability endpoints.
type availabilityJSON struct {
	Slots []slotJSON `json:"slots"`
}

type slotJSON struct {
	Start     string `json:"start"`
	End       string `json:"end"`
	Remaining int    `json:"remaining"`
}

func availabilityJSONOf(av reserve.Availability) availabilityJSON {
	out := availabilityJSON{Slots: make([]slotJSON, len(av.Slots))}
	for i, s := range av.Slots {
		out.Slots[i] = slotJSON{Start: rfc3339(s.Start, av.Location), End: rfc3339(s.End, av.Location), Remaining: s.Remaining}
	}
	return out
}

type holdJSON struct {
	Token     string `json:"token"`
	Service   string `json:"service"`
	Place     string `json:"place"`
	Start     string `json:"start"`
	End       string `json:"end"`
	People    int    `json:"people"`
	ExpiresAt string `json:"expires_at"`
}

func holdJSONOf(h reserve.Hold) holdJSON {
	return holdJSON{Token: h.Token, Service: h.Service, Place: h.Place, Start: rfc3339(h.Start, h.Location),
		End: rfc3339(h.End, h.Location), People: h.People, ExpiresAt: rfc3339(h.ExpiresAt, h.Location)}
}

// publicBookingJSON is what a resident sees of a booking: what they typed
// and what they need to know, never the ledger's data (names of card
// holders, storage places).
type publicBookingJSON struct {
	Code           string             `json:"code"`
	Status         string             `json:"status"`
	StatusLabel    string             `json:"status_label"`
	Service        string             `json:"service"`
	ServiceName    string             `json:"service_name"`
	Place          string             `json:"place"`
	PlaceName      string             `json:"place_name"`
	Start          string             `json:"start"`
	End            string             `json:"end"`
	People         []publicPersonJSON `json:"people"`
	ItemsToBring   []string           `json:"items_to_bring"`
	ChangeDeadline string             `json:"change_deadline"`
	Changeable     bool               `json:"changeable"`
	Email          string             `json:"email,omitempty"`
	Phone          string             `json:"phone,omitempty"`
}

type publicPersonJSON struct {
	NoticeNumber string `json:"notice_number,omitempty"`
	Name         string `json:"name,omitempty"`
	NameKana     string `json:"name_kana,omitempty"`
	Status       string `json:"status"`
}

func publicJSON(b reserve.Booking) publicBookingJSON {
	out := publicBookingJSON{Code: reserve.FormatCode(b.Code), Status: b.Status, StatusLabel: reserve.StatusLabel(b.Status),
		Service: b.Service, ServiceName: b.ServiceName, Place: b.Place, PlaceName: b.PlaceName,
		Start: rfc3339(b.Start, b.Location), End: rfc3339(b.End, b.Location), People: []publicPersonJSON{},
		ItemsToBring: nonNil(b.ItemsToBring), ChangeDeadline: b.ChangeDeadline.String(), Changeable: b.Changeable,
		Email: b.Email, Phone: b.Phone}
	for _, p := range b.People {
		// People taken out by a change are no longer part of the booking.
		if p.Status == store.PersonCancelled && b.Status != store.BookingCancelled {
			continue
		}
		out.People = append(out.People, publicPersonJSON{NoticeNumber: p.NoticeNumber, Name: p.Name, NameKana: p.NameKana, Status: p.Status})
	}
	return out
}

// staffBookingJSON is the counter's view of a booking.
type staffBookingJSON struct {
	ID             int64             `json:"id"`
	Code           string            `json:"code"`
	Status         string            `json:"status"`
	StatusLabel    string            `json:"status_label"`
	Service        string            `json:"service"`
	ServiceName    string            `json:"service_name"`
	Place          string            `json:"place"`
	PlaceName      string            `json:"place_name"`
	Date           string            `json:"date"`
	Start          string            `json:"start"`
	End            string            `json:"end"`
	Channel        string            `json:"channel"`
	Seats          int               `json:"seats"`
	Email          string            `json:"email"`
	Phone          string            `json:"phone"`
	CheckedInAt    *string           `json:"checked_in_at"`
	ChangeDeadline string            `json:"change_deadline"`
	Changeable     bool              `json:"changeable"`
	CreatedAt      string            `json:"created_at"`
	CreatedBy      string            `json:"created_by"`
	UpdatedAt      string            `json:"updated_at"`
	Version        int               `json:"version"`
	People         []staffPersonJSON `json:"people"`
}

type staffPersonJSON struct {
	ID              int64           `json:"id"`
	Seq             int             `json:"seq"`
	Status          string          `json:"status"`
	StatusLabel     string          `json:"status_label"`
	CardID          *int64          `json:"card_id"`
	NoticeNumber    *string         `json:"notice_number"`
	Name            string          `json:"name"`
	NameKana        string          `json:"name_kana"`
	BirthDate       string          `json:"birth_date"`
	Card            *personCardJSON `json:"card"`
	Attendance      *string         `json:"attendance"`
	AttendanceLabel *string         `json:"attendance_label"`
	Comes           *string         `json:"comes"` // who the booking said would come
	DocumentsSeen   []string        `json:"documents_seen"`
	ItemsReturned   []string        `json:"items_returned"`
	Note            string          `json:"note"`
	DoneAt          *string         `json:"done_at"`
	DoneBy          string          `json:"done_by"`
}

// personCardJSON is where the booked card is and how often its owner did
// not come.
type personCardJSON struct {
	Status          string `json:"status"`
	StatusLabel     string `json:"status_label"`
	Box             string `json:"box"`
	StorageLocation string `json:"storage_location"`
	NoShows         int    `json:"no_shows"`
	OldCards        int    `json:"old_cards"`
}

func staffJSON(b reserve.Booking) staffBookingJSON {
	out := staffBookingJSON{ID: b.ID, Code: reserve.FormatCode(b.Code), Status: b.Status, StatusLabel: reserve.StatusLabel(b.Status),
		Service: b.Service, ServiceName: b.ServiceName, Place: b.Place, PlaceName: b.PlaceName, Date: b.Date,
		Start: rfc3339(b.Start, b.Location), End: rfc3339(b.End, b.Location), Channel: b.Channel, Seats: b.Seats,
		Email: b.Email, Phone: b.Phone, CheckedInAt: optionalTime(b.CheckedInAt, b.Location),
		ChangeDeadline: b.ChangeDeadline.String(), Changeable: b.Changeable, CreatedAt: rfc3339(b.CreatedAt, b.Location),
		CreatedBy: b.CreatedBy, UpdatedAt: rfc3339(b.UpdatedAt, b.Location), Version: b.Version, People: []staffPersonJSON{}}
	for _, p := range b.People {
		out.People = append(out.People, staffPersonJSONOf(p, b.Location))
	}
	return out
}

func staffPersonJSONOf(p store.BookingPerson, loc *time.Location) staffPersonJSON {
	out := staffPersonJSON{ID: p.ID, Seq: p.Seq, Status: p.Status, StatusLabel: reserve.PersonStatusLabel(p.Status),
		NoticeNumber: optional(p.NoticeNumber), Name: p.Name, NameKana: p.NameKana, BirthDate: p.BirthDate,
		Attendance: optional(p.Attendance), Comes: optional(p.Comes), DocumentsSeen: nonNil(p.Documents), ItemsReturned: nonNil(p.ItemsReturned),
		Note: p.Note, DoneAt: optionalTime(p.DoneAt, loc), DoneBy: p.DoneBy}
	if p.Attendance != "" {
		out.AttendanceLabel = optional(reserve.Attendance(p.Attendance).Label())
	}
	if c := p.Card; c != nil {
		id := p.CardID
		out.CardID, out.Name, out.NameKana, out.BirthDate = &id, c.Name, c.NameKana, c.BirthDate
		out.Card = &personCardJSON{Status: string(c.Status), StatusLabel: c.Status.Label(), Box: c.Box,
			StorageLocation: c.StorageLocation, NoShows: c.NoShows, OldCards: c.OldCards}
	}
	return out
}

func rfc3339(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(time.RFC3339)
}

func optionalTime(t time.Time, loc *time.Location) *string {
	if t.IsZero() {
		return nil
	}
	s := rfc3339(t, loc)
	return &s
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
