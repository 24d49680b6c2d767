package server

import (
	"encoding/json"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestReissuePagesAndAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newClockHarness(t, db, clock.NewFixed(jstTime(t, "2026-05-11 10:00")))
		staff, viewer := newBrowser(t, h), newBrowser(t, h)
		for b, name := range map[*browser]string{staff: "staff1", viewer: "viewer1"} {
			if status, _, _ := b.post("/staff/login", url.Values{"username": {name}, "password": {password}}); status != 303 {
				t.Fatalf("login %s: %d", name, status)
			}
		}
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "AAA-000001", Resident: "200001", Name: "三輪　花子"})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Notice: "AAA-000002", Resident: "200002", Name: "田中　一郎"})
		cardID := strconv.FormatInt(rec.ID, 10)

		// Staff open the form from the card and register a chargeable reissue.
		status, _, body := staff.get("/staff/reissues/new?card_id=" + cardID)
		key := regexp.MustCompile(`name="request_key" value="([0-9a-f]+)"`).FindStringSubmatch(body)
		if status != 200 || key == nil || !strings.Contains(body, "三輪　花子") || !strings.Contains(body, "¥1,000") {
			t.Fatalf("form %d:\n%s", status, body)
		}
		form := url.Values{"card_id": {cardID}, "reason": {"lost"}, "charge": {"paid"}, "certificate": {"1"}, "request_key": {key[1]}}
		status, loc, _ := staff.post("/staff/reissues", form)
		if status != 303 || !strings.HasSuffix(loc, "?done=registered") {
			t.Fatalf("register: %d %s", status, loc)
		}
		if status, again, _ := staff.post("/staff/reissues", form); status != 303 || again != loc {
			t.Fatalf("a resubmitted form must not store twice: %d %s vs %s", status, again, loc)
		}
		_, _, body = viewer.get(loc)
		if !strings.Contains(body, "R2026-000001") || !strings.Contains(body, "¥1,000") || strings.Contains(body, "取り消す</button>") {
			t.Fatalf("receipt page for the viewer:\n%s", body)
		}
		// A mistake is reported on its field, and a viewer may not register.
		status, _, body = staff.post("/staff/reissues", url.Values{"key": {"２００００２"}, "reason": {"other"}, "charge": {"paid"}})
		if status != 422 || !strings.Contains(body, "内容を入力してください") || !strings.Contains(body, `value="２００００２"`) {
			t.Fatalf("other without detail: %d\n%s", status, body)
		}
		if status, _, _ := viewer.post("/staff/reissues", form); status != 403 {
			t.Fatalf("viewer registering: %d", status)
		}
		// A free one by the 宛名番号 typed in full width.
		status, _, _ = staff.post("/staff/reissues", url.Values{"key": {"２００００２"}, "reason": {"margin_full"}, "charge": {"free"},
			"free_reason": {"margin_full"}, "certificate": {"1"}})
		if status != 303 {
			t.Fatalf("free reissue: %d", status)
		}

		// The card page shows the resident's reissues; the list and history too.
		if _, _, body := viewer.get("/staff/cards/" + cardID); !strings.Contains(body, "再交付と手数料") || !strings.Contains(body, "R2026-000001") {
			t.Fatalf("card page:\n%s", body)
		}
		if _, _, body := viewer.get("/staff/reissues?from=2026-05-01&to=2026-05-31"); !strings.Contains(body, "2 件") || !strings.Contains(body, "田中　一郎") {
			t.Fatalf("list:\n%s", body)
		}
		if _, _, body := viewer.get("/staff/reissues?from=2026-13-01"); !strings.Contains(body, "YYYY-MM-DD") {
			t.Fatalf("bad filter:\n%s", body)
		}
		residentID := strconv.FormatInt(rec.Resident.ID, 10)
		if _, _, body := viewer.get("/staff/residents/" + residentID + "/reissues"); !strings.Contains(body, "R2026-000001") || strings.Contains(body, "田中") {
			t.Fatalf("history:\n%s", body)
		}

		// The API: a fast-track registration, a void, and the report.
		apiStaff, apiViewer, apiAdmin := h.login("staff1"), h.login("viewer1"), h.login("admin1")
		res := h.do("POST", "/api/v1/reissues", apiStaff, `{"notice_number":"AAA-000002","reason":"stolen","chargeable":true,"fast_track":true}`)
		var created struct {
			ID            int64  `json:"id"`
			Amount        int    `json:"amount"`
			ReceiptNumber string `json:"receipt_number"`
			FeeType       string `json:"fee_type"`
		}
		json.NewDecoder(res.Body).Decode(&created)
		if res.StatusCode != 201 || created.Amount != 1800 || created.ReceiptNumber != "R2026-000002" || created.FeeType != "fast_track_no_cert" {
			t.Fatalf("API register %d: %+v", res.StatusCode, created)
		}
		res = h.do("POST", "/api/v1/reissues", apiStaff, `{"resident_number":"200001","reason":"lost"}`)
		if raw, _ := io.ReadAll(res.Body); res.StatusCode != 422 || !strings.Contains(string(raw), `"free_reason"`) {
			t.Fatalf("API free without reason: %d %s", res.StatusCode, raw)
		}
		voidPath := "/api/v1/reissues/" + strconv.FormatInt(created.ID, 10) + "/void"
		if res := h.do("POST", voidPath, apiViewer, `{"reason":"誤登録"}`); res.StatusCode != 403 {
			t.Fatalf("viewer voiding: %d", res.StatusCode)
		}
		if res := h.do("POST", voidPath, apiStaff, `{"reason":""}`); res.StatusCode != 422 {
			t.Fatalf("void without reason: %d", res.StatusCode)
		}
		if res := h.do("POST", voidPath, apiStaff, `{"reason":"誤登録"}`); res.StatusCode != 200 {
			t.Fatalf("void: %d", res.StatusCode)
		}
		if res := h.do("POST", voidPath, apiStaff, `{"reason":"誤登録"}`); res.StatusCode != 409 {
			t.Fatalf("second void: %d", res.StatusCode)
		}
		res = h.do("GET", "/api/v1/reissues/report?date=2026-05-11", apiViewer, "")
		var rep struct {
			Lines []struct {
				FeeType string `json:"fee_type"`
				Count   int    `json:"count"`
				Amount  int    `json:"amount"`
				Net     int    `json:"net"`
			} `json:"lines"`
			Total struct {
				Count, Amount, VoidAmount, Net int
			} `json:"total"`
			Voids []json.RawMessage `json:"voids"`
		}
		json.NewDecoder(res.Body).Decode(&rep)
		sum := 0
		for _, l := range rep.Lines {
			sum += l.Net
		}
		if res.StatusCode != 200 || rep.Total.Net != 1000 || sum != rep.Total.Net || rep.Total.Count != 3 || len(rep.Voids) != 1 {
			t.Fatalf("API report %d: %+v", res.StatusCode, rep)
		}

		// The report screen and its CSV.
		_, _, body = viewer.get("/staff/reissues/report?date=2026-05-11")
		if !strings.Contains(body, "取消（1 件）") || !strings.Contains(body, "<strong>¥1,000</strong>") {
			t.Fatalf("report page:\n%s", body)
		}
		status, _, body = viewer.get("/staff/reissues/report.csv?date=2026-05-11")
		if status != 200 || !strings.HasPrefix(body, moji.BOM) || !strings.Contains(body, "-1800") || strings.Count(body, "\r\n") != 1+3+1+6 {
			t.Fatalf("csv %d:\n%s", status, body)
		}

		// Fee settings: admins only, every amount required.
		if res := h.do("PUT", "/api/v1/settings/reissue-fees", apiStaff, `{"card":900,"certificate":200,"fast_track":2000,"fast_track_without_certificate":1800}`); res.StatusCode != 403 {
			t.Fatalf("staff setting fees: %d", res.StatusCode)
		}
		if res := h.do("PUT", "/api/v1/settings/reissue-fees", apiAdmin, `{"card":900}`); res.StatusCode != 422 {
			t.Fatalf("partial fees: %d", res.StatusCode)
		}
		admin := newBrowser(t, h)
		admin.post("/staff/login", url.Values{"username": {"admin1"}, "password": {password}})
		status, _, body = admin.post("/staff/settings/reissue-fees", url.Values{"card": {"900"}, "certificate": {"abc"}, "fast_track": {"2000"}, "fast_track_without_certificate": {"1800"}})
		if status != 422 || !strings.Contains(body, "半角の整数") {
			t.Fatalf("fee form with a bad number: %d", status)
		}
		if status, _, _ := admin.post("/staff/settings/reissue-fees", url.Values{"card": {"900"}, "certificate": {"200"}, "fast_track": {"2,000"}, "fast_track_without_certificate": {"1800"}}); status != 303 {
			t.Fatalf("fee form: %d", status)
		}
		res = h.do("GET", "/api/v1/settings/reissue-fees", apiViewer, "")
		var fees struct{ Card int }
		json.NewDecoder(res.Body).Decode(&fees)
		if fees.Card != 900 {
			t.Fatalf("fees after save: %+v", fees)
		}
		if _, _, body := viewer.get(loc); !strings.Contains(body, "¥1,000") {
			t.Fatal("a past receipt must keep its amount")
		}

		for _, action := range []string{"reissue.registered", "reissue.voided", "reissue.viewed", "reissue.listed",
			"reissue.history_viewed", "reissue.report_viewed", "reissue.report_exported", "settings.reissue_fees_changed"} {
			n := 0
			db.View(ctx, func(tx *store.Tx) error {
				_, err := tx.SearchAudit(ctx, store.AuditFilter{Action: action}, func(audit.Entry) error { n++; return nil })
				return err
			})
			if n == 0 {
				t.Errorf("no audit entry %s", action)
			}
		}
	})
}
