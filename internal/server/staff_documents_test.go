package server

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/document/documenttest"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// Staff upload a scan on the card page, see its thumbnail and open the
// viewer; a disguised file is refused in place; a viewer may look but
// finds no form; an admin deletes with a reason.
func TestCardPageDocuments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "A1B-000001"})
		staff := newBrowser(t, h)
		staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
		tif := documenttest.TIFF(documenttest.Page(1, "A1B-000001"), documenttest.Page(2))
		status, loc, body := staff.upload("/staff/cards/1/documents", "scan.tif", tif, map[string]string{"kind": "receipt", "note": "窓口"})
		if status != 303 || loc != "/staff/cards/1?done=document#documents" {
			t.Fatalf("upload: %d %q %s", status, loc, body)
		}
		_, _, page := staff.get("/staff/cards/1")
		m := regexp.MustCompile(`<img src="/staff/documents/(\d+)/pages/1\?size=thumb"`).FindStringSubmatch(page)
		if m == nil || !strings.Contains(page, "交付受付確認票") || !strings.Contains(page, `name="kind"`) {
			t.Fatalf("card page lacks the document: %s", page)
		}
		doc := "/staff/documents/" + m[1]
		for _, p := range []string{doc + "/pages/1?size=thumb", doc + "/pages/2"} {
			res, err := staff.client.Get(staff.base + p)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" {
				t.Errorf("%s: %d %s", p, res.StatusCode, res.Header.Get("Content-Type"))
			}
		}
		if status, _, page := staff.get(doc); status != 200 || !strings.Contains(page, doc+"/pages/2") || strings.Contains(page, "削除の理由") {
			t.Errorf("viewer: %d", status)
		}
		status, _, body = staff.upload("/staff/cards/1/documents", "scan.png", documenttest.Disguised()["scan.png"], map[string]string{"kind": "other"})
		if status != 422 || !strings.Contains(body, "名前が scan.png ですが、中身は PNG ではなく") {
			t.Errorf("disguised: %d %s", status, body)
		}
		viewer := newBrowser(t, h)
		viewer.post("/staff/login", url.Values{"username": {"viewer1"}, "password": {password}})
		if _, _, page := viewer.get("/staff/cards/1"); strings.Contains(page, `name="kind"`) || !strings.Contains(page, doc) {
			t.Error("a viewer sees the document but no upload form")
		}
		if status, _, _ := viewer.upload("/staff/cards/1/documents", "scan.tif", tif, map[string]string{"kind": "other"}); status != 403 {
			t.Errorf("viewer uploads: %d", status)
		}
		admin := newBrowser(t, h)
		admin.post("/staff/login", url.Values{"username": {"admin1"}, "password": {password}})
		if status, _, _ := admin.post(doc+"/delete", url.Values{"reason": {""}}); status != 422 {
			t.Errorf("delete without reason: %d", status)
		}
		if _, loc, _ := admin.post(doc+"/delete", url.Values{"reason": {"別人の書類"}}); loc != "/staff/cards/1?done=document_deleted#documents" {
			t.Errorf("delete: %q", loc)
		}
		if status, _, _ := staff.get(doc); status != 404 {
			t.Errorf("deleted document: %d", status)
		}
	})
}

// The inbox page takes a stack, files its pages and lets staff choose
// the card of a page that waits for review.
func TestInboxPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "A1B-000001"})
		staff := newBrowser(t, h)
		staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
		pdf := documenttest.PDF(documenttest.Page(1, "A1B-000001"), documenttest.Page(2))
		status, _, body := staff.upload("/staff/documents/inbox", "stack.pdf", pdf, nil)
		if status != 200 || !strings.Contains(body, "カードに登録 1、確認待ち 1") {
			t.Fatalf("inbox: %d %s", status, body)
		}
		m := regexp.MustCompile(`action="/staff/documents/(\d+)/file"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no page waits for review")
		}
		if status, _, body := staff.post("/staff/documents/"+m[1]+"/file", url.Values{"card": {"Z9Z-999999"}, "kind": {"other"}}); status != 404 ||
			!strings.Contains(body, "台帳にありません") {
			t.Errorf("unknown notice: %d", status)
		}
		if _, loc, _ := staff.post("/staff/documents/"+m[1]+"/file", url.Values{"card": {"a1b-000001"}, "kind": {"application"}}); loc != "/staff/documents/inbox?done=filed" {
			t.Errorf("file: %q", loc)
		}
		if _, _, page := staff.get("/staff/cards/1"); strings.Count(page, `?size=thumb"`) != 2 || !strings.Contains(page, "申請書") {
			t.Errorf("the card holds both pages")
		}
	})
}

// The settings page sets the limits and retention; the dashboard links
// the documents past their retention.
func TestDocumentSettingsAndRetentionPages(t *testing.T) {
	h := newHarness(t, storetest.MustOpen(t, store.SQLite))
	admin := newBrowser(t, h)
	admin.post("/staff/login", url.Values{"username": {"admin1"}, "password": {password}})
	form := url.Values{"file_mb": {"20"}, "day_mb": {"500"}, "pages": {"100"}, "years_proxy": {"5"}}
	if _, loc, body := admin.post("/staff/settings/documents", form); loc != "/staff/settings/documents?done=saved" {
		t.Fatalf("save: %q %s", loc, body)
	}
	if _, _, page := admin.get("/staff/settings/documents"); !strings.Contains(page, `name="years_proxy" type="number" min="0" max="100" value="5"`) ||
		!strings.Contains(page, `value="20"`) {
		t.Errorf("settings page: %s", page)
	}
	form.Set("years_proxy", "-1")
	if status, _, _ := admin.post("/staff/settings/documents", form); status != 422 {
		t.Errorf("negative years: %d", status)
	}
	if status, _, page := admin.get("/staff/documents/retention"); status != 200 || !strings.Contains(page, "保存年限を過ぎた書類はありません") {
		t.Errorf("retention page: %d", status)
	}
	if _, _, page := admin.get("/staff/dashboard"); !strings.Contains(page, `href="/staff/documents/retention"`) {
		t.Errorf("the dashboard does not link the retention page")
	}
}
