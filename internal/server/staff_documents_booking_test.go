package server

import (
	"bytes"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/document/documenttest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// Staff upload a scan on the booking page and see it there; a disguised
// file is refused on the booking page; a viewer sees the document but no
// form; deleting it leads back to the booking.
func TestBookingPageDocuments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newClockHarness(t, db, clock.NewFixed(jstTime(t, "2026-11-20 10:00")))
		seedCounterCards(t, db)
		cards := counterCards()
		staff := newBrowser(t, h)
		staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
		id := phoneBooking(t, staff, "2026-12-01 09:00", cards[0], cards[1])
		page := "/staff/bookings/" + id
		if _, _, body := staff.get(page); !strings.Contains(body, "この予約の書類はありません。") || !strings.Contains(body, `action="`+page+`/documents"`) {
			t.Fatalf("booking page without documents:\n%s", body)
		}
		pdf := documenttest.PDF(documenttest.Page(1), documenttest.Page(2))
		status, loc, body := staff.upload(page+"/documents", "委任状.pdf", pdf, map[string]string{"kind": "proxy", "note": "代理人が持参"})
		if status != 303 || loc != page+"?done=document#documents" {
			t.Fatalf("upload: %d %q %s", status, loc, body)
		}
		_, _, body = staff.get(loc)
		m := regexp.MustCompile(`<img src="/staff/documents/(\d+)/pages/1\?size=thumb"`).FindStringSubmatch(body)
		if m == nil || !strings.Contains(body, "委任状") || !strings.Contains(body, "代理人が持参") || !strings.Contains(body, "書類を登録しました。") {
			t.Fatalf("booking page lacks the document:\n%s", body)
		}
		doc := "/staff/documents/" + m[1]
		if _, _, body := staff.get(doc); !strings.Contains(body, `href="`+page+`#documents"`) {
			t.Errorf("the viewer leads back to the booking:\n%s", body)
		}
		status, _, body = staff.upload(page+"/documents", "scan.png", documenttest.Disguised()["scan.png"], map[string]string{"kind": "other"})
		if status != 422 || !strings.Contains(body, "中身は PNG ではなく") || !strings.Contains(body, "予約の内容") {
			t.Errorf("disguised: %d %s", status, body)
		}
		viewer := newBrowser(t, h)
		viewer.post("/staff/login", url.Values{"username": {"viewer1"}, "password": {password}})
		if _, _, body := viewer.get(page); strings.Contains(body, `name="kind"`) || !strings.Contains(body, doc) {
			t.Error("a viewer sees the document but no upload form")
		}
		if status, _, _ := viewer.upload(page+"/documents", "a.pdf", pdf, map[string]string{"kind": "other"}); status != 403 {
			t.Errorf("viewer uploads: %d", status)
		}
		admin := newBrowser(t, h)
		admin.post("/staff/login", url.Values{"username": {"admin1"}, "password": {password}})
		if _, loc, _ := admin.post(doc+"/delete", url.Values{"reason": {"別の予約の書類"}}); loc != page+"?done=document_deleted#documents" {
			t.Errorf("delete: %q", loc)
		}
		if n := auditCount(t, db, "document.listed"); n < 3 {
			t.Errorf("the booking page's document lists were not audited: %d", n)
		}
	})
}

// A stack whose splitting stopped (its row written, the process gone)
// shows on the inbox page as interrupted; staff resume it and its page
// lands on its card; an admin discards another with a reason.
func TestInboxPageInterruptedStacks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newClockHarness(t, db, clock.NewFixed(jstTime(t, "2026-11-20 10:00")))
		seedCounterCards(t, db)
		stopped := func(name string, content []byte) string {
			d := store.DocumentRecord{FileName: name, Source: "inbox", Kind: "other", Review: store.DocumentReviewStack,
				ReviewReason: "取り込み中", CreatedAt: jstTime(t, "2026-11-20 09:00"), CreatedBy: "staff1"}
			err := db.Update(ctx, func(tx *store.Tx) error {
				return tx.InsertDocument(ctx, &d, bytes.NewReader(content), func(io.ReaderAt, int64) (string, int, error) { return "PDF", 1, nil })
			})
			if err != nil {
				t.Fatal(err)
			}
			return strconv.FormatInt(d.ID, 10)
		}
		first := stopped("止まった束.pdf", documenttest.PDF(documenttest.Page(1, "CTR-000001")))
		second := stopped("二つ目.pdf", documenttest.PDF(documenttest.Page(2)))
		staff := newBrowser(t, h)
		staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
		_, _, body := staff.get("/staff/documents/inbox")
		if !strings.Contains(body, "処理が中断された取り込み") || !strings.Contains(body, "止まった束.pdf：1 ページ中 0 ページ登録済み") ||
			!strings.Contains(body, `action="/staff/documents/`+first+`/resume"`) || strings.Contains(body, "/discard") {
			t.Fatalf("inbox page:\n%s", body)
		}
		status, _, body := staff.post("/staff/documents/"+first+"/resume", nil)
		if status != 200 || !strings.Contains(body, "カードに登録 1、確認待ち 0") || strings.Contains(body, "止まった束.pdf：1 ページ中") {
			t.Fatalf("resume: %d\n%s", status, body)
		}
		if _, _, page := staff.get("/staff/cards/1"); strings.Count(page, `?size=thumb"`) != 1 {
			t.Error("the resumed page is not on its card")
		}
		if status, _, _ := staff.post("/staff/documents/"+second+"/discard", url.Values{"reason": {"重複"}}); status != 403 {
			t.Errorf("staff discards: %d", status)
		}
		admin := newBrowser(t, h)
		admin.post("/staff/login", url.Values{"username": {"admin1"}, "password": {password}})
		if status, _, _ := admin.post("/staff/documents/"+second+"/discard", url.Values{"reason": {""}}); status != 422 {
			t.Errorf("discard without a reason: %d", status)
		}
		if _, loc, _ := admin.post("/staff/documents/"+second+"/discard", url.Values{"reason": {"重複"}}); loc != "/staff/documents/inbox?done=discarded" {
			t.Errorf("discard: %q", loc)
		}
		if _, _, body := admin.get("/staff/documents/inbox"); strings.Contains(body, "処理が中断された取り込み") {
			t.Error("a discarded stack still shows")
		}
	})
}
