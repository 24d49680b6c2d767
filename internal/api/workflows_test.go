package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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

// switchAuthn lets requests in as whoever the test has chosen.
type switchAuthn struct {
	mu sync.Mutex
	p  auth.Principal
}

func (a *switchAuthn) Principal(*http.Request) (auth.Principal, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.p, nil
}

func (a *switchAuthn) as(p auth.Principal) {
	a.mu.Lock()
	a.p = p
	a.mu.Unlock()
}

var (
	wfStaff1 = auth.Principal{UserID: 3, Username: "suzuki", Role: auth.RoleStaff}
	wfStaff2 = auth.Principal{UserID: 4, Username: "ito", Role: auth.RoleStaff}
	wfAdmin  = auth.Principal{UserID: 1, Username: "admin", Role: auth.RoleAdmin}
	wfViewer = auth.Principal{UserID: 5, Username: "viewer", Role: auth.RoleViewer}
)

// workflowServer routes the workflow API on db with the clock at 10:30 in
// Tokyo on 2025-06-02.
func workflowServer(t *testing.T, db *store.DB) (http.Handler, *switchAuthn) {
	t.Helper()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	svc := ledger.New(db, clock.NewFixed(time.Date(2025, 6, 2, 1, 30, 0, 0, time.UTC)))
	authn := &switchAuthn{p: wfStaff1}
	rt := route.New(authn, func(w http.ResponseWriter, r *http.Request, err error) { api.WriteError(w, r, err) })
	(&api.WorkflowHandlers{Workflows: ledger.NewWorkflows(svc, tokyo), Loc: tokyo}).Register(rt)
	return rt, authn
}

type wfCase struct {
	apiCase
	who auth.Principal
}

func runWorkflowCases(t *testing.T, h http.Handler, authn *switchAuthn, cases []wfCase) {
	t.Helper()
	for _, tt := range cases { // in order: later cases see earlier changes
		t.Run(tt.name, func(t *testing.T) {
			who := tt.who
			if who.Username == "" {
				who = wfStaff1
			}
			authn.as(who)
			runAPICase(t, h, tt.apiCase)
		})
	}
}

func TestWorkflowAPINoticeReturnResend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "A1B-123456", Status: card.StatusSetupDone,
			Birth: "2012-01-01", Address: "三田市三輪1"})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Status: card.StatusArrived})
		h, authn := workflowServer(t, db)
		runWorkflowCases(t, h, authn, []wfCase{
			{apiCase: apiCase{"notice candidates", "GET", "/api/v1/notices/candidates", "", 200,
				[]string{`"total":1`, `"notice_number":"A1B-123456"`, `"today":"2025-06-02"`,
					`{"code":"under_15","label":"15歳未満（法定代理人の同行が必要）","level":"alert"}`}}},
			{apiCase: apiCase{"send notices", "POST", "/api/v1/notices", `{"card_ids":[1,2],"date":"2025-03-01"}`, 200,
				[]string{`"done":[1]`, `"failed":[{"card_id":2,"code":"illegal_transition"`}}},
			{apiCase: apiCase{"future notice date", "POST", "/api/v1/notices", `{"card_ids":[1],"date":"2025-06-03"}`, 422,
				[]string{`"field":"date"`}}},
			{apiCase: apiCase{"workflow page", "GET", "/api/v1/cards/1/workflow", "", 200,
				[]string{`"status":"notice_sent"`, `"first_notice":"2025-03-01"`, `"notice_deadline":"2025-05-30"`,
					`"notice_overdue":true`, `"renotice_due":false`, `"renotice_due_from":"2025-06-13"`, `"kind":"notice"`,
					`"address":"三田市三輪1"`, `"return":true`, `"rules":{"notice_valid_days":90`, `"reason":"通知書を発送（2025-03-01）"`}}},
			{apiCase: apiCase{"return without reason", "POST", "/api/v1/cards/1/return", `{"date":"2025-05-01"}`, 422,
				[]string{`"field":"reason"`}}},
			{apiCase: apiCase{"return", "POST", "/api/v1/cards/1/return", `{"date":"2025-05-01","reason":"address_unknown","version":2}`, 200,
				[]string{`"status":"notice_returned"`, `"returned":"2025-05-01"`, `"return_reason_label":"宛所不明"`,
					`"reason_label":"宛所不明"`, `"resend":true`, `"code":"notice_returned"`}}},
			{apiCase: apiCase{"returns list", "GET", "/api/v1/returns", "", 200,
				[]string{`"total":1`, `"return_reason":"address_unknown"`, `"disposal_rule":"returned"`, `"disposal_due_from":"2026-05-02"`}}},
			{apiCase: apiCase{"resend", "POST", "/api/v1/cards/1/resend",
				`{"date":"2025-06-01","postal_code":"6500001","address":"神戸市中央区加納町6丁目5番1号"}`, 200,
				[]string{`"status":"notice_sent"`, `"last_notice":"2025-06-01"`, `"kind":"resend"`, `"postal_code":"650-0001"`,
					`"mail_to":{"postal_code":"650-0001","address":"神戸市中央区加納町6丁目5番1号"}`}}},
			{apiCase: apiCase{"resend again", "POST", "/api/v1/cards/1/resend", `{"date":"2025-06-01","address":"x"}`, 409,
				[]string{`"code":"illegal_transition"`, `再送付できるのは`}}},
			{apiCase: apiCase{"viewer reads", "GET", "/api/v1/returns", "", 200, []string{`"total":0`}}, who: wfViewer},
			{apiCase: apiCase{"viewer acts", "POST", "/api/v1/cards/1/return", `{}`, 403, []string{`"code":"forbidden"`}}, who: wfViewer},
			{apiCase: apiCase{"missing card", "GET", "/api/v1/cards/99/workflow", "", 404, []string{`"code":"not_found"`}}},
		})
	})
}

func TestWorkflowAPIRenoticesAndDisposal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		old := ledgertest.Seed{App: 1, Notice: "A1B-000001", Status: card.StatusSetupDone}.Record()
		old.ExpiryDate = "2034-01-01"
		mustInsert(t, db, old)
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Notice: "A1B-000002", Status: card.StatusCancelled, Name: "廃止　花子"})
		h, authn := workflowServer(t, db)
		runWorkflowCases(t, h, authn, []wfCase{
			{apiCase: apiCase{"send an old notice", "POST", "/api/v1/notices", `{"card_ids":[1],"date":"2024-01-10"}`, 200,
				[]string{`"done":[1]`}}},
			{apiCase: apiCase{"renotices due", "GET", "/api/v1/renotices/due", "", 200,
				[]string{`"total":1`, `"renotice_due":true`, `"renotice_due_from":"2024-04-23"`}}},
			{apiCase: apiCase{"send renotices", "POST", "/api/v1/renotices", `{"card_ids":[1],"date":"2024-05-01"}`, 200,
				[]string{`"done":[1]`}}},
			{apiCase: apiCase{"disposals due", "GET", "/api/v1/disposals/due", "", 200,
				[]string{`"total":2`, `"disposal_rule":"renotice_expired"`, `"disposal_due_from":"2025-01-11"`,
					`"disposal_rule_label":"廃止されたカード"`, `"disposal_due_from":null`}}},
			{apiCase: apiCase{"hold", "PUT", "/api/v1/cards/2/disposal/hold", `{"reason":"長期入院","until":"2025-12-31"}`, 200,
				[]string{`"hold":{"reason":"長期入院","until":"2025-12-31","actor":"suzuki"`, `"held":true`, `"release_hold":true`}}},
			{apiCase: apiCase{"held list", "GET", "/api/v1/disposals/held", "", 200, []string{`"total":1`, `"id":2`}}},
			{apiCase: apiCase{"release", "DELETE", "/api/v1/cards/2/disposal/hold", "", 200, []string{`"hold":null`, `"held":false`}}},
			{apiCase: apiCase{"propose", "POST", "/api/v1/cards/2/disposal/proposal", `{"method":"shred","note":"定期廃棄"}`, 200,
				[]string{`"status":"disposal_pending"`, `"proposer":"suzuki"`, `"method_label":"裁断"`, `"confirm_disposal":true`}}},
			{apiCase: apiCase{"pending", "GET", "/api/v1/disposals/pending", "", 200, []string{`"total":1`, `"proposer":"suzuki"`}}},
			{apiCase: apiCase{"proposer confirms", "POST", "/api/v1/cards/2/disposal/confirmation", `{"date":"2025-06-02","method":"shred"}`, 403,
				[]string{`"code":"forbidden"`, `起案した職員（suzuki）`}}},
			{apiCase: apiCase{"second staff confirms", "POST", "/api/v1/cards/2/disposal/confirmation", `{"date":"2025-06-02","method":"dissolve"}`, 200,
				[]string{`"status":"disposed"`, `"disposed_date":"2025-06-02"`, `"confirmer":"ito"`, `"proposer":"suzuki"`,
					`"method":"dissolve"`, `"allowed_next":[]`}}, who: wfStaff2},
			{apiCase: apiCase{"disposed stays", "PUT", "/api/v1/cards/2/disposal/hold", `{"reason":"x","until":"2025-12-31"}`, 409,
				[]string{`"code":"illegal_transition"`, `「廃棄済」のカードは変更できません`}}, who: wfStaff2},
			{apiCase: apiCase{"dashboard", "GET", "/api/v1/dashboard", "", 200,
				[]string{`"funnel":[{"key":"arrived","label":"入荷","count":2}`, `"disposals_due":1`, `"no_shows_this_month":0`,
					`"issued_daily":[{"key":"2025-05-20"`, `"ages":["30日以内"`}}, who: wfViewer},
		})
	})
}

func mustInsert(t *testing.T, db *store.DB, rec store.CardRecord) store.CardRecord {
	t.Helper()
	if err := db.Update(t.Context(), func(tx *store.Tx) error { return tx.InsertCardRecord(t.Context(), &rec) }); err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestDisposalSettingsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h, authn := workflowServer(t, db)
		runWorkflowCases(t, h, authn, []wfCase{
			{apiCase: apiCase{"staff may not read", "GET", "/api/v1/settings/disposal", "", 403, []string{`"code":"forbidden"`}}},
			{apiCase: apiCase{"defaults", "GET", "/api/v1/settings/disposal", "", 200,
				[]string{`{"notice_valid_days":90,"renotice_after_days":14,"renotice_valid_days":30,"disposal_months":12,"disposal_from":"first_notice","returned_months":12}`}},
				who: wfAdmin},
			{apiCase: apiCase{"invalid", "PUT", "/api/v1/settings/disposal", `{"notice_valid_days":0,"renotice_after_days":14,"renotice_valid_days":30,"disposal_months":12,"disposal_from":"x","returned_months":12}`, 422,
				[]string{`"field":"notice_valid_days"`, `"field":"disposal_from"`}}, who: wfAdmin},
			{apiCase: apiCase{"unknown field", "PUT", "/api/v1/settings/disposal", `{"keep_forever":true}`, 422, []string{`"code":"invalid"`}}, who: wfAdmin},
			{apiCase: apiCase{"save", "PUT", "/api/v1/settings/disposal", `{"notice_valid_days":60,"renotice_after_days":7,"renotice_valid_days":30,"disposal_months":6,"disposal_from":"application","returned_months":12}`, 200,
				[]string{`"notice_valid_days":60`}}, who: wfAdmin},
			{apiCase: apiCase{"saved", "GET", "/api/v1/settings/disposal", "", 200, []string{`"disposal_from":"application"`}}, who: wfAdmin},
			{apiCase: apiCase{"staff may not save", "PUT", "/api/v1/settings/disposal", `{}`, 403, []string{`"code":"forbidden"`}}},
		})
	})
}

func TestWorkflowCSVIsAnExcelFile(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusCancelled, Name: "𠮷野　隆"})
	h, _ := workflowServer(t, db)
	for _, enc := range []string{"", "cp932"} {
		req := httptest.NewRequest("GET", "/api/v1/disposals/due.csv?encoding="+enc, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Disposition"), "disposals.csv") {
			t.Fatalf("%q: %d %v", enc, rec.Code, rec.Header())
		}
		if enc == "" && !strings.Contains(body, "𠮷野　隆") {
			t.Errorf("utf-8 csv %q", body)
		}
		if enc == "cp932" && strings.Contains(body, "𠮷") {
			t.Errorf("cp932 csv holds UTF-8")
		}
	}
	req := httptest.NewRequest("GET", "/api/v1/disposals/due.csv?encoding=ebcdic", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 422 {
		t.Errorf("unknown encoding: %d", rec.Code)
	}
}

func TestCardAnswersCarryTheFlags(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Birth: "2011-06-02", Flags: []string{"gaiji"}, Status: card.StatusNoticeReturned})
		h := cardServer(t, db, auth.RoleViewer)
		for _, path := range []string{"/api/v1/cards/1", "/api/v1/cards?status=notice_returned"} {
			runAPICase(t, h, apiCase{path, "GET", path, "", 200, []string{`"flags":["gaiji"]`,
				`"flag_details":[{"code":"under_15","label":"15歳未満（法定代理人の同行が必要）","level":"alert"},` +
					`{"code":"gaiji","label":"外字あり","level":"warn"},{"code":"notice_returned","label":"通知書の返戻あり","level":"warn"}]`}})
		}
	})
}
