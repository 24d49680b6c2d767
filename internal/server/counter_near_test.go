package server

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/mail"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// TestWaitPageOffersTheNearTurnMail: with the setting on and mails sent,
// the resident's page offers the mail (without showing the address); the
// button works without JavaScript, and the call that brings the ticket
// near queues the mail once.
func TestWaitPageOffersTheNearTurnMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(jstTime(t, "2026-11-20 10:00"))
		h := newClockHarness(t, db, clk)
		seedCounterCards(t, db)
		ms := mail.DefaultSettings()
		ms.Enabled, ms.Host, ms.Port, ms.Security, ms.FromAddress = true, "127.0.0.1", 2525, mail.SecurityNone, "yoyaku@city.example.lg.jp"
		if _, err := mail.NewAdmin(db, clk).SaveSettings(ctx, auth.System("test"), auth.Meta{}, ms); err != nil {
			t.Fatal(err)
		}
		code := bookCounterCard(t, h, "2026-12-01 10:00", counterCards()[0])
		clk.Advance(jstTime(t, "2026-12-01 09:30").Sub(clk.Now()))
		if res := h.do("PUT", "/api/v1/settings/counter", h.login("admin1"), `{"early_minutes":0,"minutes_per_ticket":10,"walk_ins":true,"near_mail_ahead":1}`); res.StatusCode != 200 {
			t.Fatalf("save settings: %d", res.StatusCode)
		}
		staff := h.login("staff1")
		h.do("POST", "/api/v1/walk-ins", staff, `{"place":"main"}`)
		walkIn := decodeBody(t, h.do("POST", "/api/v1/walk-ins", staff, `{"place":"main"}`))["ticket"].(map[string]any)["follow_token"].(string)
		follow := decodeBody(t, h.do("POST", "/api/v1/checkins", staff, `{"code":"`+code+`","place":"main"}`))["ticket"].(map[string]any)["follow_token"].(string)
		page := func(path string) string {
			res := h.do("GET", path, nil, "")
			b, _ := io.ReadAll(res.Body)
			return string(b)
		}
		body := page("/wait/" + follow)
		if !strings.Contains(body, `action="/wait/`+follow+`/mail"`) || !strings.Contains(body, "順番が近づいたらメールで知らせる") {
			t.Fatalf("the page offers no mail:\n%s", body)
		}
		if strings.Contains(body, "miwa@example.jp") {
			t.Fatal("the page shows the address")
		}
		if strings.Contains(page("/wait/"+walkIn), "メールで知らせる") {
			t.Fatal("a walk-in's page offers a mail")
		}
		req, _ := http.NewRequest("POST", h.ts.URL+"/wait/"+follow+"/mail", nil)
		res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("ask: %d", res.StatusCode)
		}
		if body := page(res.Header.Get("Location")); !strings.Contains(body, "メールアドレスにお知らせします") || strings.Contains(body, "<button type=\"submit\" class=\"secondary\">順番") {
			t.Fatalf("after asking:\n%s", body)
		}
		h.do("POST", "/api/v1/places/main/calls", staff, `{"desk":"1"}`)
		if body := page("/wait/" + follow); !strings.Contains(body, "メールでお知らせしました") {
			t.Fatalf("after the call that brings it near:\n%s", body)
		}
		h.do("POST", "/api/v1/places/main/calls", staff, `{"desk":"2"}`)
		var n int
		err = db.View(ctx, func(tx *store.Tx) error {
			out, err := tx.ListMail(ctx, store.MailFilter{Limit: 100})
			for _, m := range out {
				if m.Kind == string(mail.KindTurnNear) {
					n++
				}
			}
			return err
		})
		if err != nil || n != 1 {
			t.Fatalf("%d near-turn mails queued (%v), want 1", n, err)
		}
	})
}
