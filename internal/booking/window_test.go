package booking

import (
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
)

func TestBookableWindow(t *testing.T) {
	// Defaults: min_days_ahead 1, max_days_ahead 60, same_day_closing 17:00.
	noClosing := DefaultSettings()
	noClosing.SameDayClosing = ""
	sameDay := DefaultSettings()
	sameDay.MinDaysAhead = 0
	sameDayAnyTime := sameDay
	sameDayAnyTime.SameDayClosing = ""
	threeDays := DefaultSettings()
	threeDays.MinDaysAhead = 3
	tests := []struct {
		name     string
		settings Settings
		now      string // UTC
		slot     string // JST
		want     string // error code; "" when bookable
		msg      string // part of the message
	}{
		// The day before, around same_day_closing (17:00 JST = 08:00 UTC).
		{"day before, 16:59:59", DefaultSettings(), "2026-12-09 07:59:59", "2026-12-10 09:00:00", "", ""},
		{"day before, 17:00", DefaultSettings(), "2026-12-09 08:00:00", "2026-12-10 09:00:00",
			CodeOutsideWindow.String(), "予約の受付は利用日の前日の 17:00 までです。12月11日（金）以降の日時を選んでください"},
		{"two days ahead after the closing", DefaultSettings(), "2026-12-09 08:00:00", "2026-12-11 09:00:00", "", ""},
		// Midnight in Tokyo is 15:00 UTC the day before.
		{"no closing: 23:59:59 the day before", noClosing, "2026-12-09 14:59:59", "2026-12-10 09:00:00", "", ""},
		{"no closing: midnight starts the day itself", noClosing, "2026-12-09 15:00:00", "2026-12-10 09:00:00",
			CodeOutsideWindow.String(), "前日までです"},
		{"Tokyo date is already the next day in UTC terms", DefaultSettings(), "2026-12-09 16:00:00", "2026-12-10 16:00:00",
			CodeOutsideWindow.String(), "12月11日（金）以降"},
		{"same day is refused with min 1", DefaultSettings(), "2026-12-10 00:00:00", "2026-12-10 16:00:00",
			CodeOutsideWindow.String(), ""},
		{"min 3: exactly three days", threeDays, "2026-12-07 01:00:00", "2026-12-10 09:00:00", "", ""},
		{"min 3: two days", threeDays, "2026-12-07 01:00:00", "2026-12-09 16:00:00", CodeOutsideWindow.String(), "3 日前の 17:00"},
		// max_days_ahead 60: from Dec 9 (JST) the last day is Feb 7.
		{"last day of the window", DefaultSettings(), "2026-12-09 01:00:00", "2027-02-07 16:00:00", "", ""},
		{"day after the window", DefaultSettings(), "2026-12-09 01:00:00", "2027-02-08 09:00:00",
			CodeOutsideWindow.String(), "予約の受付は 60 日先の2月7日（日）までです"},
		{"window end at 23:59:59", DefaultSettings(), "2026-12-09 14:59:59", "2027-02-08 09:00:00", CodeOutsideWindow.String(), ""},
		{"window moves at midnight JST", DefaultSettings(), "2026-12-09 15:00:00", "2027-02-08 09:00:00", "", ""},
		// Same-day booking.
		{"same day, slot later today", sameDay, "2026-12-10 01:15:00", "2026-12-10 10:30:00", "", ""},
		{"same day, slot already started", sameDay, "2026-12-10 01:15:00", "2026-12-10 10:00:00",
			CodeOutsideWindow.String(), "すでに過ぎています"},
		{"same day, slot starting now", sameDay, "2026-12-10 01:00:00", "2026-12-10 10:00:00", CodeOutsideWindow.String(), "過ぎて"},
		{"same day, Friday evening after closing", sameDay, "2026-12-11 08:00:00", "2026-12-11 18:00:00",
			CodeOutsideWindow.String(), "当日の 17:00 まで"},
		{"same day, Friday evening without closing", sameDayAnyTime, "2026-12-11 08:00:00", "2026-12-11 18:00:00", "", ""},
		{"slot in the past", DefaultSettings(), "2026-12-10 01:00:00", "2026-12-01 09:00:00", CodeOutsideWindow.String(), "過ぎて"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.settings.Bookable(mustJST(t, tt.slot), mustUTC(t, tt.now))
			checkCoded(t, err, tt.want, tt.msg)
		})
	}
}

func TestWindow(t *testing.T) {
	tests := []struct {
		now, first, last string
	}{
		{"2026-12-09 07:59:59", "2026-12-10", "2027-02-07"}, // 16:59:59 JST
		{"2026-12-09 08:00:00", "2026-12-11", "2027-02-07"}, // 17:00 JST
		{"2026-12-09 15:00:00", "2026-12-11", "2027-02-08"}, // 00:00 JST on 12/10
	}
	for _, tt := range tests {
		first, last, err := DefaultSettings().Window(mustUTC(t, tt.now))
		if err != nil || first.String() != tt.first || last.String() != tt.last {
			t.Errorf("Window(%s UTC) = %s, %s, %v; want %s, %s", tt.now, first, last, err, tt.first, tt.last)
		}
	}
}

func TestChangeable(t *testing.T) {
	// A booking on Thursday 10 December 09:00 JST.
	const slot = "2026-12-10 09:00:00"
	withPhone := DefaultSettings()
	withPhone.ContactPhone = "079-559-5000"
	zero := DefaultSettings()
	zero.ChangeCutoffDays = 0
	week := DefaultSettings()
	week.ChangeCutoffDays = 7
	tests := []struct {
		name     string
		settings Settings
		now      string // UTC
		want     string
		msg      string
	}{
		{"cut-off 2: end of 12/7", DefaultSettings(), "2026-12-07 14:59:59", "", ""},
		{"cut-off 2: start of 12/8", DefaultSettings(), "2026-12-07 15:00:00", CodeChangeCutoffPassed.String(),
			"インターネットでの予約の変更・取り消しは12月7日（月）までです。お手数ですが、お電話でご連絡ください。"},
		{"cut-off 2: a week before", DefaultSettings(), "2026-12-03 03:00:00", "", ""},
		{"cut-off 2: on the day", DefaultSettings(), "2026-12-10 00:00:00", CodeChangeCutoffPassed.String(), ""},
		{"cut-off 2: after the booking", DefaultSettings(), "2026-12-11 00:00:00", CodeChangeCutoffPassed.String(), ""},
		{"message gives the phone number", withPhone, "2026-12-08 03:00:00", CodeChangeCutoffPassed.String(), "お電話（079-559-5000）"},
		{"cut-off 0: end of the day before", zero, "2026-12-09 14:59:59", "", ""},
		{"cut-off 0: on the day", zero, "2026-12-09 15:00:00", CodeChangeCutoffPassed.String(), "12月9日（水）"},
		{"cut-off 7: end of 12/2", week, "2026-12-02 14:59:59", "", ""},
		{"cut-off 7: start of 12/3", week, "2026-12-02 15:00:00", CodeChangeCutoffPassed.String(), "12月2日（水）"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.settings.Changeable(mustJST(t, slot), mustUTC(t, tt.now))
			checkCoded(t, err, tt.want, tt.msg)
		})
	}
}

func TestChangeDeadlineUsesTheTokyoDate(t *testing.T) {
	// 00:30 JST on 12/10 is still 12/9 in UTC; the booking is on 12/10.
	start := mustUTC(t, "2026-12-09 15:30:00")
	got, err := DefaultSettings().ChangeDeadline(start)
	if err != nil || got.String() != "2026-12-07" {
		t.Errorf("ChangeDeadline = %s, %v; want 2026-12-07", got, err)
	}
}

func TestWindowRulesNeedAValidTimezone(t *testing.T) {
	s := DefaultSettings()
	s.Timezone = "Nowhere/City"
	now := mustUTC(t, "2026-12-01 00:00:00")
	if err := s.Bookable(now.AddDate(0, 0, 5), now); apperr.CodeOf(err) != apperr.Internal {
		t.Errorf("Bookable = %v, want an internal error", err)
	}
	if err := s.Changeable(now.AddDate(0, 0, 5), now); apperr.CodeOf(err) != apperr.Internal {
		t.Errorf("Changeable = %v, want an internal error", err)
	}
}

func TestCheckPeople(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, apperr.Invalid.String()},
		{1, ""},
		{5, ""},
		{6, CodeTooManyPeople.String()},
	}
	for _, tt := range tests {
		checkCoded(t, DefaultSettings().CheckPeople(tt.n), tt.want, "")
	}
}

func checkCoded(tb testing.TB, err error, code, msg string) {
	tb.Helper()
	if code == "" {
		if err != nil {
			tb.Errorf("err = %v, want nil", err)
		}
		return
	}
	if apperr.CodeOf(err).String() != code {
		tb.Fatalf("err = %v, want code %s", err, code)
	}
	if !strings.Contains(apperr.MessageOf(err), msg) {
		tb.Errorf("message %q does not contain %q", apperr.MessageOf(err), msg)
	}
}

// TestChangeRuleAgreesWithChangeable: the words on the settings page name
// the last day Changeable accepts (see TestChangeable: cut-off 2 for a
// booking on 12/10 ends with 12/7).
func TestChangeRuleAgreesWithChangeable(t *testing.T) {
	now := mustUTC(t, "2026-12-03 03:00:00") // Thursday 12/3 in Tokyo
	zero := DefaultSettings()
	zero.ChangeCutoffDays = 0
	for _, tt := range []struct {
		s    Settings
		want string
	}{
		{DefaultSettings(), "予約日の 3 日前まで（例: 12月10日（木）の予約は12月7日（月）まで。その後は電話）"},
		{zero, "予約日の 1 日前まで（例: 12月10日（木）の予約は12月9日（水）まで。その後は電話）"},
	} {
		if got, err := tt.s.ChangeRule(now); err != nil || got != tt.want {
			t.Errorf("cut-off %d: %q, %v; want %q", tt.s.ChangeCutoffDays, got, err, tt.want)
		}
	}
}

// ChangeClosesAt is the instant Changeable applies: a nanosecond before it
// the booking can be changed, at it not (issue #21: pages say this instant).
func TestChangeClosesAtIsWhatChangeableApplies(t *testing.T) {
	s := DefaultSettings() // change_cutoff_days 2
	start := mustJST(t, "2026-12-10 09:00:00")
	closes, err := s.ChangeClosesAt(start)
	if err != nil {
		t.Fatal(err)
	}
	if want := mustJST(t, "2026-12-08 00:00:00"); !closes.Equal(want) {
		t.Fatalf("closes at %v, want %v (the end of 12/7)", closes, want)
	}
	if err := s.Changeable(start, closes.Add(-time.Nanosecond)); err != nil {
		t.Fatalf("just before: %v", err)
	}
	checkCoded(t, s.Changeable(start, closes), CodeChangeCutoffPassed.String(), "12月7日")
}
