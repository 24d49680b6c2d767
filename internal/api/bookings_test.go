package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/kofu-oss/kofu/internal/api"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// Statuses the booking API answers once its codes are in the status table
// (route/status.go).
const (
	statusValidation = http.StatusUnprocessableEntity // invalid, card_not_matched
	statusConflict   = http.StatusConflict            // slot_full, already_booked, outside_window, after_cutoff, ...
)

// roleAuthn lets every request in as a principal of the role.
type roleAuthn struct{ role string }

func (a roleAuthn) Principal(*http.Request) (auth.Principal, error) {
	return auth.Principal{UserID: 5, Username: "sato-" + a.role, Role: a.role}, nil
}

// bookingEnv is the booking API on a fresh database at Friday 2026-11-20
// 10:00 in Tokyo, with cards ABC-000001..ABC-000009 waiting for pickup.
type bookingEnv struct {
	db    *store.DB
	clock *clock.Fixed
	svc   *reserve.Service
	tokyo *time.Location
}

func newBookingEnv(t *testing.T, db *store.DB, edit func(*booking.Settings)) *bookingEnv {
	t.Helper()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	e := &bookingEnv{db: db, clock: clock.NewFixed(time.Date(2026, 11, 20, 10, 0, 0, 0, tokyo)), tokyo: tokyo}
	e.svc = reserve.New(db, e.clock)
	st := booking.DefaultSettings()
	st.PublicRateLimitPerMinute = 1000
	if edit != nil {
		edit(&st)
	}
	if err := e.svc.SaveSettings(t.Context(), auth.Principal{Username: "admin"}, auth.Meta{}, st); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 9; i++ {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: i, Notice: fmt.Sprintf("ABC-%06d", i), Birth: "1980-01-0" + fmt.Sprint(i),
			Status: card.StatusNoticeSent, Name: fmt.Sprintf("三田　%d", i), Storage: fmt.Sprintf("B棚-%d", i)})
	}
	return e
}

func (e *bookingEnv) router(role string) http.Handler {
	rt := route.New(roleAuthn{role}, func(w http.ResponseWriter, r *http.Request, err error) { api.WriteError(w, r, err) })
	(&api.BookingHandlers{Reserve: e.svc}).Register(rt)
	return rt
}

func (e *bookingEnv) at(t *testing.T, s string) {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", s, e.tokyo)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(at.Sub(e.clock.Now()))
}

// call sends a request and checks the status; it returns the decoded body.
func call(t *testing.T, h http.Handler, method, path, body, token string, status int) map[string]any {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set(api.ManageTokenHeader, token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != status {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, rec.Code, status, rec.Body.String())
	}
	var out map[string]any
	if rec.Code != http.StatusNoContent {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: not JSON: %s", method, path, rec.Body.String())
		}
	}
	return out
}

func errorCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func pickupBody(start string, notices ...string) string {
	var people []string
	for _, n := range notices {
		num := norm.NFKC.String(n) // the card number is the last digit, maybe typed full width
		people = append(people, fmt.Sprintf(`{"notice_number":%q,"birth_date":"1980-01-0%s"}`, n, num[len(num)-1:]))
	}
	return fmt.Sprintf(`{"service":"pickup","place":"main","start":%q,"people":[%s],"email":"taro@example.jp"}`,
		start, strings.Join(people, ","))
}

func TestPublicBookingAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newBookingEnv(t, db, nil)
		h := e.router("")

		av := call(t, h, "GET", "/api/v1/public/availability?service=pickup&place=main&from=2026-12-01&to=2026-12-01&people=2", "", "", 200)
		slots := av["slots"].([]any)
		first := slots[0].(map[string]any)
		if len(slots) != 13 || first["start"] != "2026-12-01T09:00:00+09:00" || first["end"] != "2026-12-01T09:30:00+09:00" || first["remaining"] != 2.0 {
			t.Fatalf("availability %v", av)
		}
		bad := call(t, h, "GET", "/api/v1/public/availability?service=pickup&place=main&from=2026-12-01&to=2026-12-01&people=two", "", "", statusValidation)
		if errorCode(bad) != "invalid" {
			t.Fatalf("%v", bad)
		}

		created := call(t, h, "POST", "/api/v1/public/bookings", pickupBody("2026-12-01T09:00:00+09:00", "abc000001", "ＡＢＣ－０００００２"), "", 201)
		b := created["booking"].(map[string]any)
		token := created["manage_token"].(string)
		code := b["code"].(string)
		people := b["people"].([]any)
		if len(code) != 9 || code[4] != '-' || len(token) < 43 || b["status"] != "booked" || len(people) != 2 ||
			people[0].(map[string]any)["notice_number"] != "ABC-000001" || b["place_name"] != "市役所本庁 市民課" {
			t.Fatalf("created %v", created)
		}
		if strings.Contains(fmt.Sprint(created), "三田") || strings.Contains(fmt.Sprint(created), "B棚") {
			t.Fatal("the public answer must not show ledger data")
		}

		again := call(t, h, "POST", "/api/v1/public/bookings", pickupBody("2026-12-02T09:00:00+09:00", "ABC-000001"), "", statusConflict)
		full := call(t, h, "POST", "/api/v1/public/bookings", pickupBody("2026-12-01T09:00:00+09:00", "ABC-000003"), "", statusConflict)
		early := call(t, h, "POST", "/api/v1/public/bookings", pickupBody("2026-11-20T13:00:00+09:00", "ABC-000003"), "", statusConflict)
		if errorCode(again) != "already_booked" || errorCode(full) != "slot_full" || errorCode(early) != "outside_window" {
			t.Fatalf("conflicts: %v / %v / %v", again, full, early)
		}

		wrongBirth := strings.Replace(pickupBody("2026-12-03T09:00:00+09:00", "ABC-000004"), "1980-01-04", "1981-01-04", 1)
		unknown := pickupBody("2026-12-03T09:00:00+09:00", "XYZ-000004")
		b1 := call(t, h, "POST", "/api/v1/public/bookings", wrongBirth, "", statusValidation)
		b2 := call(t, h, "POST", "/api/v1/public/bookings", unknown, "", statusValidation)
		if errorCode(b1) != "card_not_matched" || fmt.Sprint(b1) != fmt.Sprint(b2) {
			t.Fatalf("unknown notice and wrong birth date differ:\n%v\n%v", b1, b2)
		}
		for _, body := range []string{`{"service":`, `{"service":"pickup","seats":3}`, `{"service":"pickup","people":"many"}`} {
			if got := call(t, h, "POST", "/api/v1/public/bookings", body, "", statusValidation); errorCode(got) != "invalid" {
				t.Fatalf("%s: %v", body, got)
			}
		}

		path := "/api/v1/public/bookings/" + strings.ToLower(strings.ReplaceAll(code, "-", ""))
		if got := call(t, h, "GET", path, "", token, 200); got["booking"].(map[string]any)["code"] != code {
			t.Fatalf("get %v", got)
		}
		wrong := call(t, h, "GET", path, "", otherToken(token), 404)
		none := call(t, h, "GET", "/api/v1/public/bookings/2345-6789", "", token, 404)
		if fmt.Sprint(wrong) != fmt.Sprint(none) {
			t.Fatalf("a wrong token must look like an unknown code: %v / %v", wrong, none)
		}
		call(t, h, "DELETE", path, "", "", 404)

		moved := call(t, h, "PATCH", path, `{"start":"2026-12-01T10:00:00+09:00"}`, token, 200)
		if moved["booking"].(map[string]any)["start"] != "2026-12-01T10:00:00+09:00" {
			t.Fatalf("moved %v", moved)
		}
		call(t, h, "POST", "/api/v1/public/bookings", pickupBody("2026-12-01T09:00:00+09:00", "ABC-000003"), "", 201)

		e.at(t, "2026-11-29 09:00")
		late := call(t, h, "DELETE", path, "", token, statusConflict)
		if errorCode(late) != "after_cutoff" {
			t.Fatalf("late cancel %v", late)
		}
	})
}

func TestPublicCancelAndHolds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newBookingEnv(t, db, func(st *booking.Settings) { st.Places[0].Capacity = 1 })
		h := e.router("")
		created := call(t, h, "POST", "/api/v1/public/bookings", pickupBody("2026-12-01T09:00:00+09:00", "ABC-000001"), "", 201)
		code, token := created["booking"].(map[string]any)["code"].(string), created["manage_token"].(string)
		cancelled := call(t, h, "DELETE", "/api/v1/public/bookings/"+code, "", token, 200)
		if cancelled["booking"].(map[string]any)["status"] != "cancelled" {
			t.Fatalf("cancel %v", cancelled)
		}
		held := call(t, h, "POST", "/api/v1/public/holds", `{"service":"pickup","place":"main","start":"2026-12-01T09:00:00+09:00","people":1}`, "", 201)
		hold := held["hold"].(map[string]any)
		if hold["expires_at"] != "2026-11-20T10:10:00+09:00" {
			t.Fatalf("hold %v", held)
		}
		full := call(t, h, "POST", "/api/v1/public/bookings", pickupBody("2026-12-01T09:00:00+09:00", "ABC-000002"), "", statusConflict)
		if errorCode(full) != "slot_full" {
			t.Fatalf("held seat: %v", full)
		}
		call(t, h, "DELETE", "/api/v1/public/holds/"+hold["token"].(string), "", "", 204)
		call(t, h, "POST", "/api/v1/public/bookings", pickupBody("2026-12-01T09:00:00+09:00", "ABC-000002"), "", 201)
	})
}

func TestPublicRateLimitAnswers429(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newBookingEnv(t, db, func(st *booking.Settings) { st.PublicRateLimitPerMinute = 2 })
		e.clock.Advance(20 * time.Second)
		h := e.router("")
		path := "/api/v1/public/availability?service=pickup&place=main&from=2026-12-01&to=2026-12-31"
		call(t, h, "GET", path, "", "", 200)
		call(t, h, "GET", path, "", "", 200)
		req := httptest.NewRequest("GET", path, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		// A bucket of 2 refilled at 2 a minute: the next request in 30 s.
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "30" || !strings.Contains(rec.Body.String(), `"code":"rate_limited"`) {
			t.Fatalf("status %d, Retry-After %q: %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body.String())
		}
	})
}

func TestStaffBookingAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newBookingEnv(t, db, nil)
		h := e.router(auth.RoleStaff)
		phone := strings.Replace(pickupBody("2026-12-01T09:00:00+09:00", "ABC-000001", "ABC-000002"), `"email":"taro@example.jp"`, `"phone":"079-559-0000","channel":"phone"`, 1)
		created := call(t, h, "POST", "/api/v1/bookings", phone, "", 201)
		b := created["booking"].(map[string]any)
		id := fmt.Sprint(b["id"])
		if b["channel"] != "phone" || b["created_by"] != "sato-staff" || created["manage_token"] == "" {
			t.Fatalf("staff booking %v", created)
		}
		list := call(t, h, "GET", "/api/v1/bookings?date=2026-12-01&place=main&status=booked,checked_in", "", "", 200)
		rows := list["bookings"].([]any)
		person := rows[0].(map[string]any)["people"].([]any)[0].(map[string]any)
		if len(rows) != 1 || person["name"] != "三田　1" || person["card"].(map[string]any)["storage_location"] != "B棚-1" ||
			person["card"].(map[string]any)["status"] != "reserved" {
			t.Fatalf("list %v", list)
		}
		early := call(t, h, "POST", "/api/v1/bookings/"+id+"/check-in", "", "", statusConflict)
		if errorCode(early) != "booking_state" {
			t.Fatalf("check-in before the day: %v", early)
		}
		e.at(t, "2026-12-01 08:55")
		call(t, h, "POST", "/api/v1/bookings/"+id+"/check-in", "", "", 200)
		pid := fmt.Sprint(person["id"])
		issued := call(t, h, "POST", "/api/v1/bookings/"+id+"/issue", `{"person_id":`+pid+`,"attendance":"self","documents_seen":["運転免許証"],"items_returned":["notification_card"]}`, "", 200)
		p0 := issued["booking"].(map[string]any)["people"].([]any)[0].(map[string]any)
		if p0["status"] != "issued" || p0["attendance_label"] != "本人" || p0["card"].(map[string]any)["status"] != "issued" {
			t.Fatalf("issued %v", issued)
		}
		bad := call(t, h, "POST", "/api/v1/bookings/"+id+"/issue", `{"attendance":"friend","documents_seen":[]}`, "", statusValidation)
		if errorCode(bad) != "invalid" {
			t.Fatalf("bad issue %v", bad)
		}
		e.at(t, "2026-12-01 09:45")
		done := call(t, h, "POST", "/api/v1/bookings/"+id+"/no-show", "", "", 200)
		if got := done["booking"].(map[string]any); got["status"] != "completed" || got["people"].([]any)[1].(map[string]any)["status"] != "no_show" {
			t.Fatalf("no-show of the one who did not come: %v", done)
		}
		call(t, h, "POST", "/api/v1/bookings/"+id+"/cancel", `{"reason":"x"}`, "", statusConflict)
		call(t, h, "GET", "/api/v1/bookings/"+id, "", "", 200)
		call(t, h, "GET", "/api/v1/bookings/999", "", "", 404)
		call(t, h, "GET", "/api/v1/bookings/availability?service=pickup&place=main&from=2026-12-02&to=2026-12-02&channel=counter", "", "", 200)
	})
}

func TestStaffCancelAfterCutoffNeedsOverride(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newBookingEnv(t, db, nil)
		h := e.router(auth.RoleStaff)
		created := call(t, h, "POST", "/api/v1/public/bookings", pickupBody("2026-12-01T09:00:00+09:00", "ABC-000001"), "", 201)
		code := created["booking"].(map[string]any)["code"].(string)
		list := call(t, h, "GET", "/api/v1/bookings?date=2026-12-01", "", "", 200)
		id := fmt.Sprint(list["bookings"].([]any)[0].(map[string]any)["id"])
		e.at(t, "2026-11-30 09:00")
		call(t, h, "POST", "/api/v1/bookings/"+id+"/cancel", "", "", statusConflict)
		call(t, h, "PATCH", "/api/v1/bookings/"+id, `{"start":"2026-12-02T09:00:00+09:00","override_cutoff":true}`, "", statusValidation)
		moved := call(t, h, "PATCH", "/api/v1/bookings/"+id, `{"start":"2026-12-02T09:00:00+09:00","override_cutoff":true,"reason":"電話で変更依頼"}`, "", 200)
		if moved["booking"].(map[string]any)["code"] != code || moved["booking"].(map[string]any)["date"] != "2026-12-02" {
			t.Fatalf("moved %v", moved)
		}
		call(t, h, "POST", "/api/v1/bookings/"+id+"/cancel", `{"override_cutoff":true,"reason":"電話で取消"}`, "", 200)
	})
}

func TestBookingSettingsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newBookingEnv(t, db, nil)
		admin := e.router(auth.RoleAdmin)
		st := call(t, admin, "GET", "/api/v1/settings/booking", "", "", 200)
		if st["timezone"] != "Asia/Tokyo" {
			t.Fatalf("settings %v", st)
		}
		st["max_days_ahead"] = 0
		doc, _ := json.Marshal(st)
		bad := call(t, admin, "PUT", "/api/v1/settings/booking", string(doc), "", statusValidation)
		if fields := bad["error"].(map[string]any)["fields"].([]any); fields[0].(map[string]any)["field"] != "max_days_ahead" {
			t.Fatalf("invalid settings %v", bad)
		}
		call(t, admin, "PUT", "/api/v1/settings/booking", `{"timezone":"Asia/Tokyo","typo":1}`, "", statusValidation)
		st["max_days_ahead"] = 31
		doc, _ = json.Marshal(st)
		if got := call(t, admin, "PUT", "/api/v1/settings/booking", string(doc), "", 200); got["max_days_ahead"] != 31.0 {
			t.Fatalf("saved %v", got)
		}
		for _, role := range []string{auth.RoleStaff, auth.RoleViewer} {
			call(t, e.router(role), "GET", "/api/v1/settings/booking", "", "", 403)
			call(t, e.router(role), "PUT", "/api/v1/settings/booking", string(doc), "", 403)
		}
		viewer := e.router(auth.RoleViewer)
		call(t, viewer, "GET", "/api/v1/bookings?date=2026-12-01", "", "", 200)
		call(t, viewer, "POST", "/api/v1/bookings/1/check-in", "", "", 403)
	})
}

// otherToken changes the last character of a token, always to a different
// one (replacing it with a fixed letter failed whenever it was that letter).
func otherToken(token string) string {
	last := "A"
	if strings.HasSuffix(token, "A") {
		last = "B"
	}
	return token[:len(token)-1] + last
}

// A JSON body must be sent as application/json: a text/plain body, which
// a form on another site can send without a preflight, is refused with
// 415 before anything is read or counted.
func TestJSONBodiesNeedTheJSONContentType(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newBookingEnv(t, db, nil)
		h := e.router("")
		body := `{"service":"pickup","place":"main","start":"2026-12-01T09:00:00+09:00","people":1}`
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
			req := httptest.NewRequest("POST", "/api/v1/public/holds", strings.NewReader(body))
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusUnsupportedMediaType || !strings.Contains(rec.Body.String(), `"code":"unsupported_media_type"`) {
				t.Fatalf("Content-Type %q: status %d: %s", ct, rec.Code, rec.Body.String())
			}
		}
		req := httptest.NewRequest("POST", "/api/v1/public/holds", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			t.Fatalf("application/json with a charset: status %d: %s", rec.Code, rec.Body.String())
		}
	})
}
