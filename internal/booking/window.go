package booking

import (
	"fmt"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/calendar"
)

// Error codes of this package, stable for the API.
var (
	CodeOutsideWindow      = apperr.Define("outside_booking_window", apperr.KindInvalid)
	CodeChangeCutoffPassed = apperr.Define("change_cutoff_passed", apperr.KindInvalid)
	CodeTooManyPeople      = apperr.Define("too_many_people", apperr.KindInvalid)
	CodeSlotFull           = apperr.Define("slot_full", apperr.KindConflict)      // no seats left
	CodeAlreadyBooked      = apperr.Define("already_booked", apperr.KindConflict) // the card or person has an active booking
)

// parseClosing reads same_day_closing; ok with no closing when empty.
func parseClosing(s string) (minutes int, ok bool) {
	if s == "" {
		return minutesPerDay, true
	}
	m, ok := parseClock(s)
	return m, ok && m < minutesPerDay
}

// Window returns the first and last dates that can be booked at now, in
// the settings' time zone. first may be after last (nothing bookable). A
// slot on first still has to start after now.
func (s Settings) Window(now time.Time) (first, last calendar.Date, err error) {
	loc, err := s.Location()
	if err != nil {
		return first, last, err
	}
	closing, ok := parseClosing(s.SameDayClosing)
	if !ok {
		return first, last, fmt.Errorf("booking: same_day_closing %q", s.SameDayClosing)
	}
	local := now.In(loc)
	today := calendar.DateOf(local)
	first = today.AddDays(s.MinDaysAhead)
	if minuteOfDay(local) >= closing {
		first = first.AddDays(1) // today's closing time for first has passed
	}
	return first, today.AddDays(s.MaxDaysAhead), nil
}

// Bookable tells whether a slot starting at start can be booked at now.
// It checks the window only; the caller checks that start is one of the
// ServiceStarts and that seats remain.
func (s Settings) Bookable(start, now time.Time) error {
	first, last, err := s.Window(now)
	if err != nil {
		return err
	}
	loc, _ := s.Location() // Window succeeded, so this does
	day := calendar.DateOf(start.In(loc))
	switch {
	case !start.After(now):
		return apperr.New(CodeOutsideWindow, "この時間はすでに過ぎています。別の日時を選んでください。")
	case day.Before(first):
		return apperr.New(CodeOutsideWindow, s.tooSoonMessage(first))
	case day.After(last):
		return apperr.New(CodeOutsideWindow, fmt.Sprintf(
			"予約の受付は %d 日先の%sまでです。それまでの日時を選んでください。", s.MaxDaysAhead, japaneseDate(last)))
	}
	return nil
}

func (s Settings) tooSoonMessage(first calendar.Date) string {
	rule := ""
	switch days := daysBeforeLabel(s.MinDaysAhead); {
	case s.SameDayClosing != "":
		rule = fmt.Sprintf("予約の受付は利用日の%sの %s までです。", days, s.SameDayClosing)
	case s.MinDaysAhead > 0:
		rule = fmt.Sprintf("予約の受付は利用日の%sまでです。", days)
	}
	return fmt.Sprintf("%s%s以降の日時を選んでください。", rule, japaneseDate(first))
}

func daysBeforeLabel(n int) string {
	switch n {
	case 0:
		return "当日"
	case 1:
		return "前日"
	}
	return fmt.Sprintf(" %d 日前", n)
}

// ChangeDeadline returns the last day on which a booking starting at start
// can be changed or cancelled online: change_cutoff_days + 1 days before
// its date, in the settings' time zone. Changes close at the end of it.
func (s Settings) ChangeDeadline(start time.Time) (calendar.Date, error) {
	loc, err := s.Location()
	if err != nil {
		return calendar.Date{}, err
	}
	return calendar.DateOf(start.In(loc)).AddDays(-(s.ChangeCutoffDays + 1)), nil
}

// ChangeClosesAt returns the instant online changes and cancellations of
// a booking starting at start close: the end of its ChangeDeadline day
// (midnight after it), in the settings' time zone. Changeable applies it,
// and pages say it, so that both agree.
func (s Settings) ChangeClosesAt(start time.Time) (time.Time, error) {
	deadline, err := s.ChangeDeadline(start)
	if err != nil {
		return time.Time{}, err
	}
	loc, _ := s.Location() // ChangeDeadline succeeded, so this does
	return deadline.AddDays(1).In(loc), nil
}

// Changeable tells whether a booking starting at start can still be
// changed or cancelled online at now.
func (s Settings) Changeable(start, now time.Time) error {
	deadline, err := s.ChangeDeadline(start)
	if err != nil {
		return err
	}
	closes, _ := s.ChangeClosesAt(start)
	if !now.Before(closes) {
		return apperr.New(CodeChangeCutoffPassed, s.cutoffMessage(deadline))
	}
	return nil
}

func (s Settings) cutoffMessage(deadline calendar.Date) string {
	call := "お手数ですが、お電話でご連絡ください。"
	if s.ContactPhone != "" {
		call = fmt.Sprintf("お手数ですが、お電話（%s）でご連絡ください。", s.ContactPhone)
	}
	return fmt.Sprintf("インターネットでの予約の変更・取り消しは%sまでです。%s", japaneseDate(deadline), call)
}

// CheckPeople checks the number of people in one booking.
func (s Settings) CheckPeople(n int) error {
	switch {
	case n < 1:
		return apperr.New(apperr.Invalid, "人数を 1 人以上で入力してください。")
	case n <= s.MaxPeoplePerBooking:
		return nil
	}
	return apperr.New(CodeTooManyPeople, fmt.Sprintf("1 回の予約でお申し込みできるのは %d 人までです。", s.MaxPeoplePerBooking))
}

// japaneseDate formats "12月7日（月）".
func japaneseDate(d calendar.Date) string {
	const days = "日月火水木金土"
	wd := []rune(days)[d.Weekday()]
	return fmt.Sprintf("%d月%d日（%c）", int(d.Month), d.Day, wd)
}

// ChangeRule says in words until when residents can change or cancel a
// booking online, with an example a week after today. Both are worked out
// by ChangeDeadline itself, so the settings page cannot say one thing
// while residents meet another.
func (s Settings) ChangeRule(now time.Time) (string, error) {
	loc, err := s.Location()
	if err != nil {
		return "", err
	}
	day := calendar.DateOf(now.In(loc)).AddDays(7)
	deadline, err := s.ChangeDeadline(day.In(loc).Add(12 * time.Hour))
	if err != nil {
		return "", err
	}
	before := int(day.Time().Sub(deadline.Time()).Hours() / 24)
	return fmt.Sprintf("予約日の %d 日前まで（例: %sの予約は%sまで。その後は電話）",
		before, japaneseDate(day), japaneseDate(deadline)), nil
}
