package server

import (
	"encoding/json"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestSurfaceUpdatePagesAndAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		staff, viewer := newBrowser(t, h), newBrowser(t, h)
		for b, name := range map[*browser]string{staff: "staff1", viewer: "viewer1"} {
			if status, _, _ := b.post("/staff/login", url.Values{"username": {name}, "password": {password}}); status != 303 {
				t.Fatalf("login %s: %d", name, status)
			}
		}
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "SUR-000001", Name: "\ue000田　花子", Gaiji: true,
			Status: card.StatusNoticeSent})
		cardURL := "/staff/cards/" + strconv.FormatInt(rec.ID, 10)
		if _, _, body := staff.get(cardURL); !strings.Contains(body, `href="`+cardURL+`/surface"`) {
			t.Fatalf("the card page must lead to the surface form:\n%s", body)
		}
		if _, _, body := staff.get("/staff/"); !strings.Contains(body, `href="/staff/surface"`) {
			t.Fatal("the home page must link the list")
		}

		// A bad form is answered in place, in Japanese, keeping what was typed.
		status, _, body := staff.post(cardURL+"/surface", url.Values{"kind": {"address"}, "new_value": {" "}, "note": {"転居届"}})
		if status != 422 || !strings.Contains(body, "変更後の住所を入力してください。") || !strings.Contains(body, `value="転居届"`) ||
			!strings.Contains(body, `<p class="field-error">変更後の住所を入力してください。</p>`) {
			t.Fatalf("empty value: %d\n%s", status, body)
		}
		if status, _, _ := viewer.post(cardURL+"/surface", url.Values{"kind": {"address"}, "new_value": {"x"}}); status != 403 {
			t.Fatalf("viewer registering: %d", status)
		}
		status, loc, _ := staff.post(cardURL+"/surface", url.Values{"kind": {"address"}, "new_value": {"兵庫県三田市けやき台9-9"}, "new_detail": {"6691321"}, "pending": {"1"}})
		if status != 303 || loc != cardURL+"/surface?done=pending" {
			t.Fatalf("register: %d %s", status, loc)
		}
		if _, _, body := staff.get(cardURL); !strings.Contains(body, "券面更新待ち") {
			t.Fatalf("the card must show the pending flag:\n%s", body)
		}
		if _, _, body := viewer.get("/staff/cards?flag=surface_pending"); !strings.Contains(body, "SUR-000001") ||
			!strings.Contains(body, `<option value="surface_pending" selected>券面更新待ち</option>`) {
			t.Fatalf("card search by the flag:\n%s", body)
		}
		_, _, body = viewer.get("/staff/surface?kind=address&state=pending&q=けやき台")
		if !strings.Contains(body, "SUR-000001") || !strings.Contains(body, "\ue000田　花子") || !strings.Contains(body, "外字未登録") ||
			!strings.Contains(body, "兵庫県三田市けやき台9-9") || strings.Contains(body, "券面を更新した") {
			t.Fatalf("list for a viewer:\n%s", body)
		}
		if _, _, body := viewer.get("/staff/surface?from=2020-02-01&to=2020-01-01"); !strings.Contains(body, "期間の終了日が開始日より前です。") {
			t.Fatalf("bad range:\n%s", body)
		}

		// Recording it done clears the flag and brings the address up to date.
		_, _, body = staff.get(cardURL + "/surface")
		m := regexp.MustCompile(`action="/staff/surface/(\d+)/done"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no done button:\n%s", body)
		}
		if status, loc, _ := staff.post("/staff/surface/"+m[1]+"/done", url.Values{"card_id": {strconv.FormatInt(rec.ID, 10)}}); status != 303 || loc != cardURL+"/surface?done=done" {
			t.Fatalf("done: %d %s", status, loc)
		}
		status, _, body = staff.post("/staff/surface/"+m[1]+"/withdraw", url.Values{"card_id": {strconv.FormatInt(rec.ID, 10)}})
		if status != 409 || !strings.Contains(body, "すでに「更新済み」です") {
			t.Fatalf("withdrawing a done update: %d\n%s", status, body)
		}
		if _, _, body := staff.get(cardURL); strings.Contains(body, "券面更新待ち") || !strings.Contains(body, "〒669-1321 兵庫県三田市けやき台9-9") {
			t.Fatalf("card after done:\n%s", body)
		}

		// The JSON API: coded errors, a pending update, its flag, the list.
		api := h.login("staff1")
		base := "/api/v1/cards/" + strconv.FormatInt(rec.ID, 10) + "/surface-updates"
		res := h.do("POST", base, api, `{"kind":"birthday","new_value":"x"}`)
		if code := errorCode(t, res.Body); res.StatusCode != 422 || code != "surface_kind_invalid" {
			t.Fatalf("bad kind: %d %s", res.StatusCode, code)
		}
		res = h.do("POST", base, api, `{"kind":"expiry","new_value":"2036-01-31","pending":true,"note":"在留期間更新"}`)
		var u struct {
			ID    int64  `json:"id"`
			State string `json:"state"`
			Old   string `json:"old_value"`
		}
		json.NewDecoder(res.Body).Decode(&u)
		if res.StatusCode != 201 || u.State != "pending" || u.ID == 0 {
			t.Fatalf("register: %d %+v", res.StatusCode, u)
		}
		res = h.do("POST", base, api, `{"kind":"expiry","new_value":"2037-01-31"}`)
		if code := errorCode(t, res.Body); res.StatusCode != 409 || code != "surface_already_pending" {
			t.Fatalf("second expiry: %d %s", res.StatusCode, code)
		}
		res = h.do("GET", "/api/v1/cards?flag="+card.FlagSurfacePending, api, "")
		if b, _ := io.ReadAll(res.Body); !strings.Contains(string(b), "SUR-000001") {
			t.Fatalf("search by flag: %s", b)
		}
		done := "/api/v1/surface-updates/" + strconv.FormatInt(u.ID, 10) + "/done"
		if res := h.do("POST", done, h.login("viewer1"), ""); res.StatusCode != 403 {
			t.Fatalf("viewer done: %d", res.StatusCode)
		}
		if res := h.do("POST", done, api, `{"date":"2000-01-01"}`); res.StatusCode != 422 || errorCode(t, res.Body) != "surface_date_invalid" {
			t.Fatalf("done before the report: %d", res.StatusCode)
		}
		if res := h.do("POST", done, api, ""); res.StatusCode != 200 {
			t.Fatalf("done: %d", res.StatusCode)
		}
		if res := h.do("POST", done, api, ""); res.StatusCode != 409 || errorCode(t, res.Body) != "surface_not_pending" {
			t.Fatalf("done twice: %d", res.StatusCode)
		}
		res = h.do("GET", "/api/v1/surface-updates?staff=staff1&kind=expiry", api, "")
		var list struct {
			Total int `json:"total"`
			Rows  []struct {
				NewValue string `json:"new_value"`
				State    string `json:"state"`
				Card     struct {
					Name  string   `json:"name"`
					Flags []string `json:"flags"`
				} `json:"card"`
			} `json:"surface_updates"`
		}
		json.NewDecoder(res.Body).Decode(&list)
		if res.StatusCode != 200 || list.Total != 1 || list.Rows[0].State != "done" || list.Rows[0].Card.Name != "\ue000田　花子" ||
			len(list.Rows[0].Card.Flags) != 0 {
			t.Fatalf("list: %d %+v", res.StatusCode, list)
		}
		res = h.do("GET", base, h.login("viewer1"), "")
		var one struct {
			Updates []struct {
				Kind string `json:"kind"`
			} `json:"surface_updates"`
		}
		json.NewDecoder(res.Body).Decode(&one)
		if res.StatusCode != 200 || len(one.Updates) != 2 || one.Updates[0].Kind != "expiry" {
			t.Fatalf("a card's updates: %d %+v", res.StatusCode, one)
		}
		// Refused input and refused reads leave no entry; a page shown again
		// with an error reads the card's updates again.
		for action, want := range map[string]int{"surface.registered": 2, "surface.done": 2, "surface.withdrawn": 0,
			"surface.listed": 2, "surface.viewed": 4} {
			if n := auditCount(t, db, action); n != want {
				t.Errorf("%s: %d entries, want %d", action, n, want)
			}
		}
	})
}

func errorCode(t *testing.T, r io.Reader) string {
	t.Helper()
	var b struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	json.NewDecoder(r).Decode(&b)
	return b.Error.Code
}
