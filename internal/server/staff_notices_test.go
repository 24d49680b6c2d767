package server

import (
	"encoding/json"
	"io"
	"net/url"
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
