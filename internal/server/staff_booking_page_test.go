package server

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var bookingCode = regexp.MustCompile(`<span class="status">([2-9A-Z]{4}-[2-9A-Z]{4})</span>`)

// A phone caller's booking is found by name, moved to another day and
// given another person on its own page; the code stays, and the header's
// scan field opens it from the code or the QR's text.
func TestBookingPageMovesAndChangesPeopleKeepingTheCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newClockHarness(t, db, clock.NewFixed(jstTime(t, "2026-11-20 10:00")))
		seedCounterCards(t, db)
		cards := counterCards()
		staff := newBrowser(t, h)
		staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
		id := phoneBooking(t, staff, "2026-12-01 09:00", cards[0], cards[1])
		page := "/staff/bookings/" + id

		status, _, body := staff.get("/staff/bookings")
		if status != 200 || strings.Contains(body, "三輪") {
			t.Fatalf("the empty search reads nobody: %d", status)
		}
		_, _, body = staff.get("/staff/bookings?q=" + url.QueryEscape("ﾐﾜ"))
		if !strings.Contains(body, `href="/staff/bookings/`+id+`"`) || !strings.Contains(body, "三輪　𠮷子") || !strings.Contains(body, "検索結果（1 件）") {
			t.Fatalf("search by kana:\n%s", body)
		}
		status, _, body = staff.get(page)
		m := bookingCode.FindStringSubmatch(body)
		if status != 200 || m == nil || !strings.Contains(body, "三輪　翔太") || !strings.Contains(body, "予約の登録") {
			t.Fatalf("booking page: %d\n%s", status, body)
		}
		code := m[1]

		status, _, body = staff.get(page + "?date=2026-12-02")
		if status != 200 || !strings.Contains(body, "13:00–13:30") {
			t.Fatalf("free starts of another day: %d", status)
		}
		start := jstTime(t, "2026-12-02 13:00").Format(time.RFC3339)
		_, loc, _ := staff.post(page+"/move", url.Values{"start": {start}, "date": {"2026-12-02"}})
		if loc != page+"?done=moved" {
			t.Fatalf("move: %q", loc)
		}
		_, _, body = staff.get(loc)
		if !strings.Contains(body, "予約番号は変わりません") || !strings.Contains(body, code) || !strings.Contains(body, "2026-12-02 13:00–13:30") ||
			!strings.Contains(body, "予約の変更") {
			t.Fatalf("moved, same code:\n%s", body)
		}

		// Take the child out and add the third card, in one change.
		keep := regexp.MustCompile(`name="keep" value="(\d+)"`).FindAllStringSubmatch(body, -1)
		if len(keep) != 2 {
			t.Fatalf("two people to keep: %v", keep)
		}
		wrong := url.Values{"keep": {keep[0][1]}, "add.notice_number": {cards[2].notice}, "add.birth_date": {"1999-01-01"}}
		status, _, body = staff.post(page+"/people", wrong)
		if status != 422 || !strings.Contains(body, "交付通知書番号または生年月日が正しくありません") || !strings.Contains(body, `value="1999-01-01"`) {
			t.Fatalf("a wrong birth date is refused on the added person: %d\n%s", status, body)
		}
		if got := cardStatus(t, db, cards[1].notice); got != card.StatusReserved {
			t.Fatalf("a refused change changes nothing: %s", got)
		}
		form := url.Values{"keep": {keep[0][1]}, "add.notice_number": {cards[2].notice}, "add.birth_date": {cards[2].birth}}
		if _, loc, _ := staff.post(page+"/people", form); loc != page+"?done=people" {
			t.Fatalf("people: %q", loc)
		}
		_, _, body = staff.get(page)
		if !strings.Contains(body, code) || !strings.Contains(body, "有馬　直美") || strings.Contains(body, "三輪　翔太") {
			t.Fatalf("people changed, same code:\n%s", body)
		}
		if cardStatus(t, db, cards[1].notice) != card.StatusNoticeSent || cardStatus(t, db, cards[2].notice) != card.StatusReserved {
			t.Fatal("the cards follow the people")
		}

		// The header's scan field: the code with or without its hyphen, or a link carrying it.
		for _, scanned := range []string{code, strings.ReplaceAll(code, "-", ""), strings.ToLower(code),
			"https://yoyaku.example.lg.jp/booking/manage?code=" + code + "&token=x"} {
			if _, loc, _ := staff.get("/staff/scan?code=" + url.QueryEscape(scanned)); loc != page {
				t.Errorf("scan %q opens %q", scanned, loc)
			}
		}
		if status, _, body := staff.get("/staff/scan?code=2345-6789"); status != 404 || !strings.Contains(body, "予約番号 2345-6789 の予約はありません") {
			t.Errorf("an unknown code: %d", status)
		}
		if status, _, _ := staff.get("/staff/scan?code=hello"); status != 422 {
			t.Errorf("nothing Kofu prints: %d", status)
		}

		// The card page shows its booking.
		_, loc, _ = staff.get("/staff/scan?code=" + url.QueryEscape(cards[2].notice))
		_, _, body = staff.get(loc)
		if !strings.Contains(body, "交付予約") || !strings.Contains(body, `<a href="`+page+`">`+code+`</a>`) || !strings.Contains(body, "2026-12-02 13:00–13:30") {
			t.Fatalf("the card page shows the booking:\n%s", body)
		}

		_, _, csvText := staff.get("/staff/bookings/export.csv?from=2026-12-01&to=2026-12-31")
		if !strings.HasPrefix(csvText, moji.BOM) || !strings.Contains(csvText, code) || !strings.Contains(csvText, "有馬　直美") || strings.Contains(csvText, "三輪　翔太") {
			t.Fatalf("export:\n%s", csvText)
		}

		viewer := newBrowser(t, h)
		viewer.post("/staff/login", url.Values{"username": {"viewer1"}, "password": {password}})
		if status, _, body := viewer.get(page); status != 200 || strings.Contains(body, "/move") || strings.Contains(body, "/people") {
			t.Errorf("viewers read the booking without its forms: %d", status)
		}
		if status, _, _ := viewer.post(page+"/move", url.Values{"start": {start}}); status != 403 {
			t.Errorf("viewers cannot move: %d", status)
		}
		if n := auditCount(t, db, "booking.viewed"); n < 4 {
			t.Errorf("every view is audited: %d", n)
		}
		if err := db.View(ctx, func(tx *store.Tx) error { return tx.VerifySlotUsage(ctx) }); err != nil {
			t.Fatal(err)
		}
	})
}
