package booking

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
)

func TestDefaultSettingsAreValid(t *testing.T) {
	if err := DefaultSettings().Validate(); err != nil {
		t.Fatalf("Validate() = %v, fields %v", err, apperr.FieldsOf(err))
	}
}

func TestValidateReportsEachProblemWithItsPath(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Settings)
		field  string
		msg    string // part of the message
		count  int    // number of problems expected
	}{
		{"overlapping ranges", func(s *Settings) { hours(s, "mon", "09:00-12:00", "11:30-13:00") },
			"places[0].hours.mon[1]", "前の時間帯「09:00-12:00」と重なっています", 1},
		{"unordered ranges", func(s *Settings) { hours(s, "tue", "13:00-16:30", "09:00-12:00") },
			"places[0].hours.tue[1]", "早い順に並べてください", 1},
		{"hour without leading zero", func(s *Settings) { hours(s, "wed", "9:00-12:00") },
			"places[0].hours.wed[0]", "HH:MM-HH:MM", 1},
		{"wrong separator", func(s *Settings) { hours(s, "mon", "09:00-12:00", "13:00〜16:30") },
			"places[0].hours.mon[1]", "形式が正しくありません", 1},
		{"minute 60", func(s *Settings) { hours(s, "mon", "09:00-12:60") },
			"places[0].hours.mon[0]", "形式が正しくありません", 1},
		{"end before start", func(s *Settings) { hours(s, "thu", "12:00-09:00") },
			"places[0].hours.thu[0]", "終了時刻が開始時刻より後になっていません", 1},
		{"empty range", func(s *Settings) { hours(s, "thu", "09:00-09:00") },
			"places[0].hours.thu[0]", "終了時刻が開始時刻より後になっていません", 1},
		{"not a multiple of the slot", func(s *Settings) { hours(s, "fri", "09:00-11:45") },
			"places[0].hours.fri[0]", "長さ 165 分が枠の長さ 30 分の倍数になっていません。終了時刻を 11:30 か 12:00 にしてください", 1},
		{"shorter than one slot", func(s *Settings) { hours(s, "fri", "09:00-09:20") },
			"places[0].hours.fri[0]", "終了時刻を 09:30 にしてください", 1},
		{"unknown weekday", func(s *Settings) { s.Places[0].Hours["tues"] = []string{"09:00-12:00"} },
			"places[0].hours.tues", "曜日「tues」はありません", 1},
		{"open date not a multiple", func(s *Settings) { s.Places[0].OpenDates["2026-12-13"] = []string{"09:00-11:50"} },
			"places[0].open_dates.2026-12-13[0]", "終了時刻を 11:30 か 12:00", 1},
		{"open date not a date", func(s *Settings) { s.Places[0].OpenDates["2026-13-01"] = []string{"09:00-12:00"} },
			"places[0].open_dates.2026-13-01", "日付として正しくありません", 1},
		{"open date without hours", func(s *Settings) { s.Places[0].OpenDates["2026-12-13"] = nil },
			"places[0].open_dates.2026-12-13", "時間帯を 1 つ以上", 1},
		{"closed date with slashes", func(s *Settings) { s.Places[0].ClosedDates = []string{"2026-12-28", "2026/12/29"} },
			"places[0].closed_dates[1]", "YYYY-MM-DD", 1},
		{"closed date 30 February", func(s *Settings) { s.Places[0].ClosedDates = []string{"2027-02-30"} },
			"places[0].closed_dates[0]", "日付として正しくありません", 1},
		{"closed date beyond the holiday table", func(s *Settings) { s.Places[0].ClosedDates = []string{"2100-01-04"} },
			"places[0].closed_dates[0]", "1980 年から 2099 年まで", 1},
		{"unknown place in a service", func(s *Settings) { s.Services[1].Places = []string{"main", "annex"} },
			"services[1].places[1]", "窓口「annex」は places に登録されていません", 1},
		{"place listed twice in a service", func(s *Settings) { s.Services[0].Places = []string{"main", "main"} },
			"services[0].places[1]", "重複しています", 1},
		{"service without places", func(s *Settings) { s.Services[0].Places = nil },
			"services[0].places", "1 つ以上", 1},
		{"duplicate place id", func(s *Settings) { s.Places = append(s.Places, defaultPlace()) },
			"places[1].id", "ID「main」は places[0] と重複しています", 1},
		{"duplicate service id", func(s *Settings) { s.Services[1].ID = "pickup" },
			"services[1].id", "ID「pickup」は services[0] と重複しています", 1},
		{"id not URL-safe", func(s *Settings) { s.Services[0].ID = "受け取り" },
			"services[0].id", "半角英小文字", 1},
		{"empty place name", func(s *Settings) { s.Places[0].Name = "　" },
			"places[0].name", "窓口の名前を入力してください", 1},
		{"empty item to bring", func(s *Settings) { s.Services[0].ItemsToBring[1] = "" },
			"services[0].items_to_bring[1]", "持ち物を入力してください", 1},
		{"zero slot minutes", func(s *Settings) { s.Places[0].SlotMinutes = 0 },
			"places[0].slot_minutes", "5 以上 240 以下", 1},
		{"negative capacity", func(s *Settings) { s.Places[0].Capacity = -1 },
			"places[0].capacity", "1 以上 100 以下", 1},
		{"zero max days", func(s *Settings) { s.MaxDaysAhead = 0 },
			"max_days_ahead", "1 以上 365 以下", 1},
		{"negative min days", func(s *Settings) { s.MinDaysAhead = -1 },
			"min_days_ahead", "0 以上 365 以下", 1},
		{"min days above max days", func(s *Settings) { s.MinDaysAhead = 61 },
			"min_days_ahead", "max_days_ahead（60）以下にしてください", 1},
		{"negative cut-off", func(s *Settings) { s.ChangeCutoffDays = -1 },
			"change_cutoff_days", "0 以上 30 以下", 1},
		{"zero people", func(s *Settings) { s.MaxPeoplePerBooking = 0 },
			"max_people_per_booking", "1 以上 20 以下", 1},
		{"zero rate limit", func(s *Settings) { s.PublicRateLimitPerMinute = 0 },
			"public_rate_limit_per_minute", "1 以上", 1},
		{"negative hold", func(s *Settings) { s.HoldMinutes = -5 },
			"hold_minutes", "0 または省略で 10 分", 1},
		{"unknown time zone", func(s *Settings) { s.Timezone = "Asia/Tokio" },
			"timezone", "タイムゾーン「Asia/Tokio」が見つかりません", 1},
		{"host time zone", func(s *Settings) { s.Timezone = "Local" },
			"timezone", "タイムゾーン「Local」が見つかりません", 1},
		{"empty time zone", func(s *Settings) { s.Timezone = "" },
			"timezone", "タイムゾーンを入力してください", 1},
		{"closing in 12-hour style", func(s *Settings) { s.SameDayClosing = "5pm" },
			"same_day_closing", "HH:MM", 1},
		{"closing at 24:00", func(s *Settings) { s.SameDayClosing = "24:00" },
			"same_day_closing", "空欄", 1},
		{"channels above capacity", func(s *Settings) { s.Places[0].ChannelCapacity = map[Channel]int{"web": 2, "phone": 1} },
			"places[0].channel_capacity", "合計（3）が capacity（2）を超えています", 1},
		{"unknown channel", func(s *Settings) { s.Places[0].ChannelCapacity = map[Channel]int{"fax": 1} },
			"places[0].channel_capacity.fax", "受付経路「fax」はありません", 1},
		{"negative channel", func(s *Settings) { s.Places[0].ChannelCapacity = map[Channel]int{"web": -1} },
			"places[0].channel_capacity.web", "0 以上", 1},
		{"negative service slots", func(s *Settings) { s.Services[0].Slots = -1 },
			"services[0].slots", "0 または省略で 1 枠", 1},
		{"service longer than any opening", func(s *Settings) { s.Services[0].Slots = 13 },
			"services[0].slots", "13 枠（390 分）続く時間帯が窓口「main」にありません（最長 360 分）", 1},
		{"no places", func(s *Settings) { s.Places = nil },
			"places", "窓口を 1 つ以上", 3}, // and both services name an unknown place
		{"no services", func(s *Settings) { s.Services = nil },
			"services", "サービスを 1 つ以上", 1},
		{"bad contact phone", func(s *Settings) { s.ContactPhone = "０７９-559-5000" },
			"contact_phone", "半角数字とハイフン", 1},
		{"slot length that breaks several days", func(s *Settings) { s.Places[0].SlotMinutes = 45 },
			"places[0].hours.mon[1]", "「13:00-16:30」の長さ 210 分", 4}, // mon to thu afternoons
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultSettings()
			tt.mutate(&s)
			fields := mustFieldErrors(t, s.Validate())
			if len(fields) != tt.count {
				t.Errorf("got %d problems, want %d: %v", len(fields), tt.count, fields)
			}
			if !hasField(fields, tt.field, tt.msg) {
				t.Errorf("no problem at %s containing %q in %v", tt.field, tt.msg, fields)
			}
		})
	}
}

func TestValidateReportsAllProblemsAtOnce(t *testing.T) {
	s := DefaultSettings()
	s.Timezone = "Mars/Olympus"
	s.MinDaysAhead = 90
	hours(&s, "mon", "09:00-12:00", "10:00-11:00")
	s.Services[0].Places = []string{"nowhere"}
	fields := mustFieldErrors(t, s.Validate())
	for _, want := range []string{"timezone", "min_days_ahead", "places[0].hours.mon[1]", "services[0].places[0]"} {
		if !hasField(fields, want, "") {
			t.Errorf("missing %s in %v", want, fields)
		}
	}
	if len(fields) != 4 {
		t.Errorf("got %d problems, want 4: %v", len(fields), fields)
	}
}

func TestValidateAccepts(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Settings)
	}{
		{"touching ranges", func(s *Settings) { hours(s, "mon", "09:00-12:00", "12:00-13:00") }},
		{"a range until midnight", func(s *Settings) { hours(s, "sat", "18:00-24:00") }},
		{"no closing time", func(s *Settings) { s.SameDayClosing = "" }},
		{"same-day booking", func(s *Settings) { s.MinDaysAhead = 0 }},
		{"min equal to max", func(s *Settings) { s.MinDaysAhead = 60 }},
		{"hold omitted", func(s *Settings) { s.HoldMinutes = 0 }},
		{"service slots omitted", func(s *Settings) { s.Services[0].Slots = 0 }},
		{"channels filling the capacity", func(s *Settings) { s.Places[0].ChannelCapacity = map[Channel]int{"web": 1, "phone": 1} }},
		{"channels with a shared rest", func(s *Settings) { s.Places[0].ChannelCapacity = map[Channel]int{"counter": 1} }},
		{"closed date that is also an open date", func(s *Settings) { s.Places[0].ClosedDates = []string{"2026-12-13"} }},
		{"a place with no regular hours", func(s *Settings) { s.Places[0].Hours = nil }},
		{"contact phone", func(s *Settings) { s.ContactPhone = "079-559-5000" }},
		{"service as long as the longest opening", func(s *Settings) { s.Services[0].Slots = 12 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultSettings()
			tt.mutate(&s)
			if err := s.Validate(); err != nil {
				t.Errorf("Validate() = %v %v", err, apperr.FieldsOf(err))
			}
		})
	}
}

// briefExample is the settings document as a city writes it, with the
// optional fields left out.
const briefExample = `{"timezone":"Asia/Tokyo","min_days_ahead":1,"max_days_ahead":60,"change_cutoff_days":2,
 "max_people_per_booking":5,"public_rate_limit_per_minute":30,
 "places":[{"id":"main","name":"市役所本庁 市民課","slot_minutes":30,"capacity":2,
   "hours":{"mon":["09:00-12:00","13:00-16:30"],"tue":["09:00-12:00","13:00-16:30"],
            "wed":["09:00-12:00","13:00-16:30"],"thu":["09:00-12:00","13:00-16:30"],
            "fri":["09:00-12:00","13:00-19:00"],"sat":[],"sun":[]},
   "closed_dates":["2026-12-29"],"open_dates":{"2026-12-13":["09:00-12:00"]}}],
 "services":[{"id":"pickup","name":"マイナンバーカードの受け取り","requires_card":true,"places":["main"]},
             {"id":"cert_renewal","name":"電子証明書の更新","requires_card":false,"places":["main"]}]}`

func TestParseSettingsAppliesDefaults(t *testing.T) {
	s, err := ParseSettings([]byte(briefExample))
	if err != nil {
		t.Fatalf("ParseSettings = %v %v", err, apperr.FieldsOf(err))
	}
	if s.Hold() != 10*time.Minute {
		t.Errorf("Hold() = %v, want 10m", s.Hold())
	}
	if sv, _ := s.Service("pickup"); sv.SlotCount() != 1 {
		t.Errorf("SlotCount() = %d, want 1", sv.SlotCount())
	}
	if s.YearEndOpen || s.SameDayClosing != "" {
		t.Errorf("YearEndOpen = %v, SameDayClosing = %q", s.YearEndOpen, s.SameDayClosing)
	}
	if p, _ := s.Place("main"); p.ChannelCapacity != nil || p.Seats(ChannelWeb) != 2 {
		t.Errorf("channel capacity = %v", p.ChannelCapacity)
	}
}

func TestParseSettingsRoundTripsTheDefaults(t *testing.T) {
	b, err := json.Marshal(DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSettings(b)
	if err != nil {
		t.Fatalf("ParseSettings = %v %v", err, apperr.FieldsOf(err))
	}
	again, _ := json.Marshal(s)
	if string(again) != string(b) {
		t.Errorf("round trip changed the document:\n%s\n%s", b, again)
	}
}

func TestParseSettingsRefuses(t *testing.T) {
	tests := []struct {
		name, doc, field string
	}{
		{"misspelt key", strings.Replace(briefExample, `"max_days_ahead"`, `"max_day_ahead"`, 1), ""},
		{"wrong type", strings.Replace(briefExample, `"capacity":2`, `"capacity":"2"`, 1), "places.capacity"},
		{"not JSON", `{"timezone":`, ""},
		{"two documents", briefExample + `{}`, ""},
		{"valid JSON, invalid settings", strings.Replace(briefExample, `"max_days_ahead":60`, `"max_days_ahead":0`, 1), "max_days_ahead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSettings([]byte(tt.doc))
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("err = %v, want code invalid", err)
			}
			if tt.field != "" && !hasField(apperr.FieldsOf(err), tt.field, "") {
				t.Errorf("fields = %v, want %s", apperr.FieldsOf(err), tt.field)
			}
		})
	}
}

func hours(s *Settings, day string, ranges ...string) {
	s.Places[0].Hours[day] = ranges
}

func mustFieldErrors(tb testing.TB, err error) []apperr.FieldError {
	tb.Helper()
	if err == nil {
		tb.Fatal("Validate() = nil, want problems")
	}
	if apperr.CodeOf(err) != apperr.Invalid {
		tb.Fatalf("code = %s, want invalid", apperr.CodeOf(err))
	}
	return apperr.FieldsOf(err)
}

func hasField(fields []apperr.FieldError, field, msg string) bool {
	for _, f := range fields {
		if f.Field == field && strings.Contains(f.Message, msg) {
			return true
		}
	}
	return false
}

func TestDurations(t *testing.T) {
	s := DefaultSettings()
	s.HoldMinutes = 15
	if s.Hold() != 15*time.Minute {
		t.Errorf("Hold() = %v", s.Hold())
	}
	if p, _ := s.Place("main"); p.SlotDuration() != 30*time.Minute {
		t.Errorf("SlotDuration() = %v", p.SlotDuration())
	}
	if _, ok := s.Place("annex"); ok {
		t.Error("Place(annex) found")
	}
}
