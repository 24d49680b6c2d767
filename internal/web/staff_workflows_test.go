package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/backup"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/gaiji"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// wfAuthn lets requests in as whoever the test has chosen.
type wfAuthn struct {
	mu sync.Mutex
	p  auth.Principal
}

func (a *wfAuthn) Principal(*http.Request) (auth.Principal, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.p, nil
}

func (a *wfAuthn) as(p auth.Principal) {
	a.mu.Lock()
	a.p = p
	a.mu.Unlock()
}

var (
	wfTanaka = auth.Principal{UserID: 7, Username: "tanaka", DisplayName: "田中 一郎", Role: auth.RoleStaff}
	wfSato   = auth.Principal{UserID: 8, Username: "sato", Role: auth.RoleStaff}
	wfBoss   = auth.Principal{UserID: 1, Username: "boss", Role: auth.RoleAdmin}
	wfViewer = auth.Principal{UserID: 9, Username: "miru", Role: auth.RoleViewer}
)

type wfHarness struct {
	t     *testing.T
	db    *store.DB
	ui    *UI
	rt    *route.Router
	h     http.Handler
	authn *wfAuthn
}

// newWFHarness serves the workflow pages with the clock at 10:30 in Tokyo
// on 2025-06-02.
func newWFHarness(t *testing.T, db *store.DB) *wfHarness {
	t.Helper()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFixed(time.Date(2025, 6, 2, 10, 30, 0, 0, tokyo))
	svc := ledger.New(db, clk)
	ui, err := New(Deps{Ledger: svc, Gaiji: gaiji.New(db, clk), Loc: tokyo})
	if err != nil {
		t.Fatal(err)
	}
	authn := &wfAuthn{p: wfTanaka}
	rt := route.New(authn, func(w http.ResponseWriter, r *http.Request, err error) { ui.ErrorPage(w, r, err) })
	ui.RegisterWorkflows(rt, ledger.NewWorkflows(svc, tokyo))
	return &wfHarness{t: t, db: db, ui: ui, rt: rt, h: rt, authn: authn}
}

func (h *wfHarness) get(path string) (int, string) {
	h.t.Helper()
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code, rec.Body.String()
}

// post sends a form; it returns the status, the redirect and the body.
func (h *wfHarness) post(path string, form url.Values) (int, string, string) {
	h.t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec.Code, rec.Header().Get("Location"), rec.Body.String()
}

func (h *wfHarness) actions(prefix string) []audit.Entry {
	h.t.Helper()
	var out []audit.Entry
	err := h.db.View(context.Background(), func(tx *store.Tx) error {
		_, err := tx.SearchAudit(context.Background(), store.AuditFilter{Action: prefix}, func(e audit.Entry) error {
			out = append(out, e)
			return nil
		})
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func TestDashboardPageDrawsAnAccessibleChart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusIssued})
		h := newWFHarness(t, db)
		h.authn.as(wfViewer)
		status, body := h.get("/staff/dashboard")
		if status != 200 {
			t.Fatalf("dashboard: %d %s", status, body)
		}
		mustContain(t, "dashboard", body, `<svg role="img" aria-labelledby="chart-daily-title chart-daily-desc"`,
			`<title id="chart-daily-title">日ごとの交付枚数（直近14日）</title>`, `<title id="chart-weekly-title">`,
			`<caption class="visually-hidden">週ごとの交付枚数（直近12週、月曜始まり）（グラフと同じ数値）</caption>`, `<th scope="row">入荷</th><td>1</td><td>100%</td>`,
			`<th scope="col">6/2（月）</th></tr>`, "保管中のカード", "納品日不明")
		if strings.Contains(body, "<script") || strings.Contains(body, "http://cdn") || strings.Contains(body, "style=") {
			t.Error("the dashboard needs no script, no CDN and no inline style")
		}
		if len(h.actions("dashboard.viewed")) != 1 {
			t.Error("dashboard view not recorded")
		}
	})
}

// TestDashboardWarnsOfMissingBackups: no backup on record is a warning, in
// the warning's colours, never in the green of a success.
func TestDashboardWarnsOfMissingBackups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newWFHarness(t, db)
		h.ui.Backups = func(context.Context) (backup.Status, error) { return backup.Status{}, nil }
		_, body := h.get("/staff/dashboard")
		mustContain(t, "dashboard", body, `<p class="warning"><span class="badge warn">要確認</span> バックアップの記録がありません。`)
		if strings.Contains(body, `<p class="notice"><span class="badge warn">`) {
			t.Error("a missing backup is shown as a success")
		}
	})
}

var versionField = regexp.MustCompile(`name="version" value="(\d+)"`)

func TestReturnAndResendFromTheCardPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusSetupDone, Birth: "2013-01-01"})
		h := newWFHarness(t, db)
		path := "/staff/cards/1/workflow"
		if _, loc, _ := h.post("/staff/cards/1/notice", url.Values{"date": {"2025-05-01"}}); loc != path+"?done=notice" {
			t.Fatalf("notice: %q", loc)
		}
		status, page := h.get(path + "?done=notice")
		if status != 200 {
			t.Fatalf("page: %d", status)
		}
		mustContain(t, "card page", page, "発送を記録しました。", "通知書発送済", "15歳未満（法定代理人の同行が必要）",
			"2025-07-30", `action="/staff/cards/1/return"`, "通知書を発送（2025-05-01）")
		version := versionField.FindStringSubmatch(page)[1]
		// A refused step keeps what was typed and shows the message at its field.
		status, _, page = h.post("/staff/cards/1/return", url.Values{"date": {"2025-05-20"}, "version": {version}, "note": {"付箋あり"}})
		if status != 422 {
			t.Fatalf("return without reason: %d", status)
		}
		mustContain(t, "refused return", page, "返戻の理由を選んでください", `value="付箋あり"`, `value="2025-05-20"`)
		_, loc, _ := h.post("/staff/cards/1/return", url.Values{"date": {"2025-05-20"}, "reason": {"refused"}, "version": {version}})
		if loc != path+"?done=return" {
			t.Fatalf("return: %q", loc)
		}
		_, page = h.get(path)
		mustContain(t, "returned card", page, "通知書返戻", "2025-05-20（受取拒否）", `action="/staff/cards/1/resend"`)
		_, returns := h.get("/staff/returns")
		mustContain(t, "returns list", returns, "1 枚", "受取拒否", "2026-05-21", "/staff/cards/1/workflow", "/staff/returns/print")
		_, printed := h.get("/staff/returns/print")
		mustContain(t, "returns print", printed, "職員限り", "返戻された通知書", "2025-05-20", "受取拒否", `<table class="sheet">`)
		if len(h.actions("card.returns_printed")) != 1 {
			t.Error("printing the returned-notice list is audited")
		}
		_, loc, _ = h.post("/staff/cards/1/resend", url.Values{"date": {"2025-06-01"}, "postal_code": {"6500001"}, "address": {"神戸市中央区1"}})
		if loc != path+"?done=resend" {
			t.Fatalf("resend: %q", loc)
		}
		_, page = h.get(path)
		mustContain(t, "re-sent card", page, "〒650-0001 神戸市中央区1", "再送付", "返戻")
		h.authn.as(wfViewer)
		_, page = h.get(path)
		if strings.Contains(page, `action="/staff/cards/1/return"`) {
			t.Error("a viewer sees no forms")
		}
		if status, _, _ := h.post("/staff/cards/1/return", url.Values{}); status != 403 {
			t.Errorf("viewer posts: %d", status)
		}
		_ = rec
	})
}

func TestTwoStaffDisposeThroughThePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "A1B-000001", Status: card.StatusCancelled})
		h := newWFHarness(t, db)
		_, list := h.get("/staff/disposals")
		mustContain(t, "disposal list", list, "A1B-000001", "廃止されたカード", "即時", "確認を待っているカードはありません")
		_, loc, _ := h.post("/staff/cards/1/disposal/propose", url.Values{"method": {"shred"}})
		if loc != "/staff/cards/1/workflow?done=propose" {
			t.Fatalf("propose: %q", loc)
		}
		_, page := h.get("/staff/cards/1/workflow")
		mustContain(t, "proposer's page", page, "あなたが起案しました")
		if strings.Contains(page, `action="/staff/cards/1/disposal/confirm"`) {
			t.Error("the proposer is offered the confirmation")
		}
		if status, _, body := h.post("/staff/cards/1/disposal/confirm", url.Values{"date": {"2025-06-02"}, "method": {"shred"}}); status != 403 ||
			!strings.Contains(body, "別の職員のアカウントで確認") {
			t.Errorf("proposer confirms: %d", status)
		}
		h.authn.as(wfSato)
		_, list = h.get("/staff/disposals")
		mustContain(t, "pending list", list, "tanaka", "裁断")
		_, page = h.get("/staff/cards/1/workflow")
		mustContain(t, "second staff's page", page, `action="/staff/cards/1/disposal/confirm"`, `<option value="shred" selected>`)
		_, loc, _ = h.post("/staff/cards/1/disposal/confirm", url.Values{"date": {"2025-06-02"}, "method": {"shred"}})
		if loc != "/staff/cards/1/workflow?done=confirm" {
			t.Fatalf("confirm: %q", loc)
		}
		_, page = h.get("/staff/cards/1/workflow?done=confirm")
		mustContain(t, "disposed card", page, "廃棄済", "確認 sato", "このカードに行える操作はありません")
	})
}

func TestRenoticeListBatchCSVAndPrint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "A1B-000001", Status: card.StatusSetupDone, Name: "三輪　直美"})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Notice: "A1B-000002", Status: card.StatusArrived})
		h := newWFHarness(t, db)
		_, notices := h.get("/staff/notices")
		mustContain(t, "notice candidates", notices, "1 枚", `name="page_card" value="1"`)
		// Ticking a card that cannot be sent shows why, card by card.
		status, _, page := h.post("/staff/notices", url.Values{"card": {"1", "2"}, "date": {"2025-01-06"}})
		if status != 200 {
			t.Fatalf("batch with a refusal: %d", status)
		}
		mustContain(t, "batch result", page, "1枚は記録できませんでした（1枚は記録しました）", "カード 2", "現在の状態「入荷済」")
		_, renotices := h.get("/staff/renotices")
		mustContain(t, "renotice list", renotices, "三輪　直美", "2025-04-06", "2025-04-20", "/staff/renotices/print")
		_, csv := h.get("/staff/renotices/export.csv")
		mustContain(t, "csv", csv, "再通知の対象日", "A1B-000001")
		h.authn.as(auth.Principal{UserID: 7, Username: "tanaka", DisplayName: "田中 一郎", Role: auth.RoleStaff})
		_, printed := h.get("/staff/renotices/print")
		mustContain(t, "print view", printed, "職員限り", "印刷者：田中 一郎（tanaka）", "2025-06-02 10:30", "三輪　直美", `<table class="sheet">`)
		_, loc, _ := h.post("/staff/renotices", url.Values{"all": {"1"}, "page_card": {"1"}, "date": {"2025-06-02"}})
		if loc != "/staff/renotices?done=1" {
			t.Fatalf("renotice batch: %q", loc)
		}
		_, renotices = h.get("/staff/renotices?done=1")
		mustContain(t, "after the batch", renotices, "1枚のカードについて記録しました。", "再通知の対象となるカードはありません。")
		for _, action := range []string{"card.notice_candidates_listed", "card.renotices_listed", "card.renotices_exported",
			"card.renotices_printed", "card.renotice_sent"} {
			if len(h.actions(action)) == 0 {
				t.Errorf("%s not recorded", action)
			}
		}
	})
}

func TestDisposalSettingsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newWFHarness(t, db)
		if status, _ := h.get("/staff/settings/disposal"); status != 403 {
			t.Errorf("staff opens the settings: %d", status)
		}
		h.authn.as(wfBoss)
		_, page := h.get("/staff/settings/disposal")
		mustContain(t, "settings", page, `name="notice_valid_days" inputmode="numeric" value="90"`, `<option value="first_notice" selected>`)
		form := url.Values{"notice_valid_days": {"60"}, "renotice_after_days": {"十"}, "renotice_valid_days": {"30"},
			"disposal_months": {"0"}, "disposal_from": {"application"}, "returned_months": {"12"}}
		status, _, page := h.post("/staff/settings/disposal", form)
		if status != 422 {
			t.Fatalf("invalid settings: %d", status)
		}
		mustContain(t, "refused settings", page, "半角の整数で入力してください。", `value="60"`)
		form.Set("renotice_after_days", "10")
		status, _, page = h.post("/staff/settings/disposal", form)
		mustContain(t, "range", page, "1 以上 120 以下の月数")
		form.Set("disposal_months", "6")
		if _, loc, _ := h.post("/staff/settings/disposal", form); loc != "/staff/settings/disposal?done=saved" {
			t.Fatalf("save: %q", loc)
		}
		_, page = h.get("/staff/settings/disposal?done=saved")
		mustContain(t, "saved", page, "設定を保存しました。", `value="6"`, `<option value="application" selected>`)
		if len(h.actions("settings.disposal_changed")) != 1 {
			t.Error("settings change not recorded")
		}
		_ = status
	})
}

func TestCardPagesShowTheFlags(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	rec := ledgertest.Seed{App: 1, Birth: "2011-06-03", Status: card.StatusNoticeSent, Method: card.MethodAtApplication}.Record()
	rec.Status, rec.Application.FastTrack = card.StatusMailed, true
	if err := db.Update(context.Background(), func(tx *store.Tx) error { return tx.InsertCardRecord(context.Background(), &rec) }); err != nil {
		t.Fatal(err)
	}
	h := newWFHarness(t, db)
	h.ui.registerCards(h.rt)
	for _, path := range []string{"/staff/cards/1", "/staff/cards?q=" + url.QueryEscape("見本")} {
		status, body := h.get(path)
		if status != 200 {
			t.Fatalf("%s: %d", path, status)
		}
		mustContain(t, path, body, `<span class="badge warn">15歳未満（法定代理人の同行が必要）</span>`,
			`<span class="badge">申請時来庁</span>`, `<span class="badge warn">特急発行</span>`)
	}
	_, page := h.get("/staff/cards/1")
	mustContain(t, "card page", page, `href="/staff/cards/1/workflow"`)
}

// TestCardPageOffersOnlyAllowedMoves: the heading names the card, the
// buttons are the moves the card allows now (none for a reserved card,
// whose moves belong to the counter), and cancelling stands apart as a
// dangerous button with its reason.
func TestCardPageOffersOnlyAllowedMoves(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "ABC-000001", Status: card.StatusNoticeSent})
	ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Notice: "ABC-000002", Status: card.StatusReserved})
	h := newWFHarness(t, db)
	h.ui.registerCards(h.rt)
	_, waiting := h.get("/staff/cards/1")
	mustContain(t, "waiting card", waiting, `<h1>カード ABC-000001</h1>`, `<title>カード ABC-000001 | Kofu 交付管理</title>`,
		`<button type="submit" name="to" value="issued" class="small">交付済にする</button>`,
		`<button type="submit" name="to" value="cancelled" class="danger">廃止にする</button>`)
	// Enter in the reason field submits with the form's first button: a disabled one.
	if !regexp.MustCompile(`action="/staff/cards/1/transition">\s*<button type="submit" disabled hidden></button>`).MatchString(waiting) {
		t.Error("Enter in the reason field presses the first move")
	}
	if strings.Contains(waiting, `value="reserved"`) || strings.Contains(waiting, `value="cancelled" class="small"`) {
		t.Error("the card page offers a move the card page cannot make, or cancelling among the harmless buttons")
	}
	_, reserved := h.get("/staff/cards/2")
	mustContain(t, "reserved card", reserved, `<h1>カード ABC-000002</h1>`, `このカードには交付予約があります。`, `<a href="/staff/counter">交付窓口</a>`)
	if strings.Contains(reserved, `name="to"`) {
		t.Error("a reserved card offers moves that always fail")
	}
	if strings.Contains(waiting, "/staff/print/handover/") {
		t.Error("a card not issued links a hand-over slip")
	}
	ledgertest.MustCard(t, db, ledgertest.Seed{App: 3, Notice: "ABC-000003", Status: card.StatusIssued})
	_, issued := h.get("/staff/cards/3")
	mustContain(t, "issued card", issued, `<a href="/staff/print/handover/3">交付引渡票を印刷</a>`)
}

// TestGaijiReviewLinksHaveText: a card with 外字 but without a notice
// number (an at-application card) still gets a link with words.
func TestGaijiReviewLinksHaveText(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Name: "\ue000田　花子", Gaiji: true, Flags: []string{card.FlagGaiji}, Status: card.StatusSetupDone, Method: card.MethodAtApplication})
	h := newWFHarness(t, db)
	h.ui.registerGaiji(h.rt)
	_, body := h.get("/staff/gaiji")
	mustContain(t, "gaiji", body, `<a href="/staff/cards/1">（未設定）</a>`)
}
