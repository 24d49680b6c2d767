package server

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func tokyoToday() string {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	return time.Now().In(tokyo).Format(time.DateOnly)
}

// 申請時来庁 cards are mailed and returned with a tracking number on their
// own page: the generic notice steps refuse them and say where to go.
func TestGenericNoticeStepsPointAtApplicationCardsToTheirPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		setup := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusSetupDone, Method: card.MethodAtApplication})
		mailed := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Status: card.StatusMailed, Method: card.MethodAtApplication})
		counter := ledgertest.MustCard(t, db, ledgertest.Seed{App: 3, Notice: "GAP-000003", Status: card.StatusSetupDone})
		api := h.login("staff1")
		res := h.do("POST", "/api/v1/cards/"+strconv.FormatInt(mailed.ID, 10)+"/return", api,
			`{"date":"`+tokyoToday()+`","reason":"address_unknown"}`)
		if code := errorCode(t, res.Body); res.StatusCode != 409 || code != "at_application_flow" {
			t.Fatalf("return of a mailed 申請時来庁 card: %d %s", res.StatusCode, code)
		}
		res = h.do("POST", "/api/v1/notices", api, `{"card_ids":[`+strconv.FormatInt(setup.ID, 10)+`],"date":"`+tokyoToday()+`"}`)
		if b := readAll(t, res); res.StatusCode != 200 || !strings.Contains(b, `"code":"at_application_flow"`) || !strings.Contains(b, "/atapp") {
			t.Fatalf("batch send: %d %s", res.StatusCode, b)
		}

		staff := newBrowser(t, h)
		if status, _, _ := staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}}); status != 303 {
			t.Fatal("login")
		}
		_, _, body := staff.get("/staff/notices")
		atLink := `href="/staff/cards/` + strconv.FormatInt(setup.ID, 10) + `/atapp">郵送の記録へ</a>`
		if !strings.Contains(body, atLink) || strings.Contains(body, `name="page_card" value="`+strconv.FormatInt(setup.ID, 10)+`"`) ||
			!strings.Contains(body, `name="page_card" value="`+strconv.FormatInt(counter.ID, 10)+`"`) {
			t.Fatalf("notice candidates:\n%s", body)
		}
		_, _, body = staff.get("/staff/cards/" + strconv.FormatInt(mailed.ID, 10) + "/workflow")
		if !strings.Contains(body, "申請時来庁のページ") || strings.Contains(body, "返戻を記録する") {
			t.Fatalf("workflow page of a mailed card:\n%s", body)
		}
	})
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A resident turns up while their card waits for disposal: staff take it
// back into stock from the card page, and the counter can issue it.
func TestCardPendingDisposalBackToStockFromTheCardPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "BCK-000001", Status: card.StatusDisposalPending})
		staff := newBrowser(t, h)
		staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
		cardURL := "/staff/cards/" + strconv.FormatInt(rec.ID, 10)
		if _, _, body := staff.get(cardURL); !strings.Contains(body, `name="to" value="notice_sent"`) {
			t.Fatalf("the card page must offer the way back:\n%s", body)
		}
		if status, loc, _ := staff.post(cardURL+"/transition", url.Values{"to": {"notice_sent"}, "reason": {"本人から電話"}}); status != 303 || loc != cardURL+"?done=status" {
			t.Fatalf("back to stock: %d %s", status, loc)
		}
		if _, _, body := staff.get(cardURL); !strings.Contains(body, `name="to" value="issued"`) {
			t.Fatalf("a card back in stock can be issued:\n%s", body)
		}
	})
}
