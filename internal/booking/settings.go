package booking

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // Validate and the window rules must not depend on the host's zoneinfo

	"github.com/kofu-oss/kofu/internal/apperr"
)

// SettingsKey is where the booking settings live in the settings table.
const SettingsKey = "booking"

// Defaults applied when an optional field is zero.
const (
	defaultHoldMinutes  = 10
	defaultServiceSlots = 1
)

// Settings are the city's booking rules, one JSON document that admins edit.
// See the package documentation for the exact meaning of the window,
// same_day_closing and change_cutoff_days.
type Settings struct {
	Timezone                 string `json:"timezone"`
	MinDaysAhead             int    `json:"min_days_ahead"`
	MaxDaysAhead             int    `json:"max_days_ahead"`
	ChangeCutoffDays         int    `json:"change_cutoff_days"`
	MaxPeoplePerBooking      int    `json:"max_people_per_booking"`
	PublicRateLimitPerMinute int    `json:"public_rate_limit_per_minute"`
	// NoticeAttemptsPerHour bounds public requests naming one notice number
	// (guessing birth dates); 0 means 10.
	NoticeAttemptsPerHour int `json:"notice_attempts_per_hour"`
	// MaxHoldsPerIP bounds the slots one address may hold at once; 0 means 3.
	MaxHoldsPerIP int `json:"max_holds_per_ip"`
	// SameDayClosing is "HH:MM": bookings for a day close at this time on
	// the day min_days_ahead days before it. Empty: at midnight.
	SameDayClosing string `json:"same_day_closing"`
	// HoldMinutes is how long a slot stays held while a resident fills in
	// the form. 0 means 10.
	HoldMinutes int `json:"hold_minutes"`
	// YearEndOpen keeps 12/29-1/3 open (holidays in it stay closed).
	YearEndOpen bool `json:"year_end_open"`
	// ContactPhone is the number residents are told to call when they can
	// no longer act online, e.g. "079-559-5000". Optional.
	ContactPhone string    `json:"contact_phone,omitempty"`
	Places       []Place   `json:"places"`
	Services     []Service `json:"services"`
}

// Place is a counter where cards are handed over.
type Place struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// NameEN is the name in English (the citizen site's English pages,
	// mails and calendar entries); empty: Name.
	NameEN      string `json:"name_en,omitempty"`
	SlotMinutes int    `json:"slot_minutes"`
	// Capacity is the number of seats (people served at once) per slot.
	Capacity int `json:"capacity"`
	// ChannelCapacity optionally reserves seats per channel; see the
	// package documentation. Nil: every channel shares Capacity.
	ChannelCapacity map[Channel]int `json:"channel_capacity,omitempty"`
	// Hours maps "mon".."sun" to "HH:MM-HH:MM" ranges. A missing or empty
	// day is closed.
	Hours map[string][]string `json:"hours"`
	// ClosedDates are "YYYY-MM-DD" days closed on top of holidays. They win
	// over OpenDates.
	ClosedDates []string `json:"closed_dates"`
	// OpenDates are special opening days (臨時開庁) with their own hours;
	// they open holidays, year-end days and days without regular hours.
	OpenDates map[string][]string `json:"open_dates"`
}

// Service is something a resident books a slot for.
type Service struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// NameEN is the name in English; empty: Name.
	NameEN string `json:"name_en,omitempty"`
	// RequiresCard: the booking is matched with a card in stock (pickup),
	// rather than identified by name and birth date only (renewal).
	RequiresCard bool     `json:"requires_card"`
	Places       []string `json:"places"`
	// Slots is how many consecutive slots one booking takes. 0 means 1.
	Slots int `json:"slots,omitempty"`
	// ItemsToBring is the checklist shown in the confirmation.
	ItemsToBring []string `json:"items_to_bring,omitempty"`
}

// DefaultSettings are the rules before an admin changes anything: one place
// open on weekdays 09:00-12:00 and 13:00-16:30 (Fridays until 19:00).
func DefaultSettings() Settings {
	return Settings{
		Timezone:                 "Asia/Tokyo",
		MinDaysAhead:             1,
		MaxDaysAhead:             60,
		ChangeCutoffDays:         2,
		MaxPeoplePerBooking:      5,
		PublicRateLimitPerMinute: 30,
		SameDayClosing:           "17:00",
		HoldMinutes:              defaultHoldMinutes,
		Places:                   []Place{defaultPlace()},
		Services:                 defaultServices(),
	}
}

func defaultPlace() Place {
	day := []string{"09:00-12:00", "13:00-16:30"}
	return Place{
		ID:          "main",
		Name:        "市役所本庁 市民課",
		SlotMinutes: 30,
		Capacity:    2,
		Hours: map[string][]string{
			"mon": day, "tue": day, "wed": day, "thu": day,
			"fri": {"09:00-12:00", "13:00-19:00"},
			"sat": {}, "sun": {},
		},
		ClosedDates: []string{"2026-12-29"},
		OpenDates:   map[string][]string{"2026-12-13": {"09:00-12:00"}},
	}
}

func defaultServices() []Service {
	return []Service{
		{
			ID: "pickup", Name: "マイナンバーカードの受け取り", RequiresCard: true,
			Places: []string{"main"}, Slots: 1,
			ItemsToBring: []string{
				"交付通知書（はがき）",
				"本人確認書類（運転免許証、パスポートなど）",
				"通知カード（お持ちの方）",
				"住民基本台帳カード（お持ちの方）",
			},
		},
		{
			ID: "cert_renewal", Name: "電子証明書の更新", RequiresCard: false,
			Places: []string{"main"}, Slots: 1,
			ItemsToBring: []string{"マイナンバーカード", "有効期限通知書（お持ちの方）"},
		},
	}
}

// ParseSettings reads the JSON document strictly (unknown fields are
// refused, so a misspelt key never silently falls back to a default) and
// validates it.
func ParseSettings(data []byte) (Settings, error) {
	var s Settings
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Settings{}, decodeError(err)
	}
	if dec.More() {
		return Settings{}, apperr.New(apperr.Invalid, "設定の JSON の後ろに余分な内容があります。")
	}
	return s, s.Validate()
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		msg := fmt.Sprintf("値の型が正しくありません（%s は使えません）。", typeErr.Value)
		e := apperr.WithFields("設定の JSON を読み取れません。", []apperr.FieldError{{Field: typeErr.Field, Message: msg}})
		e.Err = err
		return e
	}
	return apperr.Wrap(apperr.Invalid, "設定の JSON を読み取れません。形式を確認してください。", err)
}

// Location returns the settings' time zone.
func (s Settings) Location() (*time.Location, error) {
	if s.Timezone == "" || s.Timezone == "Local" {
		// "" would mean UTC and "Local" the host's zone: neither is a city's.
		return nil, fmt.Errorf("booking: timezone %q is not a zone name", s.Timezone)
	}
	if loc, ok := zones.Load(s.Timezone); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil {
		return nil, fmt.Errorf("booking: timezone: %w", err)
	}
	zones.Store(s.Timezone, loc)
	return loc, nil
}

// zones keeps the zones loaded by name: time.LoadLocation reads and parses
// the zone data on every call, a tenth of a booking's time (issue #8). A
// *time.Location is immutable and safe for concurrent use.
var zones sync.Map

// NoticeAttempts is the per-notice-number limit per hour.
func (s Settings) NoticeAttempts() int { return cmp.Or(s.NoticeAttemptsPerHour, 10) }

// MaxHolds is how many live holds one client address may have.
func (s Settings) MaxHolds() int { return cmp.Or(s.MaxHoldsPerIP, 3) }

// Hold returns how long a slot is held while the form is filled in.
func (s Settings) Hold() time.Duration {
	if s.HoldMinutes == 0 {
		return defaultHoldMinutes * time.Minute
	}
	return time.Duration(s.HoldMinutes) * time.Minute
}

// Place returns the place with the id.
func (s Settings) Place(id string) (Place, bool) {
	for _, p := range s.Places {
		if p.ID == id {
			return p, true
		}
	}
	return Place{}, false
}

// Service returns the service with the id.
func (s Settings) Service(id string) (Service, bool) {
	for _, sv := range s.Services {
		if sv.ID == id {
			return sv, true
		}
	}
	return Service{}, false
}

// NameIn is the place's name in lang ("ja" or "en").
func (p Place) NameIn(lang string) string { return nameIn(p.Name, p.NameEN, lang) }

// NameIn is the service's name in lang ("ja" or "en").
func (sv Service) NameIn(lang string) string { return nameIn(sv.Name, sv.NameEN, lang) }

func nameIn(ja, en, lang string) string {
	if lang == "en" && en != "" {
		return en
	}
	return ja
}

// SlotDuration is the length of one slot.
func (p Place) SlotDuration() time.Duration { return time.Duration(p.SlotMinutes) * time.Minute }

// SlotCount is how many consecutive slots one booking of the service takes.
func (sv Service) SlotCount() int {
	if sv.Slots == 0 {
		return defaultServiceSlots
	}
	return sv.Slots
}
