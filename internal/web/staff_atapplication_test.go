package web

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/sitetext"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// newAtAppHarness adds the 申請時来庁 and print pages to the workflow
// harness, on the same clock (10:30 in Tokyo on 2025-06-02).
func newAtAppHarness(t *testing.T, db *store.DB) *wfHarness {
	t.Helper()
	h := newWFHarness(t, db)
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	wf := ledger.NewWorkflows(ledger.New(db, clock.NewFixed(time.Date(2025, 6, 2, 10, 30, 0, 0, tokyo))), tokyo)
	h.ui.RegisterAtApplication(h.rt, wf)
	h.ui.RegisterPrint(h.rt, wf)
	return h
}

func (h *wfHarness) mustStep(path string, form url.Values, want string) {
	h.t.Helper()
	status, loc, body := h.post(path, form)
	if loc != want {
		h.t.Fatalf("%s: %d %q\n%s", path, status, loc, body)
	}
}

func TestAtApplicationJourneyFromThePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newAtAppHarness(t, db)
		app := ledgertest.AppID(1)
		status, _, body := h.post("/staff/atapp/visit", url.Values{"application_id": {app}, "date": {"2025-04-01"},
			"identity_checked": {"1"}})
		if status != 422 {
			t.Fatalf("visit without a document: %d", status)
		}
		mustContain(t, "refused visit", body, "確認した本人確認書類", `value="`+app+`"`)
		h.mustStep("/staff/atapp/visit", url.Values{"application_id": {app}, "date": {"2025-04-01"}, "identity_checked": {"1"},
			"identity_document": {"運転免許証"}, "pin_form_received": {"1"}, "items_returned": {"notification_card"}}, "/staff/atapp/visit?done=1")

		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Method: card.MethodAtApplication, Status: card.StatusSetupDone, Name: "郵送　花子"})
		path := "/staff/cards/1/atapp"
		_, page := h.get(path)
		mustContain(t, "card page", page, "郵送　花子", "済（運転免許証）", "通知カード", `action="/staff/cards/1/atapp/mail"`)
		h.mustStep(path+"/mail", url.Values{"date": {"2025-05-01"}, "tracking_number": {"1234-5678-9012"}}, path+"?done=mail")
		h.mustStep(path+"/returned", url.Values{"date": {"2025-05-03"}, "reason": {"moved_unknown"}}, path+"?done=returned")
		status, _, body = h.post(path+"/mail", url.Values{"date": {"2025-05-10"}, "tracking_number": {"123456789012"}})
		if status != 422 || !strings.Contains(body, "この追跡番号はすでに") {
			t.Fatalf("re-mail with the same number: %d", status)
		}
		h.mustStep(path+"/mail", url.Values{"date": {"2025-05-10"}, "tracking_number": {"98765432109"}}, path+"?done=mail")
		h.mustStep(path+"/delivered", url.Values{"date": {"2025-05-12"}}, path+"?done=delivered")
		_, page = h.get(path + "?done=delivered")
		mustContain(t, "after delivery", page, "配達を記録しました。", "交付済", "123456789012", "転居先不明", "98765432109",
			"配達済（交付）", "郵送で交付（配達 2025-05-12、追跡番号 98765432109）", "/staff/print/handover/1")
		for _, a := range []string{"application.visit_recorded", "card.mailed", "card.mail_returned", "card.remailed", "card.mail_delivered"} {
			if len(h.actions(a)) != 1 {
				t.Errorf("audit %s: %d", a, len(h.actions(a)))
			}
		}
		h.authn.as(wfViewer)
		if status, _, _ := h.post(path+"/pickup", url.Values{}); status != 403 {
			t.Errorf("viewer acts: %d", status)
		}
	})
}

func TestIssuedListAndHandoverSlipPrints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newAtAppHarness(t, db)
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusNoticeSent, Name: "交付　一郎", Notice: "A1B-000001"})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Status: card.StatusNoticeSent, Name: "隣人　二郎", Notice: "A1B-000002"})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 3, Status: card.StatusNoticeSent, Name: "未交付　三郎"})
		wf := ledger.NewWorkflows(ledger.New(db, clock.NewFixed(time.Date(2025, 6, 2, 1, 30, 0, 0, time.UTC))), nil)
		for _, id := range []int64{1, 2} {
			if _, err := wf.Transition(t.Context(), wfTanaka, auth.Meta{IP: "10.0.0.5"}, id, card.StatusIssued, "窓口で交付", ""); err != nil {
				t.Fatal(err)
			}
		}
		status, list := h.get("/staff/print/issued")
		if status != 200 {
			t.Fatalf("issued list: %d %s", status, list)
		}
		mustContain(t, "issued list", list, "職員限り", "印刷者：田中 一郎（tanaka）", "2025-06-02 10:30", "交付者一覧（2025-06-02）",
			"交付　一郎", "隣人　二郎", "10:30", `<table class="sheet">`)
		if strings.Contains(list, "未交付　三郎") {
			t.Error("the issuance list shows a card not issued")
		}
		if _, other := h.get("/staff/print/issued?date=2025-06-01"); !strings.Contains(other, "この日に交付したカードはありません。") {
			t.Error("another day's list is not empty")
		}
		status, slip := h.get("/staff/print/handover/1")
		if status != 200 {
			t.Fatalf("slip: %d %s", status, slip)
		}
		mustContain(t, "slip", slip, "交付引渡票", "職員限り", "印刷者：田中 一郎（tanaka）", "交付　一郎", "A1B-000001",
			"☐ 通知カード", "☐ 住基カード")
		for _, other := range []string{"隣人　二郎", "A1B-000002", "未交付　三郎", ledgertest.AppID(2)} {
			if strings.Contains(slip, other) {
				t.Errorf("the slip of one resident shows %q", other)
			}
		}
		if status, _ := h.get("/staff/print/handover/3"); status != 409 {
			t.Errorf("slip of a card not issued: %d", status)
		}
		if len(h.actions("card.issued_list_printed")) != 2 || len(h.actions("card.handover_slip_printed")) != 1 {
			t.Error("printouts are audited")
		}
	})
}

// TestHandoverSlipOfAChild: the slip is headed by the city's office and the
// form number, not the screen's title; a holder under 15 on the handover
// day gets the legal representative's line and signature.
func TestHandoverSlipOfAChild(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	h := newAtAppHarness(t, db)
	clk := clock.NewFixed(time.Date(2025, 6, 2, 1, 30, 0, 0, time.UTC))
	h.ui.Texts = sitetext.New(db, clk)
	if _, err := h.ui.Texts.Save(t.Context(), wfTanaka, auth.Meta{}, "help.office", map[string]string{"ja": "三田市役所 市民課"}); err != nil {
		t.Fatal(err)
	}
	ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusNoticeSent, Name: "交付　花子", Birth: "2010-06-03"})
	ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Status: card.StatusNoticeSent, Name: "交付　一郎", Birth: "2010-06-02"})
	wf := ledger.NewWorkflows(ledger.New(db, clk), nil)
	for _, id := range []int64{1, 2} {
		if _, err := wf.Transition(t.Context(), wfTanaka, auth.Meta{}, id, card.StatusIssued, "窓口で交付", ""); err != nil {
			t.Fatal(err)
		}
	}
	_, child := h.get("/staff/print/handover/1")
	mustContain(t, "child's slip", child, `<h1>交付引渡票</h1>`, `<p class="sheet-head"><span>三田市役所 市民課</span><span>様式 KOFU-01</span></p>`,
		`<th scope="row">法定代理人</th>`, "受領者署名（法定代理人）", `<ul class="checklist">`)
	if strings.Contains(child, "印刷用") {
		t.Error("the slip prints the screen's title")
	}
	// Fifteen on the handover day: no representative.
	if _, adult := h.get("/staff/print/handover/2"); strings.Contains(adult, "法定代理人") {
		t.Error("a 15-year-old's slip asks for a legal representative")
	}
}
