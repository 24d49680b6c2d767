package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/api"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// atAppServer routes the 申請時来庁 API on db with the clock at 10:30 in
// Tokyo on 2025-06-02.
func atAppServer(t *testing.T, db *store.DB) (http.Handler, *switchAuthn) {
	t.Helper()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	svc := ledger.New(db, clock.NewFixed(time.Date(2025, 6, 2, 1, 30, 0, 0, time.UTC)))
	authn := &switchAuthn{p: wfStaff1}
	rt := route.New(authn, func(w http.ResponseWriter, r *http.Request, err error) { api.WriteError(w, r, err) })
	(&api.AtApplicationHandlers{Workflows: ledger.NewWorkflows(svc, tokyo), Loc: tokyo}).Register(rt)
	return rt, authn
}

func TestAtApplicationAPIJourney(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h, authn := atAppServer(t, db)
		app := ledgertest.AppID(1)
		runWorkflowCases(t, h, authn, []wfCase{
			{apiCase: apiCase{"visit", "POST", "/api/v1/application-visits", `{"application_id":"` + app +
				`","date":"2025-04-01","identity_checked":true,"identity_document":"運転免許証","pin_form_received":true,"items_returned":["juki_card"]}`,
				200, []string{`"identity_document":"運転免許証"`, `"items_returned":["juki_card"]`, `"actor":"suzuki"`}}},
			{apiCase: apiCase{"visit without document", "POST", "/api/v1/application-visits", `{"application_id":"` + app +
				`","date":"2025-04-01","identity_checked":true}`, 422, []string{`"field":"identity_document"`}}},
		})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Method: card.MethodAtApplication, Status: card.StatusSetupDone})
		runWorkflowCases(t, h, authn, []wfCase{
			{apiCase: apiCase{"card page", "GET", "/api/v1/cards/1/at-application", "", 200,
				[]string{`"visit":{"application_id":"` + app, `"mailings":[]`, `"steps":{"mail":true`}}},
			{apiCase: apiCase{"mail", "POST", "/api/v1/cards/1/mailings", `{"date":"2025-05-01","tracking_number":"1234-5678-9012"}`, 200,
				[]string{`"status":"mailed"`, `"tracking_number":"123456789012"`, `"outcome":""`}}},
			{apiCase: apiCase{"returned", "POST", "/api/v1/cards/1/mailings/returned", `{"date":"2025-05-03","reason":"refused"}`, 200,
				[]string{`"status":"mail_returned"`, `"return_reason_label":"受取拒否"`}}},
			{apiCase: apiCase{"re-mail", "POST", "/api/v1/cards/1/mailings", `{"date":"2025-05-10","tracking_number":"98765432109"}`, 200,
				[]string{`"status":"mailed"`, `"tracking_number":"98765432109"`}}},
			{apiCase: apiCase{"viewer acts", "POST", "/api/v1/cards/1/mailings/delivered", `{}`, 403, []string{`"forbidden"`}}, who: wfViewer},
			{apiCase: apiCase{"delivered", "POST", "/api/v1/cards/1/mailings/delivered", `{"date":"2025-05-12"}`, 200,
				[]string{`"status":"issued"`, `"outcome":"delivered"`}}},
			{apiCase: apiCase{"pickup of an issued card", "POST", "/api/v1/cards/1/counter-pickup", `{"date":"2025-05-12","identity_document":"旅券"}`, 409,
				[]string{`"code":"illegal_transition"`}}},
			{apiCase: apiCase{"issued today", "GET", "/api/v1/issued", "", 200,
				[]string{`"date":"2025-06-02"`, `"issued_by":"suzuki"`, `"status":"issued"`}}, who: wfViewer},
		})
	})
}
