package calendar

import (
	"encoding/json"
	"testing"
	"time"
)

func TestNewDateNormalises(t *testing.T) {
	tests := []struct {
		y    int
		m    time.Month
		d    int
		want string
	}{
		{2024, time.February, 29, "2024-02-29"},
		{2025, time.February, 29, "2025-03-01"},
		{2025, time.December, 32, "2026-01-01"},
		{2025, time.January, 0, "2024-12-31"},
		{2025, 13, 1, "2026-01-01"},
	}
	for _, tt := range tests {
		if got := NewDate(tt.y, tt.m, tt.d).String(); got != tt.want {
			t.Errorf("NewDate(%d, %d, %d) = %s, want %s", tt.y, tt.m, tt.d, got, tt.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	if d, err := ParseDate("2026-09-22"); err != nil || d != (Date{2026, time.September, 22}) {
		t.Errorf("ParseDate = %v, %v", d, err)
	}
	for _, bad := range []string{"", "2026/09/22", "2026-02-30", "20260922", "2026-9-22"} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
}

func TestDateOfUsesTheTimesOwnZone(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*60*60)
	instant := time.Date(2025, time.December, 31, 15, 30, 0, 0, time.UTC) // 00:30 JST on 1 Jan
	if got := DateOf(instant.In(tokyo)); got != NewDate(2026, time.January, 1) {
		t.Errorf("DateOf(JST) = %s, want 2026-01-01", got)
	}
	if got := DateOf(instant); got != NewDate(2025, time.December, 31) {
		t.Errorf("DateOf(UTC) = %s, want 2025-12-31", got)
	}
	if got := NewDate(2026, time.January, 1).In(tokyo); !got.Equal(instant.Add(-30 * time.Minute)) {
		t.Errorf("In(JST) = %v", got)
	}
}

func TestDateArithmeticAndOrder(t *testing.T) {
	d := NewDate(2024, time.February, 28)
	if got := d.AddDays(1); got.String() != "2024-02-29" {
		t.Errorf("AddDays(1) = %s", got)
	}
	if got := d.AddDays(366); got.String() != "2025-02-28" {
		t.Errorf("AddDays(366) = %s", got)
	}
	if got := d.AddDays(-59); got.String() != "2023-12-31" {
		t.Errorf("AddDays(-59) = %s", got)
	}
	if d.Weekday() != time.Wednesday {
		t.Errorf("Weekday = %v", d.Weekday())
	}
	tests := []struct {
		a, b string
		want int
	}{
		{"2024-02-28", "2024-02-28", 0},
		{"2024-02-28", "2024-02-29", -1},
		{"2024-03-01", "2024-02-29", 1},
		{"2023-12-31", "2024-01-01", -1},
	}
	for _, tt := range tests {
		a, b := mustDate(tt.a), mustDate(tt.b)
		if got := a.Compare(b); got != tt.want {
			t.Errorf("%s.Compare(%s) = %d, want %d", a, b, got, tt.want)
		}
		if a.Before(b) != (tt.want < 0) || a.After(b) != (tt.want > 0) {
			t.Errorf("Before/After disagree with Compare for %s, %s", a, b)
		}
	}
}

func TestDateValid(t *testing.T) {
	if !NewDate(2025, time.March, 1).Valid() {
		t.Error("normalised date reported invalid")
	}
	for _, d := range []Date{{}, {2025, time.February, 29}, {2025, 0, 1}, {2025, time.April, 31}} {
		if d.Valid() {
			t.Errorf("%+v reported valid", d)
		}
	}
	if !(Date{}).IsZero() || NewDate(2025, 1, 1).IsZero() {
		t.Error("IsZero wrong")
	}
}

func TestDateJSONRoundTrip(t *testing.T) {
	in := map[string]Date{"d": NewDate(2026, time.May, 6)}
	b, err := json.Marshal(in)
	if err != nil || string(b) != `{"d":"2026-05-06"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var out map[string]Date
	if err := json.Unmarshal(b, &out); err != nil || out["d"] != in["d"] {
		t.Errorf("Unmarshal = %v, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"d":"2026-13-01"}`), &out); err == nil {
		t.Error("Unmarshal accepted month 13")
	}
}
