package server

import (
	"encoding/json"
	"io"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// TestNoticeBatchOverTheAPI makes, prints and confirms a batch through
// the API as the issue describes it, and refuses a second confirmation.
func TestNoticeBatchOverTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newClockHarness(t, db, clock.NewFixed(jstTime(t, "2026-05-11 10:00")))
		admin, staff, viewer := h.login("admin1"), h.login("staff1"), h.login("viewer1")
		a := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "AAA-000001", Name: "三輪　花子", Status: card.StatusSetupDone, Delivery: "2026-05-01"})
		rec := ledgertest.Seed{App: 2, Notice: "AAA-000002", Name: "田中　一郎", Status: card.StatusSetupDone, Delivery: "2026-05-02"}.Record()
		rec.Resident.Address = ""
		if err := db.Update(t.Context(), func(tx *store.Tx) error { return tx.InsertCardRecord(t.Context(), &rec) }); err != nil {
			t.Fatal(err)
		}
		// Without the booking site's address nothing can be printed; the
		// settings name the field of a bad template.
		res := h.do("PUT", "/api/v1/settings/notices", admin, `{"templates":{"guide":{"title":"案内","body":"{{氏名}} {{不明}}"}}}`)
		if body, _ := io.ReadAll(res.Body); res.StatusCode != 422 || !strings.Contains(string(body), `"templates.guide.body"`) || !strings.Contains(string(body), "invalid_template") {
			t.Fatalf("bad template: %d %s", res.StatusCode, body)
		}
		if res := h.do("PUT", "/api/v1/settings/notices", admin, `{"site_url":"https://yoyaku.example.jp","city":"三田市"}`); res.StatusCode != 200 {
			t.Fatalf("settings: %d", res.StatusCode)
		}
		if res := h.do("POST", "/api/v1/notices/batches", viewer, `{"count":5}`); res.StatusCode != 403 {
			t.Fatalf("viewer made a batch: %d", res.StatusCode)
		}
		res = h.do("POST", "/api/v1/notices/batches", staff, `{"count":5}`)
		var made struct {
			Batch struct {
				ID    int64 `json:"id"`
				Cards int   `json:"cards"`
				Held  []struct {
					CardID int64  `json:"card_id"`
					Reason string `json:"reason"`
				} `json:"held"`
			} `json:"batch"`
		}
		if err := json.NewDecoder(res.Body).Decode(&made); err != nil || res.StatusCode != 201 {
			t.Fatalf("create: %d %v", res.StatusCode, err)
		}
		if made.Batch.Cards != 1 || len(made.Batch.Held) != 1 || made.Batch.Held[0].CardID != rec.ID || !strings.Contains(made.Batch.Held[0].Reason, "住所がありません") {
			t.Fatalf("batch %+v", made.Batch)
		}
		id := strconv.FormatInt(made.Batch.ID, 10)
		// Printing reads: only the audit log (and the session) change.
		skip := []string{"audit_log", "audit_head", "sessions", "login_attempts", "rate_limits"}
		before, err := db.Snapshot(t.Context(), skip...)
		if err != nil {
			t.Fatal(err)
		}
		res = h.do("GET", "/api/v1/notices/batches/"+id+"/letters.pdf", staff, "")
		pdf, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(pdf), "%PDF-") {
			t.Fatalf("letters.pdf: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if res := h.do("GET", "/api/v1/notices/batches/"+id+"/labels.pdf", staff, ""); res.StatusCode != 200 {
			t.Fatalf("labels.pdf: %d", res.StatusCode)
		}
		res = h.do("GET", "/api/v1/notices/batches/"+id+"/batch.csv?encoding=cp932", staff, "")
		if csv, _ := io.ReadAll(res.Body); res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "shift_jis") || len(csv) == 0 {
			t.Fatalf("batch.csv: %d", res.StatusCode)
		}
		if res := h.do("GET", "/api/v1/notices/batches/999/letters.pdf", staff, ""); res.StatusCode != 404 || res.Header.Get("Content-Type") == "application/pdf" {
			t.Fatalf("unknown batch: %d", res.StatusCode)
		}
		if after, err := db.Snapshot(t.Context(), skip...); err != nil || !reflect.DeepEqual(before, after) {
			t.Fatalf("printing changed data (%v)", err)
		}
		if res := h.do("POST", "/api/v1/notices/batches/"+id+"/sent", staff, `{"date":"2026-05-11"}`); res.StatusCode != 200 {
			t.Fatalf("sent: %d", res.StatusCode)
		}
		if res := h.do("POST", "/api/v1/notices/batches/"+id+"/sent", staff, `{"date":"2026-05-11"}`); res.StatusCode != 409 {
			t.Fatalf("sent twice: %d", res.StatusCode)
		}
		var got store.CardRecord
		db.View(t.Context(), func(tx *store.Tx) (err error) { got, err = tx.CardByID(t.Context(), a.ID); return err })
		if got.Status != card.StatusNoticeSent {
			t.Fatalf("card is %s", got.Status)
		}
		res = h.do("GET", "/api/v1/notices/plan?weeks=8", viewer, "")
		var plan struct {
			Weeks []struct {
				Capacity int `json:"capacity"`
			} `json:"weeks"`
		}
		if err := json.NewDecoder(res.Body).Decode(&plan); err != nil || res.StatusCode != 200 || len(plan.Weeks) != 8 || plan.Weeks[1].Capacity == 0 {
			t.Fatalf("plan: %d %+v", res.StatusCode, plan)
		}
		if res := h.do("PUT", "/api/v1/population/2026-05", staff, `{"residents":109000}`); res.StatusCode != 200 {
			t.Fatalf("population: %d", res.StatusCode)
		}
		res = h.do("GET", "/api/v1/reports/national?from=2026-05&to=2026-05&format=xlsx", viewer, "")
		if x, _ := io.ReadAll(res.Body); res.StatusCode != 200 || !strings.HasPrefix(string(x), "PK") {
			t.Fatalf("xlsx: %d", res.StatusCode)
		}
	})
}

// TestQRLinkOpensTheBookingWithTheNumberFilledIn follows a notice's QR
// code: the short upper-case path redirects to the first step, which
// shows the number in its field.
func TestQRLinkOpensTheBookingWithTheNumberFilledIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		b := newBrowser(t, h)
		status, loc, _ := b.get("/N/A1B-123456")
		if status != 303 || loc != "/booking/start?notice=A1B-123456&service=pickup" {
			t.Fatalf("short link: %d %s", status, loc)
		}
		_, _, body := b.get(loc)
		if !strings.Contains(body, `id="notice0" name="notice0" value="A1B-123456"`) {
			t.Fatalf("identify step without the number:\n%s", body)
		}
		if status, loc, _ := b.get("/n/" + url.PathEscape("a1b123456")); status != 303 || !strings.Contains(loc, "notice=A1B-123456") {
			t.Fatalf("lower case link: %d %s", status, loc)
		}
		if _, loc, _ := b.get("/N/not-a-number"); strings.Contains(loc, "notice=") {
			t.Fatalf("a malformed number was passed on: %s", loc)
		}
	})
}

// TestNoticeBatchPages makes a batch from the cards ticked on the notice
// list, sees its held card by name, records the mailing, previews a
// template and enters the population, as staff do in the browser.
func TestNoticeBatchPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newClockHarness(t, db, clock.NewFixed(jstTime(t, "2026-05-11 10:00")))
		admin, staff := newBrowser(t, h), newBrowser(t, h)
		for b, name := range map[*browser]string{admin: "admin1", staff: "staff1"} {
			if status, _, _ := b.post("/staff/login", url.Values{"username": {name}, "password": {password}}); status != 303 {
				t.Fatalf("login %s: %d", name, status)
			}
		}
		ok := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "AAA-000001", Name: "三輪　花子", Status: card.StatusSetupDone})
		odd := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Notice: "AAA-000002", Name: "\uE0FF田　守", Status: card.StatusSetupDone, Gaiji: true})
		form := url.Values{"site_url": {"https://yoyaku.example.jp"}, "city": {"三田市"}, "paper": {"a4"}, "window_x": {"20"}, "window_y": {"15"},
			"window_w": {"90"}, "window_h": {"45"}, "labels": {"24"}, "offset_x": {"0"}, "offset_y": {"0"}, "deadline_days": {"90"},
			"plan_weeks": {"8"}, "target_fill": {"85"}, "items": {"交付通知書\n本人確認書類"}, "column": {"年月", "交付率（%）"}}
		for _, k := range []string{"guide", "reminder", "resend"} {
			form.Set("title_"+k, "案内")
			form.Set("body_"+k, "{{氏名}} 様 {{通知番号}}")
		}
		form.Set("body_guide", "{{氏名}} 様 {{年齢}}")
		if status, _, body := admin.post("/staff/settings/notices", form); status != 422 || !strings.Contains(body, "{{年齢}}") {
			t.Fatalf("bad template saved: %d", status)
		}
		form.Set("body_guide", "{{氏名}} 様 {{通知番号}}")
		form.Set("preview", "guide")
		if status, _, body := admin.post("/staff/settings/notices", form); status != 200 || !strings.HasPrefix(body, "%PDF-") {
			t.Fatalf("preview: %d %.40q", status, body)
		}
		form.Del("preview")
		if status, loc, _ := admin.post("/staff/settings/notices", form); status != 303 || loc != "/staff/settings/notices?done=1" {
			t.Fatalf("settings: %d %s", status, loc)
		}

		ticked := url.Values{"card": {strconv.FormatInt(ok.ID, 10), strconv.FormatInt(odd.ID, 10)}, "date": {"2026-05-11"}}
		status, loc, _ := staff.post("/staff/notices/batches", ticked)
		if status != 303 || !strings.HasSuffix(loc, "?done=created") {
			t.Fatalf("batch from ticked cards: %d %s", status, loc)
		}
		status, _, body := staff.get(loc)
		if status != 200 || !strings.Contains(body, "外字未登録") || !strings.Contains(body, "E0FF") || !strings.Contains(body, "1 枚") {
			t.Fatalf("batch page %d:\n%s", status, body)
		}
		batch := strings.TrimSuffix(loc, "?done=created")
		if status, _, pdf := staff.get(batch + "/letters.pdf"); status != 200 || !strings.HasPrefix(pdf, "%PDF-") {
			t.Fatalf("letters: %d", status)
		}
		if status, loc, _ := staff.post(batch+"/sent", url.Values{"date": {"2026-05-11"}}); status != 303 || !strings.HasSuffix(loc, "?done=sent") {
			t.Fatalf("sent: %d %s", status, loc)
		}
		if status, _, body := staff.post(batch+"/sent", url.Values{"date": {"2026-05-11"}}); status != 409 || !strings.Contains(body, "発送済み") {
			t.Fatalf("sent twice: %d", status)
		}
		for _, path := range []string{"/staff/notices/batches", "/staff/notices/plan", "/staff/dashboard", "/staff/reports/national"} {
			if status, _, body := staff.get(path); status != 200 || !strings.Contains(body, "<h1") {
				t.Fatalf("%s: %d", path, status)
			}
		}
		if status, _, _ := staff.post("/staff/reports/national/population", url.Values{"month": {"2026-05"}, "residents": {"109,000"}}); status != 303 {
			t.Fatalf("population: %d", status)
		}
		if status, _, body := staff.get("/staff/reports/national/download?from=2026-05&to=2026-05"); status != 200 || !strings.Contains(body, "2026-05,") {
			t.Fatalf("report csv: %d %q", status, body)
		}
	})
}
