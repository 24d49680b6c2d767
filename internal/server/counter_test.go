package server

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// bookCounterCard books a counter card on the citizen side and returns
// the booking code.
func bookCounterCard(t *testing.T, h *harness, start string, c counterCard) string {
	t.Helper()
	b, _, err := h.srv.city.Reserve.Book(ctx, auth.Meta{IP: "198.51.100.7"}, reserve.CreateRequest{Service: "pickup", Place: "main",
		Start: jstTime(t, start).Format(time.RFC3339), Email: "miwa@example.jp",
		People: []reserve.PersonInput{{NoticeNumber: c.notice, BirthDate: c.birth}}})
	if err != nil {
		t.Fatal(err)
	}
	return b.Code
}

func decodeBody(t *testing.T, res *http.Response) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// bearer sends a JSON request with a bearer token.
func (h *harness) bearer(method, path, token, body string) *http.Response {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.ts.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { res.Body.Close() })
	return res
}

func TestCheckInAndCallThroughTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(jstTime(t, "2026-11-20 10:00"))
		h := newClockHarness(t, db, clk)
		seedCounterCards(t, db)
		cards := counterCards()
		first := bookCounterCard(t, h, "2026-12-01 10:00", cards[0])
		tomorrow := bookCounterCard(t, h, "2026-12-02 10:00", cards[2])
		clk.Advance(jstTime(t, "2026-12-01 09:30").Sub(clk.Now()))
		staff := h.login("staff1")

		if res := h.do("POST", "/api/v1/checkins", nil, `{"code":"`+first+`","place":"main"}`); res.StatusCode != 401 {
			t.Fatalf("check-in without login: %d", res.StatusCode)
		}
		qr := reserve.FormatCode(first) // what the booking QR holds
		res := h.do("POST", "/api/v1/checkins", staff, `{"code":"`+qr+`","place":"main"}`)
		body := decodeBody(t, res)
		tk, _ := body["ticket"].(map[string]any)
		if res.StatusCode != 201 || tk["number"] != "A001" || tk["place"] != "main" || tk["position"] != 1.0 || tk["booking_id"] == nil {
			t.Fatalf("check-in: %d %v", res.StatusCode, body)
		}
		res = h.do("POST", "/api/v1/checkins", staff, `{"code":"`+cards[0].notice+`","place":"main"}`)
		if again := decodeBody(t, res)["ticket"].(map[string]any); res.StatusCode != 200 || again["number"] != "A001" {
			t.Fatalf("second check-in: %d %v", res.StatusCode, again)
		}
		for code, want := range map[string]struct {
			status int
			code   string
		}{tomorrow: {409, "not_today"}, "ZZZZ-ZZZZ": {404, "not_found"}, "???": {404, "not_found"}} {
			res := h.do("POST", "/api/v1/checkins", staff, `{"code":"`+code+`","place":"main"}`)
			if got := errorCode(t, res.Body); res.StatusCode != want.status || got != want.code {
				t.Errorf("check-in %s: %d %s, want %d %s", code, res.StatusCode, got, want.status, want.code)
			}
		}

		res = h.do("POST", "/api/v1/places/main/calls", staff, `{"desk":"2"}`)
		if call := decodeBody(t, res); res.StatusCode != 200 || call["ticket"] != "A001" || call["desk"] != "2" {
			t.Fatalf("call: %d %v", res.StatusCode, call)
		}
		res = h.do("POST", "/api/v1/places/main/calls", staff, `{"desk":"3"}`)
		if got := errorCode(t, res.Body); res.StatusCode != 404 || got != "queue_empty" {
			t.Fatalf("call on an empty queue: %d %s", res.StatusCode, got)
		}
		viewer := h.login("viewer1")
		if res := h.do("POST", "/api/v1/places/main/calls", viewer, `{"desk":"3"}`); res.StatusCode != 403 {
			t.Fatalf("viewer calls: %d", res.StatusCode)
		}
		res = h.do("GET", "/api/v1/counter/figures?days=3", viewer, "")
		fig := decodeBody(t, res)
		if days, _ := fig["by_desk"].([]any); res.StatusCode != 200 || len(days) != 1 || days[0].(map[string]any)["key"] != "2" {
			t.Fatalf("figures: %d %v", res.StatusCode, fig)
		}
	})
}

func TestDevicesCanCheckInAtTheirPlaceAndDoNothingElse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(jstTime(t, "2026-11-20 10:00"))
		h := newClockHarness(t, db, clk)
		seedCounterCards(t, db)
		cards := counterCards()
		code := bookCounterCard(t, h, "2026-12-01 10:00", cards[1])
		clk.Advance(jstTime(t, "2026-12-01 09:30").Sub(clk.Now()))
		admin := h.login("admin1")

		device := func(kind string) (string, float64) {
			res := h.do("POST", "/api/v1/devices", admin, `{"name":"入口の受付機","kind":"`+kind+`","place":"main"}`)
			body := decodeBody(t, res)
			token, _ := body["token"].(string)
			if res.StatusCode != 201 || !strings.HasPrefix(token, "kofu_device_") {
				t.Fatalf("create %s: %d %v", kind, res.StatusCode, body)
			}
			return token, body["device"].(map[string]any)["id"].(float64)
		}
		kiosk, kioskID := device("kiosk")
		display, _ := device("display")
		if res := h.do("POST", "/api/v1/devices", h.login("staff1"), `{"name":"x","kind":"kiosk","place":"main"}`); res.StatusCode != 403 {
			t.Fatalf("staff registers a device: %d", res.StatusCode)
		}

		res := h.bearer("POST", "/api/v1/checkins", kiosk, `{"code":"`+strings.ToLower(code)+`"}`)
		if tk := decodeBody(t, res)["ticket"].(map[string]any); res.StatusCode != 201 || tk["number"] != "A001" {
			t.Fatalf("kiosk check-in: %d %v", res.StatusCode, tk)
		}
		// The credential opens nothing but the device's own routes.
		for _, p := range []string{"/api/v1/cards?q=ミワ", "/api/v1/bookings", "/api/v1/auth/me"} {
			if res := h.bearer("GET", p, kiosk, ""); res.StatusCode != 401 {
				t.Errorf("kiosk GET %s: %d, want 401", p, res.StatusCode)
			}
		}
		if res := h.bearer("POST", "/api/v1/places/main/calls", kiosk, `{"desk":"1"}`); res.StatusCode != 401 {
			t.Errorf("kiosk calls: %d", res.StatusCode)
		}
		if res := h.bearer("POST", "/api/v1/checkins", display, `{"code":"`+code+`"}`); res.StatusCode != 403 {
			t.Errorf("display checks in: %d", res.StatusCode)
		}
		if res := h.bearer("GET", "/api/v1/places/main/board", display, ""); res.StatusCode != 200 {
			t.Errorf("display reads the board: %d", res.StatusCode)
		}
		// Unknown and malformed codes get one answer.
		a := decodeBody(t, h.bearer("POST", "/api/v1/checkins", kiosk, `{"code":"ZZZZ-ZZZZ"}`))
		b := decodeBody(t, h.bearer("POST", "/api/v1/checkins", kiosk, `{"code":"<script>"}`))
		if a["error"].(map[string]any)["message"] != b["error"].(map[string]any)["message"] {
			t.Errorf("unknown %v and malformed %v answered differently", a, b)
		}
		// Attempts are limited per device.
		limited := false
		for range 40 {
			if res := h.bearer("POST", "/api/v1/checkins", kiosk, `{"code":"ZZZZ-ZZZZ"}`); res.StatusCode == 429 {
				limited = true
				break
			}
		}
		if !limited {
			t.Error("a kiosk trying codes is never held back")
		}
		if res := h.do("DELETE", "/api/v1/devices/"+jsonID(kioskID), admin, ""); res.StatusCode != 204 {
			t.Fatalf("revoke: %d", res.StatusCode)
		}
		if res := h.bearer("POST", "/api/v1/checkins", kiosk, `{"code":"`+code+`"}`); res.StatusCode != 401 {
			t.Errorf("revoked kiosk: %d", res.StatusCode)
		}
	})
}

func jsonID(f float64) string { return strconv.FormatInt(int64(f), 10) }

// The resident's own page from the ticket's QR: the number, how many are
// ahead and a rough wait; nothing personal; a forged link finds nothing.
func TestTicketFollowPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(jstTime(t, "2026-11-20 10:00"))
		h := newClockHarness(t, db, clk)
		seedCounterCards(t, db)
		cards := counterCards()
		first := bookCounterCard(t, h, "2026-12-01 10:00", cards[0])
		second := bookCounterCard(t, h, "2026-12-01 10:00", cards[2])
		clk.Advance(jstTime(t, "2026-12-01 09:30").Sub(clk.Now()))
		staff := h.login("staff1")
		h.do("POST", "/api/v1/checkins", staff, `{"code":"`+first+`","place":"main"}`)
		res := h.do("POST", "/api/v1/checkins", staff, `{"code":"`+second+`","place":"main"}`)
		follow := decodeBody(t, res)["ticket"].(map[string]any)["follow_token"].(string)

		page := func(token string) (int, string) {
			res := h.do("GET", "/wait/"+token, nil, "")
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b)
		}
		status, body := page(follow)
		if status != 200 || !strings.Contains(body, "A002") || !strings.Contains(body, "あと 1 人・目安 10 分") {
			t.Fatalf("follow page: %d\n%s", status, body)
		}
		for _, c := range []string{"三輪", "有馬", cards[2].notice, second} {
			if strings.Contains(body, c) {
				t.Errorf("the follow page shows %q", c)
			}
		}
		h.do("POST", "/api/v1/places/main/calls", staff, `{"desk":"1"}`)
		h.do("POST", "/api/v1/places/main/calls", staff, `{"desk":"2"}`)
		if _, body := page(follow); !strings.Contains(body, "2 番窓口へお越しください") {
			t.Fatalf("follow page once called:\n%s", body)
		}
		id, _, _ := strings.Cut(follow, "-")
		for _, forged := range []string{id + "-AAAAAAAAAAAAAAAAAAAAAA", "1-" + strings.SplitN(follow, "-", 2)[1], "x"} {
			if status, _ := page(forged); status != 404 {
				t.Errorf("forged link %s: %d", forged, status)
			}
		}
	})
}

// TestTopPageShowsTodaysWaitWhenSwitchedOn: the citizen top page shows
// each place's wait only when the city switches it on, in the page's
// language, from figures kept for a while (issue #17 item 8).
func TestTopPageShowsTodaysWaitWhenSwitchedOn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(jstTime(t, "2026-11-20 10:00"))
		h := newClockHarness(t, db, clk)
		seedCounterCards(t, db)
		cards := counterCards()
		first := bookCounterCard(t, h, "2026-12-01 10:00", cards[0])
		second := bookCounterCard(t, h, "2026-12-01 10:00", cards[2])
		clk.Advance(jstTime(t, "2026-12-01 09:30").Sub(clk.Now()))
		top := func(path string) string {
			res := h.do("GET", path, nil, "")
			b, _ := io.ReadAll(res.Body)
			if res.StatusCode != 200 {
				t.Fatalf("GET %s: %d", path, res.StatusCode)
			}
			return string(b)
		}
		if body := top("/"); strings.Contains(body, "本日の窓口の待ち状況") {
			t.Fatal("the wait shows while the setting is off")
		}
		if res := h.do("PUT", "/api/v1/settings/counter", h.login("admin1"), `{"early_minutes":0,"minutes_per_ticket":10,"public_wait":true}`); res.StatusCode != 200 {
			t.Fatalf("save settings: %d", res.StatusCode)
		}
		staff := h.login("staff1")
		h.do("POST", "/api/v1/checkins", staff, `{"code":"`+first+`","place":"main"}`)
		h.do("POST", "/api/v1/checkins", staff, `{"code":"`+second+`","place":"main"}`)
		body := top("/")
		if !strings.Contains(body, "本日の窓口の待ち状況") || !strings.Contains(body, "市役所本庁 市民課：待ち 2 人・目安 20 分") || !strings.Contains(body, "09:30 時点の目安") {
			t.Fatalf("top page with the wait on:\n%s", body)
		}
		// A call changes the queue, but the page keeps its figures for a while.
		h.do("POST", "/api/v1/places/main/calls", staff, `{"desk":"1"}`)
		if body := top("/"); !strings.Contains(body, "待ち 2 人") {
			t.Fatalf("the top page read the database again at once:\n%s", body)
		}
		if body := top("/?lang=en"); !strings.Contains(body, "Today&#39;s wait at the counter") || !strings.Contains(body, "2 waiting, about 20 min") {
			t.Fatalf("English top page:\n%s", body)
		}
	})
}
