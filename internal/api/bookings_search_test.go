package api_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestStaffSearchesBookingsAcrossDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newBookingEnv(t, db, nil)
		pub, h := e.router(""), e.router("viewer")
		first := call(t, pub, "POST", "/api/v1/public/bookings", pickupBody("2026-12-01T09:00:00+09:00", "ABC-000001", "ABC-000002"), "", 201)
		call(t, pub, "POST", "/api/v1/public/bookings", pickupBody("2026-12-03T09:00:00+09:00", "ABC-000003"), "", 201)
		code := first["booking"].(map[string]any)["code"].(string)

		got := call(t, h, "GET", "/api/v1/bookings?code="+strings.ReplaceAll(code, "-", ""), "", "", 200)
		bs := got["bookings"].([]any)
		if got["total"] != 1.0 || len(bs) != 1 {
			t.Fatalf("by code: %v", got)
		}
		b := bs[0].(map[string]any)
		person := b["people"].([]any)[1].(map[string]any)
		if b["code"] != code || b["start"] != "2026-12-01T09:00:00+09:00" || b["place"] != "main" || b["status"] != "booked" ||
			b["id"] == nil || person["card_id"] == nil || person["notice_number"] != "ABC-000002" || person["name"] != "三田　2" {
			t.Fatalf("a booking names its people: %v", b)
		}
		for q, want := range map[string]float64{
			"notice_number=abc000003":                     1,
			"q=" + url.QueryEscape("三田"):                  2,
			"from=2026-12-02&to=2026-12-31":               1,
			"from=2026-12-01&place=main&status=cancelled": 0,
			"from=2026-12-01&status=booked,checked_in":    2,
		} {
			if got := call(t, h, "GET", "/api/v1/bookings?"+q, "", "", 200); got["total"] != want {
				t.Errorf("%s: %v", q, got["total"])
			}
		}
		for _, q := range []string{"code=ABCD", "from=2026-02-30", "status=lost&from=2026-12-01", "from=2026-12-02&to=2026-12-01"} {
			if got := call(t, h, "GET", "/api/v1/bookings?"+q, "", "", statusValidation); errorCode(got) != "invalid" {
				t.Errorf("%s: %v", q, got)
			}
		}
		// The day's list keeps answering ?date=, now with its total.
		if got := call(t, h, "GET", "/api/v1/bookings?date=2026-12-01", "", "", 200); got["total"] != 1.0 {
			t.Errorf("the day's list: %v", got)
		}

		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/bookings/export.csv?from=2026-12-01&to=2026-12-31&encoding=cp932", nil))
		text, _, err := moji.DecodeCP932(rec.Body.Bytes())
		if rec.Code != 200 || err != nil || strings.Count(text, "三田") != 3 || !strings.Contains(text, code) {
			t.Fatalf("export: %d %v\n%s", rec.Code, err, text)
		}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/bookings/export.csv?encoding=ebcdic", nil))
		if rec.Code != statusValidation {
			t.Fatalf("unknown encoding: %d", rec.Code)
		}
	})
}
