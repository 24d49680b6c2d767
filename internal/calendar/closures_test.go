package calendar

import "testing"

func TestRulesIsClosed(t *testing.T) {
	city := Rules{
		ClosedDates: []Date{mustDate("2026-06-10"), mustDate("2026-06-14")},
		OpenDates: map[Date]string{
			mustDate("2026-06-14"): "日曜臨時開庁（臨時閉庁と重複）",
			mustDate("2026-06-28"): "日曜臨時開庁",
			mustDate("2026-05-04"): "祝日開庁",
			mustDate("2025-12-29"): "年末臨時開庁",
		},
	}
	tests := []struct {
		name       string
		rules      Rules
		date       string
		hasHours   bool
		wantClosed bool
		wantReason string
	}{
		{"ordinary weekday is open", city, "2026-06-11", true, false, ""},
		{"weekday without hours is closed", city, "2026-06-13", false, true, ReasonNoHours},
		{"closed date wins over regular hours", city, "2026-06-10", true, true, ReasonClosedDate},
		{"closed date wins over special opening", city, "2026-06-14", false, true, ReasonClosedDate},
		{"special opening on a Sunday", city, "2026-06-28", false, false, ""},
		{"special opening on a holiday", city, "2026-05-04", false, false, ""},
		{"holiday is closed with its name", city, "2026-05-05", true, true, "こどもの日"},
		{"substitute holiday is closed", city, "2026-05-06", true, true, SubstituteHoliday},
		{"citizens' holiday is closed", city, "2026-09-22", true, true, CitizensHoliday},
		{"year end is closed", city, "2026-12-29", true, true, ReasonYearEnd},
		{"1/4 is open again", city, "2027-01-04", true, false, ""},
		{"1/3 is closed", city, "2027-01-03", true, true, ReasonYearEnd},
		{"元日 is reported as the holiday", city, "2027-01-01", true, true, "元日"},
		{"special opening inside year end", city, "2025-12-29", true, false, ""},
		{"zero rules close the year end", Rules{}, "2026-12-30", true, true, ReasonYearEnd},
		{"YearEndOpen opens 12/30", Rules{YearEndOpen: true}, "2026-12-30", true, false, ""},
		{"YearEndOpen keeps 元日 closed", Rules{YearEndOpen: true}, "2027-01-01", true, true, "元日"},
		{"zero rules open a plain weekday", Rules{}, "2026-06-11", true, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			closed, reason := tt.rules.IsClosed(mustDate(tt.date), tt.hasHours)
			if closed != tt.wantClosed || reason != tt.wantReason {
				t.Errorf("IsClosed(%s, %v) = %v, %q; want %v, %q",
					tt.date, tt.hasHours, closed, reason, tt.wantClosed, tt.wantReason)
			}
		})
	}
}
