package jlis

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		// Gregorian styles
		{"20260401", "2026-04-01"},
		{"2026/4/1", "2026-04-01"},
		{"2026/04/01", "2026-04-01"},
		{"2026-04-01", "2026-04-01"},
		{"2026-4-1", "2026-04-01"},
		{"2026.4.1", "2026-04-01"},
		{"2026年4月1日", "2026-04-01"},
		{"2026年4月1", "2026-04-01"},
		{"2024/2/29", "2024-02-29"},
		// full-width digits and separators, spaces, Excel's time of day
		{"２０２６年４月１日", "2026-04-01"},
		{"２０２６／４／１", "2026-04-01"},
		{"２０２６０４０１", "2026-04-01"},
		{" 2026 / 4 / 1 ", "2026-04-01"},
		{"2026/4/1 0:00", "2026-04-01"},
		{"2026/4/1 00:00:00", "2026-04-01"},
		// era written out
		{"昭和45年3月1日", "1970-03-01"},
		{"昭和 45年 3月 1日", "1970-03-01"},
		{"昭和４５年３月１日", "1970-03-01"},
		{"令和元年5月1日", "2019-05-01"},
		{"平成元年1月8日", "1989-01-08"},
		{"令和3年9月30日", "2021-09-30"},
		{"大正15年12月25日", "1926-12-25"},
		{"明治45年7月30日", "1912-07-30"},
		{"明治6年1月1日", "1873-01-01"},
		{"大正元年7月30日", "1912-07-30"},
		{"昭和元年12月25日", "1926-12-25"},
		{"昭和64年1月7日", "1989-01-07"},
		{"平成31年4月30日", "2019-04-30"},
		{"昭和45.3.1", "1970-03-01"},
		{"㍼45年3月1日", "1970-03-01"},
		{"㋿3年9月30日", "2021-09-30"},
		// era abbreviated
		{"S45.3.1", "1970-03-01"},
		{"s45.3.1", "1970-03-01"},
		{"H1.1.8", "1989-01-08"},
		{"H元.1.8", "1989-01-08"},
		{"R3.9.30", "2021-09-30"},
		{"R1.5.1", "2019-05-01"},
		{"T1.7.30", "1912-07-30"},
		{"M45.7.30", "1912-07-30"},
		{"S45/3/1", "1970-03-01"},
		{"S45-03-01", "1970-03-01"},
		{"Ｈ１．１．８", "1989-01-08"},
		{"R6年5月8日", "2024-05-08"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if err != nil || got.String() != tt.want {
				t.Errorf("ParseDate(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseDateRefuses(t *testing.T) {
	tests := []struct {
		in     string
		kind   DateErrorKind
		reason string
	}{
		{"", DateUnreadable, "日付が空"},
		{"　", DateUnreadable, "日付が空"},
		{"abc", DateUnreadable, "日付として読めない"},
		{"2026/4", DateUnreadable, "日付として読めない"},
		{"26/4/1", DateUnreadable, "日付として読めない"},
		{"2026-4/1", DateUnreadable, "日付として読めない"},
		{"2026年4/1", DateUnreadable, "日付として読めない"},
		{"2026/4/1/", DateUnreadable, "日付として読めない"},
		{"202641", DateUnreadable, "日付として読めない"},
		{"2026/123/1", DateUnreadable, "日付として読めない"},
		{"X45.3.1", DateUnreadable, "日付として読めない"},
		{"平成元年", DateUnreadable, "日付として読めない"},
		{"S.45.3.1", DateUnreadable, "日付として読めない"},
		{"昭和100年1月1日", DateUnreadable, "日付として読めない"},
		{"2026/13/1", DateNonexistent, "13月はない"},
		{"20261301", DateNonexistent, "13月はない"},
		{"2026/0/1", DateNonexistent, "0月はない"},
		{"2026/4/0", DateNonexistent, "0日はない"},
		{"2026/2/30", DateNonexistent, "2026年2月は28日まで"},
		{"20230229", DateNonexistent, "2023年2月は28日まで"},
		{"2026年4月31日", DateNonexistent, "2026年4月は30日まで"},
		{"令和2年2月30日", DateNonexistent, "2020年2月は29日まで"},
		{"令和0年1月1日", DateNonexistent, "令和0年はない"},
		{"昭和64年1月8日", DateNonexistent, "昭和は1989年1月7日まで"},
		{"平成元年1月7日", DateNonexistent, "平成は1989年1月8日から"},
		{"平成31年5月1日", DateNonexistent, "平成は2019年4月30日まで"},
		{"H32.1.1", DateNonexistent, "平成は2019年4月30日まで"},
		{"令和元年4月30日", DateNonexistent, "令和は2019年5月1日から"},
		{"大正15年12月26日", DateNonexistent, "大正は1926年12月25日まで"},
		{"明治5年12月2日", DateNonexistent, "明治は1873年1月1日から"},
		{"0000/1/1", DateNonexistent, "年が正しくない"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			var de *DateError
			if !errors.As(err, &de) {
				t.Fatalf("ParseDate(%q) = %v, %v; want a *DateError", tt.in, got, err)
			}
			if de.Kind != tt.kind || !strings.Contains(de.Reason, tt.reason) {
				t.Errorf("ParseDate(%q): kind %d, reason %q; want kind %d with %q", tt.in, de.Kind, de.Reason, tt.kind, tt.reason)
			}
			if !got.IsZero() {
				t.Errorf("ParseDate(%q) returned %v with its error", tt.in, got)
			}
		})
	}
}

func TestDate(t *testing.T) {
	d := Date{2026, 4, 1}
	if d.String() != "2026-04-01" || (Date{}).String() != "" {
		t.Errorf("String: %q, %q", d.String(), Date{}.String())
	}
	if !d.Time().Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Time = %v", d.Time())
	}
	if got := DateOf(time.Date(2026, 3, 31, 23, 30, 0, 0, time.FixedZone("JST", 9*3600))); got != (Date{2026, 3, 31}) {
		t.Errorf("DateOf = %v, want the civil date in the time's own zone", got)
	}
	tests := []struct {
		a, b Date
		want int
	}{
		{Date{2026, 4, 1}, Date{2026, 4, 1}, 0},
		{Date{2026, 4, 1}, Date{2026, 4, 2}, -1},
		{Date{2026, 5, 1}, Date{2026, 4, 30}, 1},
		{Date{2025, 12, 31}, Date{2026, 1, 1}, -1},
	}
	for _, tt := range tests {
		if got := tt.a.Compare(tt.b); got != tt.want {
			t.Errorf("%v.Compare(%v) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := tt.a.After(tt.b); got != (tt.want > 0) {
			t.Errorf("%v.After(%v) = %v", tt.a, tt.b, got)
		}
	}
}
