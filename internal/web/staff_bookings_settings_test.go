package web

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// newSettingsHarness serves the booking pages to an admin, with the
// default booking settings saved.
func newSettingsHarness(t *testing.T, db *store.DB) (*wfHarness, *reserve.Service) {
	t.Helper()
	h := newWFHarness(t, db)
	svc := reserve.New(db, clock.System{})
	h.ui.Reserve = svc
	h.ui.RegisterBookings(h.rt)
	h.authn.as(wfBoss)
	if err := svc.SaveSettings(t.Context(), wfBoss, auth.Meta{}, booking.DefaultSettings()); err != nil {
		t.Fatal(err)
	}
	return h, svc
}

func (h *wfHarness) settings(svc *reserve.Service) booking.Settings {
	h.t.Helper()
	st, err := svc.Settings(h.t.Context())
	if err != nil {
		h.t.Fatal(err)
	}
	return st
}

// TestBookingSettingsForms edits each part of the settings through its
// form, as an admin would, on both engines.
func TestBookingSettingsForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h, svc := newSettingsHarness(t, db)
		_, page := h.get("/staff/settings/booking")
		change, err := booking.DefaultSettings().ChangeRule(time.Now())
		if err != nil {
			t.Fatal(err)
		}
		// The summary's cut-off is the booking rules' own; the JSON stays.
		mustContain(t, "settings page", page, "<dd>"+change+"</dd>", `name="change_cutoff_days" value="2"`,
			`name="hours_fri" value="09:00-12:00、13:00-19:00"`, "&#34;change_cutoff_days&#34;: 2", `<caption>市役所本庁 市民課の`)

		rules := url.Values{}
		for _, f := range ruleFields(&booking.Settings{}) {
			rules.Set(f.Key, rulesFormOf(booking.DefaultSettings()).Value(f.Key))
		}
		rules.Set("max_days_ahead", "90")
		rules.Set("year_end_open", "1")
		h.mustStep("/staff/settings/booking/rules", rules, "/staff/settings/booking?done=saved#rules")
		if st := h.settings(svc); st.MaxDaysAhead != 90 || !st.YearEndOpen || st.ChangeCutoffDays != 2 {
			t.Errorf("rules saved as %+v", st)
		}

		place := url.Values{"name": {"本庁 1 番窓口"}, "name_en": {"City Hall, counter 1"}, "slot_minutes": {"15"}, "capacity": {"4"}, "cap_phone": {"1"},
			"hours_mon": {"08:30-12:00, 13:00-17:00"}, "hours_sat": {"09:00-12:00"}}
		h.mustStep("/staff/settings/booking/places/main", place, "/staff/settings/booking?done=saved#place-main")
		pl := h.settings(svc).Places[0]
		if pl.Name != "本庁 1 番窓口" || pl.NameEN != "City Hall, counter 1" || pl.SlotMinutes != 15 || pl.Capacity != 4 || pl.ChannelCapacity[booking.ChannelPhone] != 1 ||
			strings.Join(pl.Hours["mon"], " ") != "08:30-12:00 13:00-17:00" || len(pl.Hours["tue"]) != 0 || pl.Hours["sat"][0] != "09:00-12:00" {
			t.Errorf("place saved as %+v", pl)
		}

		// Days on the calendar: close a Monday, reopen it, open a Sunday.
		h.mustStep("/staff/settings/booking/places/main/days", url.Values{"close": {"2027-02-15"}, "month": {"2027-02"}},
			"/staff/settings/booking?done=saved&month=2027-02&place=main#calendar")
		if pl := h.settings(svc).Places[0]; !strings.Contains(strings.Join(pl.ClosedDates, " "), "2027-02-15") {
			t.Errorf("closed dates %v", pl.ClosedDates)
		}
		_, cal := h.get("/staff/settings/booking?place=main&month=2027-02")
		mustContain(t, "calendar", cal, `<button type="submit" name="reopen" value="2027-02-15" class="small">休業日を取り消す<span class="visually-hidden">（2月15日（月））</span>`,
			`<caption>本庁 1 番窓口の2027年2月</caption>`, "建国記念の日")
		h.mustStep("/staff/settings/booking/places/main/days", url.Values{"reopen": {"2027-02-15"}},
			"/staff/settings/booking?done=saved#calendar")
		h.mustStep("/staff/settings/booking/places/main/days", url.Values{"open_date": {"2027-02-14"}, "open_hours": {"09:00-11:00"}},
			"/staff/settings/booking?done=saved#calendar")
		pl = h.settings(svc).Places[0]
		if strings.Contains(strings.Join(pl.ClosedDates, " "), "2027-02-15") || pl.OpenDates["2027-02-14"][0] != "09:00-11:00" {
			t.Errorf("days %v %v", pl.ClosedDates, pl.OpenDates)
		}

		h.mustStep("/staff/settings/booking/places", url.Values{"id": {"north"}, "name": {"北支所"}}, "/staff/settings/booking?done=saved#place-north")
		service := url.Values{"name": {"カードの受け取り"}, "name_en": {"Card pickup"}, "requires_card": {"1"}, "places": {"main", "north"}, "slots": {"2"},
			"items": {"交付通知書\n\n本人確認書類\n"}}
		h.mustStep("/staff/settings/booking/services/pickup", service, "/staff/settings/booking?done=saved#service-pickup")
		sv, _ := h.settings(svc).Service("pickup")
		if sv.Name != "カードの受け取り" || sv.NameEN != "Card pickup" || !sv.RequiresCard || strings.Join(sv.Places, " ") != "main north" || sv.Slots != 2 ||
			strings.Join(sv.ItemsToBring, "/") != "交付通知書/本人確認書類" {
			t.Errorf("service saved as %+v", sv)
		}
		_, page = h.get("/staff/settings/booking")
		mustContain(t, "settings page", page, `name="name_en" value="City Hall, counter 1"`, `name="name_en" value="Card pickup"`)
		h.mustStep("/staff/settings/booking/places/north/delete", url.Values{}, "/staff/settings/booking?done=saved#places")
		if st := h.settings(svc); len(st.Places) != 1 || strings.Join(st.Services[0].Places, " ") != "main" {
			t.Errorf("after deleting a place: %+v", st.Services)
		}
		if n := len(h.actions("settings.booking_changed")); n != 9 {
			t.Errorf("%d changes audited, want 9", n)
		}
	})
}

// TestBookingSettingsFormsRefuseAsTheDocumentDoes: a form is checked by
// the same validation as the JSON document, nothing is saved, and the
// form comes back as typed with each problem beside its field.
func TestBookingSettingsFormsRefuseAsTheDocumentDoes(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	h, svc := newSettingsHarness(t, db)
	before := h.settings(svc)

	status, _, body := h.post("/staff/settings/booking/places/main", url.Values{"name": {"本庁"}, "slot_minutes": {"30"},
		"capacity": {"abc"}, "hours_mon": {"09:00-12:10"}})
	if status != 422 {
		t.Fatalf("a typo: %d", status)
	}
	mustContain(t, "typo", body, `name="capacity" inputmode="numeric" value="abc"><p class="field-error">半角数字で入力してください。</p>`)

	status, _, body = h.post("/staff/settings/booking/places/main", url.Values{"name": {"本庁"}, "slot_minutes": {"30"},
		"capacity": {"2"}, "cap_web": {"3"}, "hours_mon": {"09:00-12:10"}})
	if status != 422 {
		t.Fatalf("a bad place: %d", status)
	}
	mustContain(t, "bad place", body, `value="09:00-12:10"><p class="field-error">`, "12:00 か 12:30",
		"受付経路ごとの枠数の合計（3）が capacity（2）を超えています")

	status, _, body = h.post("/staff/settings/booking/rules", url.Values{"min_days_ahead": {"99"}, "max_days_ahead": {"30"},
		"change_cutoff_days": {"2"}, "max_people_per_booking": {"5"}, "hold_minutes": {"10"}, "public_rate_limit_per_minute": {"30"},
		"notice_attempts_per_hour": {"0"}, "max_holds_per_ip": {"0"}, "timezone": {"Asia/Tokyo"}, "contact_phone": {"電話"}})
	if status != 422 {
		t.Fatalf("bad rules: %d", status)
	}
	mustContain(t, "bad rules", body, `value="99" inputmode="numeric" aria-describedby="rule-min_days_ahead-hint">`,
		"max_days_ahead（30）以下にしてください。", "電話番号は半角数字とハイフンで入力してください")

	status, _, body = h.post("/staff/settings/booking/places/main/delete", url.Values{})
	if status != 422 || !strings.Contains(body, "ほかの設定と合わないため保存できませんでした。") {
		t.Fatalf("deleting the only place: %d", status)
	}
	status, _, body = h.post("/staff/settings/booking/places", url.Values{"id": {"North Office"}, "name": {"北"}})
	if status != 422 || !strings.Contains(body, `value="North Office" required><p class="field-error">ID は半角英小文字`) {
		t.Fatalf("a bad ID: %d", status)
	}
	if got := h.settings(svc); got.Places[0].Capacity != before.Places[0].Capacity || got.MinDaysAhead != before.MinDaysAhead ||
		len(got.Places) != 1 || len(h.actions("settings.booking_changed")) != 1 {
		t.Errorf("a refused form changed the settings: %+v", got)
	}
	h.authn.as(wfTanaka)
	if status, _, _ := h.post("/staff/settings/booking/rules", url.Values{}); status != 403 {
		t.Errorf("staff changes the settings: %d", status)
	}
}
