package server

import (
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestAdminEditsTheCitizenTextsWithAPreview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newPublicHarness(t, db)
		site := newBrowser(t, h)
		admin := newBrowser(t, h)
		admin.post("/staff/login", url.Values{"username": {"admin1"}, "password": {password}})
		status, _, page := admin.get("/staff/settings/texts")
		if status != 200 || !strings.Contains(page, "お知らせ") || !strings.Contains(page, "ご予約ありがとうございます") {
			t.Fatalf("texts page: %d (defaults must be shown)", status)
		}
		notice := "年末年始は受付を休みます。\n詳しくは https://www.example.lg.jp/nenmatsu をご覧ください。\n\n<b>太字</b>"
		draft := url.Values{"ja": {notice}, "en": {"Closed over the New Year."}, "action": {"preview"}}
		status, _, page = admin.post("/staff/settings/texts/top.notice", draft)
		if status != 200 || !strings.Contains(page, `<a href="https://www.example.lg.jp/nenmatsu">`) ||
			!strings.Contains(page, "&lt;b&gt;太字&lt;/b&gt;") || strings.Contains(page, "<b>太字") || !strings.Contains(page, "まだ保存していません") {
			t.Fatalf("preview: %d", status)
		}
		draft.Set("action", "page-ja")
		status, _, page = admin.post("/staff/settings/texts/top.notice", draft)
		if status != 200 || !strings.Contains(page, `<html lang="ja">`) || !strings.Contains(page, "年末年始は受付を休みます。<br>") ||
			!strings.Contains(page, "プレビュー（まだ保存していません）") || !strings.Contains(page, "予約できる手続き") {
			t.Fatalf("the top page with the draft: %d", status)
		}
		draft.Set("action", "page-en")
		if _, _, page = admin.post("/staff/settings/texts/top.notice", draft); !strings.Contains(page, `<html lang="en">`) ||
			!strings.Contains(page, "Closed over the New Year.") {
			t.Fatal("the English top page with the draft")
		}
		if _, _, top := site.get("/"); strings.Contains(top, "受付を休みます") {
			t.Fatal("the preview was published")
		}
		draft.Set("action", "save")
		if _, loc, _ := admin.post("/staff/settings/texts/top.notice", draft); !strings.HasPrefix(loc, "/staff/settings/texts?done=saved") {
			t.Fatalf("save: %q", loc)
		}
		_, _, top := site.get("/")
		if !strings.Contains(top, "<p>年末年始は受付を休みます。<br>詳しくは <a href=\"https://www.example.lg.jp/nenmatsu\">") ||
			!strings.Contains(top, "&lt;b&gt;太字") || strings.Contains(top, "<b>") {
			t.Fatalf("top page must show the notice, escaped: %s", top)
		}
		if _, _, top := site.get("/?lang=en"); !strings.Contains(top, "Closed over the New Year.") {
			t.Fatal("the English notice")
		}
		// Too long a help line is refused on its field, nothing saved.
		status, _, page = admin.post("/staff/settings/texts/help.hours", url.Values{"ja": {strings.Repeat("平日", 61)}, "en": {"x"}, "action": {"save"}})
		if status != 422 || !strings.Contains(page, "120 文字以内") {
			t.Fatalf("long hours: %d", status)
		}
		admin.post("/staff/settings/texts/help.hours", url.Values{"ja": {"平日 9時〜17時"}, "en": {""}, "action": {"save"}})
		if _, _, p := site.get("/booking/manage?lang=ja"); !strings.Contains(p, "平日 9時〜17時") {
			t.Fatalf("the footer of every page shows the hours: %s", p)
		}
		if _, loc, _ := admin.post("/staff/settings/texts/top.notice", url.Values{"action": {"reset"}}); !strings.Contains(loc, "done=reset") {
			t.Fatalf("reset: %q", loc)
		}
		if _, _, top := site.get("/?lang=ja"); strings.Contains(top, "受付を休みます") {
			t.Fatal("the reset notice is still shown")
		}
		if _, _, audit := admin.get("/staff/audit"); !strings.Contains(audit, "住民向けサイトの文言の変更") {
			t.Fatal("changes must be audited")
		}
	})
}

func TestTextsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		admin, staff := h.login("admin1"), h.login("staff1")
		if res := h.do("PUT", "/api/v1/settings/texts/done.note", staff, `{"ja":"x"}`); res.StatusCode != 403 {
			t.Fatalf("staff: %d", res.StatusCode)
		}
		res := h.do("PUT", "/api/v1/settings/texts/done.note", admin, `{"ja":"駐車場は南側です。"}`)
		var e struct {
			Value   map[string]string `json:"value"`
			Changed map[string]bool   `json:"changed"`
		}
		if json.NewDecoder(res.Body).Decode(&e); res.StatusCode != 200 || e.Value["ja"] != "駐車場は南側です。" || !e.Changed["ja"] || e.Changed["en"] {
			t.Fatalf("put: %d %+v", res.StatusCode, e)
		}
		res = h.do("PUT", "/api/v1/settings/texts/help.office", admin, `{"ja":"市民課\n2階"}`)
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 422 || !strings.Contains(string(body), `"field":"ja"`) {
			t.Fatalf("two lines for a one-line text: %d %s", res.StatusCode, body)
		}
		if res := h.do("PUT", "/api/v1/settings/texts/nope", admin, `{"ja":"x"}`); res.StatusCode != 404 {
			t.Fatalf("unknown key: %d", res.StatusCode)
		}
		res = h.do("GET", "/api/v1/public/texts?lang=ja", nil, "")
		var pub struct{ Texts map[string]string }
		if json.NewDecoder(res.Body).Decode(&pub); res.StatusCode != 200 || pub.Texts["done.note"] != "駐車場は南側です。" || pub.Texts["help.office"] != "市役所 市民課" {
			t.Fatalf("public texts: %d %+v", res.StatusCode, pub)
		}
		if res := h.do("DELETE", "/api/v1/settings/texts/done.note", admin, ""); res.StatusCode != 200 {
			t.Fatalf("reset: %d", res.StatusCode)
		}
	})
}

func TestAdminChangesTheHelpPhoneOnTheTextsPage(t *testing.T) {
	h := newPublicHarness(t, storetest.MustOpen(t, store.SQLite))
	admin := newBrowser(t, h)
	admin.post("/staff/login", url.Values{"username": {"admin1"}, "password": {password}})
	if _, _, page := admin.get("/staff/settings/texts"); !strings.Contains(page, `value="079-559-5000"`) {
		t.Fatal("the page shows the number in force")
	}
	status, _, page := admin.post("/staff/settings/contact-phone", url.Values{"contact_phone": {"０７９の５５９"}})
	if status != 422 || !strings.Contains(page, "半角数字とハイフン") || !strings.Contains(page, `value="０７９の５５９"`) {
		t.Fatalf("a wrong number is named and kept: %d", status)
	}
	if _, loc, _ := admin.post("/staff/settings/contact-phone", url.Values{"contact_phone": {"079-559-5111"}}); loc != "/staff/settings/texts?done=phone" {
		t.Fatalf("save: %q", loc)
	}
	if _, _, top := newBrowser(t, h).get("/"); !strings.Contains(top, "079-559-5111") {
		t.Fatal("the top page shows the new number")
	}
}
