package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/api"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// stubAuthn lets every request in as one principal.
type stubAuthn struct{ p auth.Principal }

func (a stubAuthn) Principal(*http.Request) (auth.Principal, error) { return a.p, nil }

// cardServer routes the card API for a caller of the role on db.
func cardServer(t *testing.T, db *store.DB, role string) http.Handler {
	t.Helper()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	svc := ledger.New(db, clock.NewFixed(time.Date(2025, 6, 2, 1, 30, 0, 0, time.UTC)))
	rt := route.New(stubAuthn{auth.Principal{UserID: 3, Username: "suzuki", Role: role}},
		func(w http.ResponseWriter, r *http.Request, err error) { api.WriteError(w, r, err) })
	(&api.CardHandlers{Ledger: svc, Loc: tokyo}).Register(rt)
	return rt
}

func seedAPICards(t *testing.T, db *store.DB) {
	t.Helper()
	ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "A1B-123456", Name: "三輪　直美", Kana: "ミワ　ナオミ",
		Birth: "1977-07-28", Sex: "female", Delivery: "2025-03-01", Storage: "A棚-1", Flags: []string{"gaiji"}})
	ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Name: "𠮷野　隆", Kana: "ﾖｼﾉ ﾀｶｼ", Status: card.StatusSetupDone})
}

type apiCase struct {
	name, method, path, body string
	status                   int
	want                     []string // substrings of the answer
}

func TestCardAPI(t *testing.T) {
	tests := []apiCase{
		{"search by half-width kana", "GET", "/api/v1/cards?q=%EF%BE%90%EF%BE%9C", "", 200,
			[]string{`"total":1`, `"name":"三輪　直美"`, `"notice_number":"A1B-123456"`, `"status_label":"入荷済"`,
				`"method":"counter"`, `"method_label":"交付時来庁方式"`, `"flags":["gaiji"]`, `"birth_date":"1977-07-28"`,
				`"sex":"female"`, `"address":`, `"storage_location":"A棚-1"`, `"remarks":""`, `"application_id":"00000000000000000000001"`,
				`"created_at":"2025-04-01T18:00:00+09:00"`}},
		{"search keeps 𠮷", "GET", "/api/v1/cards?q=%F0%A0%AE%B7", "", 200, []string{`"total":1`, `"name":"𠮷野　隆"`}},
		{"several statuses", "GET", "/api/v1/cards?status=arrived&status=setup_done&sort=-kana&limit=1", "", 200,
			[]string{`"total":2`, `"limit":1`, `"name":"𠮷野　隆"`}},
		{"nothing found", "GET", "/api/v1/cards?notice_number=Z9Z-000000", "", 200, []string{`{"cards":[],"total":0`}},
		{"bad paging", "GET", "/api/v1/cards?limit=ten", "", 422, []string{`"code":"invalid"`, `"field":"limit"`}},
		{"bad date", "GET", "/api/v1/cards?birth_date=1977-02-30", "", 422, []string{`"field":"birth_date"`}},
		{"card page", "GET", "/api/v1/cards/1", "", 200,
			[]string{`"card":{"id":1`, `"events":[]`, `"allowed_next":[{"status":"setup_done","label":"交付前設定済"}`}},
		{"missing card", "GET", "/api/v1/cards/99", "", 404, []string{`"code":"not_found"`}},
		{"not a card id", "GET", "/api/v1/cards/abc", "", 404, []string{`"code":"not_found"`}},
		{"legal transition", "POST", "/api/v1/cards/1/transitions", `{"to":"setup_done","reason":"IC確認済"}`, 200,
			[]string{`"status":"setup_done"`, `"version":2`, `"from_status":"arrived"`, `"to_label":"交付前設定済"`,
				`"reason":"IC確認済"`, `"at":"2025-06-02T10:30:00+09:00"`, `"actor":"suzuki"`}},
		{"illegal transition", "POST", "/api/v1/cards/2/transitions", `{"to":"issued"}`, 409,
			[]string{`{"error":{"code":"illegal_transition","message":"現在の状態「交付前設定済」からは「交付済」に変更できません"}}`}},
		{"cancel needs a reason", "POST", "/api/v1/cards/2/transitions", `{"to":"cancelled"}`, 422,
			[]string{`"code":"cancel_reason_required"`}},
		{"cancel with a reason", "POST", "/api/v1/cards/2/transitions", `{"to":"cancelled","cancel_reason":"moved_out"}`, 200,
			[]string{`"cancel_reason":"moved_out"`, `"cancel_reason_label":"転出"`}},
		{"unknown body field", "POST", "/api/v1/cards/1/transitions", `{"to":"setup_done","force":true}`, 422,
			[]string{`"code":"invalid"`}},
		{"remarks", "PUT", "/api/v1/cards/1/remarks", `{"remarks":"本人より電話あり","version":2}`, 200,
			[]string{`"remarks":"本人より電話あり"`, `"kind":"remarks"`, `"new_value":"本人より電話あり"`}},
		{"stale remarks", "PUT", "/api/v1/cards/1/remarks", `{"remarks":"上書き","version":2}`, 409,
			[]string{`"code":"conflict"`}},
		{"storage location", "PUT", "/api/v1/cards/1/storage-location", `{"storage_location":"Ｂ棚－２"}`, 200,
			[]string{`"storage_location":"B棚-2"`, `"field":"storage_location","old_value":"A棚-1","new_value":"B棚-2"`}},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seedAPICards(t, db)
		h := cardServer(t, db, auth.RoleStaff)
		for _, tt := range tests { // in order: later cases see earlier changes
			t.Run(tt.name, func(t *testing.T) { runAPICase(t, h, tt) })
		}
	})
}

func runAPICase(t *testing.T, h http.Handler, tt apiCase) {
	t.Helper()
	req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Code != tt.status {
		t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, body)
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("not JSON: %s", body)
	}
	for _, w := range tt.want {
		if !strings.Contains(body, w) {
			t.Errorf("answer lacks %s:\n%s", w, body)
		}
	}
}

func TestViewersReadButChangeNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seedAPICards(t, db)
		h := cardServer(t, db, auth.RoleViewer)
		for _, tt := range []apiCase{
			{"search", "GET", "/api/v1/cards", "", 200, []string{`"total":2`}},
			{"card page", "GET", "/api/v1/cards/1", "", 200, []string{`"id":1`}},
			{"transition", "POST", "/api/v1/cards/1/transitions", `{"to":"setup_done"}`, 403, []string{`"code":"forbidden"`}},
			{"remarks", "PUT", "/api/v1/cards/1/remarks", `{"remarks":"x"}`, 403, []string{`"code":"forbidden"`}},
			{"storage", "PUT", "/api/v1/cards/1/storage-location", `{"storage_location":"x"}`, 403, []string{`"code":"forbidden"`}},
		} {
			t.Run(tt.name, func(t *testing.T) { runAPICase(t, h, tt) })
		}
	})
}
