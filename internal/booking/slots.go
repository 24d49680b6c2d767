package booking

import (
	"fmt"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/calendar"
)

// maxSlotDays bounds the date range of one Slots call, so a request for a
// century of slots is refused rather than computed.
const maxSlotDays = 400

// openDateNote is the note calendar.Rules keeps for a special opening day.
const openDateNote = "臨時開庁"

// Slot is one bookable period at a place. Start and End are in the
// location passed to Slots.
type Slot struct {
	Place string    `json:"place"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// schedule is a place's opening hours, parsed once per call.
type schedule struct {
	place   Place
	weekly  [7][]timeRange // by time.Weekday
	special map[calendar.Date][]timeRange
	rules   calendar.Rules
}

// Slots returns every slot of the place on each open day from from to to,
// both included, in time order. Special opening days (open_dates) open with
// their own hours even on a holiday or a closed weekday; closed_dates,
// national holidays and 12/29-1/3 (unless year_end_open) are closed;
// other days follow the weekday's hours.
func (s Settings) Slots(placeID string, from, to calendar.Date, loc *time.Location) ([]Slot, error) {
	return s.starts(placeID, from, to, loc, 1)
}

// ServiceStarts returns the times a booking of the service can start at
// the place: N consecutive slots (N = the service's slots) inside one
// opening period, never across a break. End is Start + N slots.
func (s Settings) ServiceStarts(serviceID, placeID string, from, to calendar.Date, loc *time.Location) ([]Slot, error) {
	sv, ok := s.Service(serviceID)
	if !ok {
		return nil, apperr.New(apperr.NotFound, "指定されたサービスが見つかりません。")
	}
	if !offers(sv, placeID) {
		return nil, apperr.New(apperr.NotFound, "このサービスはこの窓口では受け付けていません。")
	}
	return s.starts(placeID, from, to, loc, sv.SlotCount())
}

// ClosedReason tells why the place is closed on d ("勤労感謝の日",
// "年末年始の閉庁期間"...), or "" when it is open.
func (s Settings) ClosedReason(placeID string, d calendar.Date) (string, error) {
	sc, err := s.schedule(placeID)
	if err != nil {
		return "", err
	}
	if err := checkDates(d, d); err != nil {
		return "", err
	}
	_, reason := sc.closed(d)
	return reason, nil
}

func offers(sv Service, placeID string) bool {
	for _, id := range sv.Places {
		if id == placeID {
			return true
		}
	}
	return false
}

func (s Settings) starts(placeID string, from, to calendar.Date, loc *time.Location, n int) ([]Slot, error) {
	if loc == nil {
		return nil, fmt.Errorf("booking: nil location")
	}
	sc, err := s.schedule(placeID)
	if err != nil {
		return nil, err
	}
	if err := checkDates(from, to); err != nil {
		return nil, err
	}
	var out []Slot
	for d := from; !d.After(to); d = d.AddDays(1) {
		out = sc.appendStarts(out, d, loc, n)
	}
	return out, nil
}

// checkDates refuses ranges the holiday calendar cannot answer for, since
// an unknown year would silently open every holiday.
func checkDates(from, to calendar.Date) error {
	switch {
	case !from.Valid() || !to.Valid():
		return apperr.New(apperr.Invalid, "日付が正しくありません。")
	case !calendar.Supported(from.Year) || !calendar.Supported(to.Year):
		return apperr.New(apperr.Invalid, "この年の予約枠は表示できません。")
	case to.Time().Sub(from.Time()) > maxSlotDays*24*time.Hour:
		return apperr.New(apperr.Invalid, fmt.Sprintf("一度に表示できるのは %d 日分までです。", maxSlotDays))
	}
	return nil
}

func (s Settings) schedule(placeID string) (schedule, error) {
	p, ok := s.Place(placeID)
	if !ok {
		return schedule{}, apperr.New(apperr.NotFound, "指定された窓口が見つかりません。")
	}
	if p.SlotMinutes <= 0 {
		return schedule{}, fmt.Errorf("booking: place %q: slot_minutes %d", p.ID, p.SlotMinutes)
	}
	sc := schedule{place: p, rules: calendar.Rules{YearEndOpen: s.YearEndOpen}}
	if err := sc.parseWeekly(p.Hours); err != nil {
		return schedule{}, err
	}
	if err := sc.parseClosed(p.ClosedDates); err != nil {
		return schedule{}, err
	}
	return sc, sc.parseSpecial(p.OpenDates)
}

func (sc *schedule) parseWeekly(hours map[string][]string) error {
	for wd, key := range weekdayKeys() {
		r, err := parseRanges(hours[key])
		if err != nil {
			return err
		}
		sc.weekly[wd] = r
	}
	return nil
}

func (sc *schedule) parseClosed(dates []string) error {
	for _, s := range dates {
		d, err := calendar.ParseDate(s)
		if err != nil {
			return err
		}
		sc.rules.ClosedDates = append(sc.rules.ClosedDates, d)
	}
	return nil
}

func (sc *schedule) parseSpecial(open map[string][]string) error {
	sc.special = make(map[calendar.Date][]timeRange, len(open))
	sc.rules.OpenDates = make(map[calendar.Date]string, len(open))
	for key, specs := range open {
		d, err := calendar.ParseDate(key)
		if err != nil {
			return err
		}
		if sc.special[d], err = parseRanges(specs); err != nil {
			return err
		}
		sc.rules.OpenDates[d] = openDateNote
	}
	return nil
}

func (sc schedule) closed(d calendar.Date) (bool, string) {
	return sc.rules.IsClosed(d, len(sc.weekly[d.Weekday()]) > 0)
}

// hoursOn returns the opening periods of d; none when closed.
func (sc schedule) hoursOn(d calendar.Date) []timeRange {
	if closed, _ := sc.closed(d); closed {
		return nil
	}
	if r, ok := sc.special[d]; ok {
		return r
	}
	return sc.weekly[d.Weekday()]
}

// appendStarts adds the starts of n-slot bookings on d. Times are built
// from the wall clock of d in loc, so opening hours mean local time.
func (sc schedule) appendStarts(out []Slot, d calendar.Date, loc *time.Location, n int) []Slot {
	step := sc.place.SlotMinutes
	for _, r := range sc.hoursOn(d) {
		for m := r.start; m+n*step <= r.end; m += step {
			out = append(out, Slot{Place: sc.place.ID, Start: wallClock(d, m, loc), End: wallClock(d, m+n*step, loc)})
		}
	}
	return out
}

func wallClock(d calendar.Date, minutes int, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, minutes, 0, 0, loc)
}

// DayHours returns what the place does on d: its opening ranges
// ("09:00-12:00"), or none and why it is closed, as bookings see it.
func (s Settings) DayHours(placeID string, d calendar.Date) (hours []string, closed string, err error) {
	sc, err := s.schedule(placeID)
	if err != nil {
		return nil, "", err
	}
	if err := checkDates(d, d); err != nil {
		return nil, "", err
	}
	if _, reason := sc.closed(d); reason != "" {
		return nil, reason, nil
	}
	for _, r := range sc.hoursOn(d) {
		hours = append(hours, r.String())
	}
	return hours, "", nil
}
