package server

import (
	"net/url"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// The service choice, the page a rush of residents opens, is served from
// memory: it reads the database at most once per second for the settings
// and the texts, not three times per view (issue #8). An admin's change
// on this instance still shows at once.
func TestBookingStartNeedsNoDatabaseAndShowsAdminChangesAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newClockHarness(t, db, clock.System{})
		site := newBrowser(t, h)
		if status, _, body := site.get("/booking/start"); status != 200 || !strings.Contains(body, "マイナンバーカードの受け取り") {
			t.Fatalf("start: %d", status)
		}
		before := db.Counts()
		const views = 50
		for range views {
			site.get("/booking/start")
			site.get("/booking/start?lang=en")
		}
		// Before: 3 transactions a view. Now: none, but for a reload when a
		// second passes during the loop (one for the settings, one for the
		// texts' version).
		if d := db.Counts().Sub(before); d.Transactions > 2 || d.Statements > 2 {
			t.Fatalf("%d views of the start page ran %d transactions, %d statements", 2*views, d.Transactions, d.Statements)
		}

		admin := newBrowser(t, h)
		admin.post("/staff/login", url.Values{"username": {"admin1"}, "password": {password}})
		doc := strings.Replace(defaultDocument(t), "マイナンバーカードの受け取り", "カードの受け取り（本庁）", 1)
		doc = strings.Replace(doc, `"timezone"`, `"contact_phone": "079-559-5222", "timezone"`, 1)
		if _, loc, _ := admin.post("/staff/settings/booking", url.Values{"document": {doc}}); loc != "/staff/settings/booking?done=saved" {
			t.Fatalf("save: %q", loc)
		}
		_, _, body := site.get("/booking/start?lang=ja")
		if !strings.Contains(body, "カードの受け取り（本庁）") || !strings.Contains(body, "079-559-5222") {
			t.Fatalf("the start page must show the saved settings at once:\n%s", body)
		}
		if _, loc, _ := admin.post("/staff/settings/texts/help.office", url.Values{"ja": {"本庁 市民課（1 階）"}, "en": {"Citizens Division"}, "action": {"save"}}); !strings.HasPrefix(loc, "/staff/settings/texts?done=saved") {
			t.Fatalf("save text: %q", loc)
		}
		if _, _, body := site.get("/booking/start"); !strings.Contains(body, "本庁 市民課（1 階）") {
			t.Fatalf("the start page must show the saved text at once:\n%s", body)
		}
	})
}
