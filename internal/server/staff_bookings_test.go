package server

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/app"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// newClockHarness is newHarness with the services on a settable clock, so
// a test can book a day ahead and then live that day at the counter.
// Logins keep the real clock: a session must not expire as days pass.
func newClockHarness(t *testing.T, db *store.DB, clk clock.Clock) *harness {
	t.Helper()
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	cfg := &config.Config{Location: tokyo, Sites: "all", TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	a := auth.NewService(db, clock.System{}, secret.TestParams(), "Kofu")
	srv, err := build(app.Deps{Config: cfg, DB: db, Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Auth: a, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	for _, u := range []struct{ name, role string }{{"admin1", "admin"}, {"staff1", "staff"}, {"viewer1", "viewer"}} {
		if _, err := a.CreateUser(ctx, auth.System("test"), auth.Meta{}, auth.NewUser{Username: u.name, Role: u.role, Password: password}); err != nil {
			t.Fatal(err)
		}
	}
	return &harness{t: t, db: db, srv: srv, ts: ts}
}

func jstTime(t *testing.T, s string) time.Time {
	t.Helper()
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	v, err := time.ParseInLocation("2006-01-02 15:04", s, tokyo)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// counterCard is a card waiting for pickup in the counter scenario.
type counterCard struct{ notice, birth, name string }

func counterCards() []counterCard {
	return []counterCard{
		{"CTR-000001", "1970-05-05", "三輪　\uE000子"}, // 外字 registered as 𠮷
		{"CTR-000002", "2015-08-01", "三輪　翔太"},
		{"CTR-000003", "1988-02-14", "有馬　直美"},
	}
}

func seedCounterCards(t *testing.T, db *store.DB) {
	t.Helper()
	for i, c := range counterCards() {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: i + 1, Notice: c.notice, Birth: c.birth, Name: c.name,
			Kana: "ミワ", Status: card.StatusNoticeSent, Storage: fmt.Sprintf("A棚-%d", i+1), Gaiji: i == 0})
	}
	err := db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.PutGaiji(ctx, store.Gaiji{CodePoint: 0xE000, Text: "𠮷", UpdatedBy: "test"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func cardStatus(t *testing.T, db *store.DB, notice string) card.Status {
	t.Helper()
	var st card.Status
	err := db.View(ctx, func(tx *store.Tx) error {
		rec, err := tx.CardByNoticeNumber(ctx, notice)
		st = rec.Status
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

var createdID = regexp.MustCompile(`created=(\d+)$`)

// phoneBooking books the cards through the staff form and returns the
// booking's ID.
func phoneBooking(t *testing.T, b *browser, start string, cards ...counterCard) string {
	t.Helper()
	form := url.Values{"service": {"pickup"}, "place": {"main"}, "date": {start[:10]}, "people": {fmt.Sprint(len(cards))},
		"channel": {"phone"}, "start": {jstTime(t, start).Format(time.RFC3339)}, "phone": {"079-559-0000"}}
	for i, c := range cards {
		form.Set(fmt.Sprintf("people[%d].notice_number", i), c.notice)
		form.Set(fmt.Sprintf("people[%d].birth_date", i), c.birth)
	}
	status, loc, body := b.post("/staff/bookings/new", form)
	m := createdID.FindStringSubmatch(loc)
	if status != 303 || m == nil {
		t.Fatalf("phone booking: %d %q\n%s", status, loc, body)
	}
	return m[1]
}

// The counter runs a day: bookings made for phone callers, check-in,
// issue (cards issued), a no-show (card back to waiting) and "next"
// leaving nothing about the previous resident on screen.
func TestCounterRunsADay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(jstTime(t, "2026-11-20 10:00"))
		h := newClockHarness(t, db, clk)
		seedCounterCards(t, db)
		cards := counterCards()
		staff := newBrowser(t, h)
		staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})

		status, _, body := staff.get("/staff/bookings/new?service=pickup&place=main&date=2026-12-01&people=2")
		if status != 200 || !strings.Contains(body, "09:00–09:30") || !strings.Contains(body, `name="people[1].notice_number"`) {
			t.Fatalf("slots for a phone caller: %d", status)
		}
		wrong := cards[2]
		wrong.birth = "1999-01-01"
		form := url.Values{"service": {"pickup"}, "place": {"main"}, "date": {"2026-12-01"}, "people": {"1"}, "channel": {"phone"},
			"start": {jstTime(t, "2026-12-01 09:30").Format(time.RFC3339)}, "people[0].notice_number": {wrong.notice},
			"people[0].birth_date": {wrong.birth}}
		status, _, body = staff.post("/staff/bookings/new", form)
		if status != 422 || !strings.Contains(body, "交付通知書番号または生年月日が正しくありません") || !strings.Contains(body, `value="1999-01-01"`) {
			t.Fatalf("a wrong birth date is refused on the person, the input kept: %d", status)
		}
		family := phoneBooking(t, staff, "2026-12-01 09:00", cards[0], cards[1])
		single := phoneBooking(t, staff, "2026-12-01 09:30", cards[2])
		if _, _, body := staff.get("/staff/bookings/new?created=" + family); !strings.Contains(body, "予約を登録しました") || !strings.Contains(body, "三輪　𠮷子") {
			t.Fatal("the confirmation shows the booking")
		}

		clk.Advance(jstTime(t, "2026-12-01 09:05").Sub(clk.Now()))
		list := "/staff/counter?date=2026-12-01&place=main"
		status, _, body = staff.get(list)
		if status != 200 || !strings.Contains(body, "三輪　𠮷子") || !strings.Contains(body, "有馬　直美") || !strings.Contains(body, "A棚-1") {
			t.Fatalf("the day's list with 外字 mapped: %d\n%s", status, body)
		}
		ret := url.Values{"date": {"2026-12-01"}, "place": {"main"}}
		if _, loc, _ := staff.post("/staff/bookings/"+family+"/check-in", ret); loc != "/staff/counter?date=2026-12-01&done=checkin&place=main" {
			t.Fatalf("check-in returns to the list: %q", loc)
		}

		issuePath := "/staff/bookings/" + family + "/issue"
		status, _, body = staff.get(issuePath + "?date=2026-12-01&place=main")
		if status != 200 || !strings.Contains(body, "対応する方を選んでください") {
			t.Fatalf("a family: choose who is served: %d", status)
		}
		people := regexp.MustCompile(`name="person" value="(\d+)"`).FindAllStringSubmatch(body, -1)
		if len(people) != 2 {
			t.Fatalf("two people to choose from: %v", people)
		}
		status, _, body = staff.get(issuePath + "?person=" + people[0][1])
		if status != 200 || !strings.Contains(body, "三輪　𠮷子") || !strings.Contains(body, `name="attendance" value="self" checked`) {
			t.Fatalf("issue form: %d", status)
		}
		issue := url.Values{"person_id": {people[0][1]}, "attendance": {"self"}, "date": {"2026-12-01"}, "place": {"main"}}
		status, _, body = staff.post(issuePath, issue)
		if status != 422 || !strings.Contains(body, "確認した本人確認書類を入力してください") || !strings.Contains(body, "三輪　𠮷子") {
			t.Fatalf("no document seen: %d", status)
		}
		issue["documents"] = []string{"運転免許証"}
		issue["items"] = []string{"notification_card"}
		if _, loc, _ := staff.post(issuePath, issue); !strings.HasPrefix(loc, issuePath+"?") || !strings.Contains(loc, "done=issued") {
			t.Fatalf("issue: %q", loc)
		}
		if got := cardStatus(t, db, cards[0].notice); got != card.StatusIssued {
			t.Fatalf("card after issue: %s", got)
		}
		child := url.Values{"person_id": {people[1][1]}, "attendance": {"legal_representative"},
			"documents_other": {"健康保険証、母子手帳"}, "date": {"2026-12-01"}, "place": {"main"}}
		_, loc, _ := staff.post(issuePath, child)
		status, _, body = staff.get(strings.TrimPrefix(loc, h.ts.URL))
		if status != 200 || !strings.Contains(body, "交付を記録しました") || !strings.Contains(body, "法定代理人同行") ||
			!strings.Contains(body, "母子手帳") || !strings.Contains(body, "次の方へ") {
			t.Fatalf("after the family: %d\n%s", status, body)
		}
		if got := cardStatus(t, db, cards[1].notice); got != card.StatusIssued {
			t.Fatalf("child's card: %s", got)
		}

		_, loc, _ = staff.post("/staff/counter/next", ret)
		if loc != list {
			t.Fatalf("next resident: %q", loc)
		}
		_, _, body = staff.get(loc)
		for _, gone := range []string{"三輪", cards[0].notice, cards[1].notice, "交付を記録しました", "母子手帳"} {
			if strings.Contains(body, gone) {
				t.Errorf("the next resident sees %q", gone)
			}
		}
		if !strings.Contains(body, "有馬　直美") {
			t.Error("the people still expected stay listed")
		}

		status, _, body = staff.post("/staff/bookings/"+single+"/no-show", ret)
		if status != 409 || !strings.Contains(body, "予約の時刻を過ぎてから") {
			t.Fatalf("no-show before the time: %d", status)
		}
		clk.Advance(40 * time.Minute)
		if _, loc, _ := staff.post("/staff/bookings/"+single+"/no-show", ret); loc != "/staff/counter?date=2026-12-01&done=noshow&place=main" {
			t.Fatalf("no-show: %q", loc)
		}
		if got := cardStatus(t, db, cards[2].notice); got != card.StatusNoticeSent {
			t.Fatalf("a no-show gives the card back: %s", got)
		}
		_, _, body = staff.get(list + "&all=1")
		if !strings.Contains(body, "来庁なし") || !strings.Contains(body, "完了") {
			t.Error("the whole day is listed on request")
		}
		viewer := newBrowser(t, h)
		viewer.post("/staff/login", url.Values{"username": {"viewer1"}, "password": {password}})
		if status, _, body := viewer.get(list + "&all=1"); status != 200 || strings.Contains(body, "/check-in") || strings.Contains(body, "/issue") {
			t.Errorf("viewers read the list without actions: %d", status)
		}
		if n := auditCount(t, db, "booking.listed"); n < 5 {
			t.Errorf("every read of the list is audited: %d entries", n)
		}
		if err := db.View(ctx, func(tx *store.Tx) error { return tx.VerifySlotUsage(ctx) }); err != nil {
			t.Fatal(err)
		}
	})
}

// After the online cut-off staff cancel only on purpose, with a reason.
func TestCounterCancelAfterTheCutoff(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	clk := clock.NewFixed(jstTime(t, "2026-11-20 10:00"))
	h := newClockHarness(t, db, clk)
	seedCounterCards(t, db)
	staff := newBrowser(t, h)
	staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
	id := phoneBooking(t, staff, "2026-12-01 10:00", counterCards()[2])
	clk.Advance(jstTime(t, "2026-11-30 09:00").Sub(clk.Now()))

	ret := url.Values{"date": {"2026-12-01"}, "place": {"main"}}
	_, _, body := staff.get("/staff/counter?date=2026-12-01")
	if !strings.Contains(body, "変更締切後") || !strings.Contains(body, `name="override_cutoff"`) {
		t.Fatal("the list tells the cut-off has passed")
	}
	status, _, body := staff.post("/staff/bookings/"+id+"/cancel", ret)
	if status != 409 || !strings.Contains(body, "締切を過ぎています") {
		t.Fatalf("cancel after the cut-off without override: %d", status)
	}
	form := url.Values{"date": {"2026-12-01"}, "place": {"main"}, "override_cutoff": {"1"}}
	if status, _, body := staff.post("/staff/bookings/"+id+"/cancel", form); status != 422 || !strings.Contains(body, "理由を入力してください") {
		t.Fatalf("override without a reason: %d", status)
	}
	form.Set("reason", "本人から電話（入院のため）")
	if _, loc, _ := staff.post("/staff/bookings/"+id+"/cancel", form); loc != "/staff/counter?date=2026-12-01&done=cancel&place=main" {
		t.Fatalf("cancel with override: %q", loc)
	}
	if got := cardStatus(t, db, counterCards()[2].notice); got != card.StatusNoticeSent {
		t.Fatalf("a cancelled booking gives the card back: %s", got)
	}
}

func auditCount(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	var n int
	err := db.View(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.SearchAudit(ctx, store.AuditFilter{Action: action}, func(audit.Entry) error { return nil })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The settings page refuses a bad document with a message per field,
// keeping the text as typed, and saves a good one.
func TestBookingSettingsPage(t *testing.T) {
	h := newClockHarness(t, storetest.MustOpen(t, store.SQLite), clock.System{})
	staff := newBrowser(t, h)
	staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
	if status, _, _ := staff.get("/staff/settings/booking"); status != 403 {
		t.Fatalf("staff on the settings: %d", status)
	}
	admin := newBrowser(t, h)
	admin.post("/staff/login", url.Values{"username": {"admin1"}, "password": {password}})
	status, _, body := admin.get("/staff/settings/booking")
	if status != 200 || !strings.Contains(body, "市役所本庁 市民課") || !strings.Contains(body, "&#34;timezone&#34;: &#34;Asia/Tokyo&#34;") ||
		!strings.Contains(body, "09:00-12:00、13:00-19:00") {
		t.Fatalf("settings page: %d\n%s", status, body)
	}

	bad := strings.Replace(strings.Replace(defaultDocument(t), `"capacity": 2`, `"capacity": 0`, 1), `"min_days_ahead": 1`, `"min_days_ahead": 99`, 1)
	bad = strings.Replace(bad, `"max_days_ahead": 60`, `"max_days_ahead": 30`, 1)
	status, _, body = admin.post("/staff/settings/booking", url.Values{"document": {bad}})
	if status != 422 || !strings.Contains(body, "places[0].capacity") || !strings.Contains(body, "1 以上 100 以下") ||
		!strings.Contains(body, "min_days_ahead") || !strings.Contains(body, "次の 2 件を直してください") ||
		!strings.Contains(body, "&#34;capacity&#34;: 0") {
		t.Fatalf("a bad document: %d\n%s", status, body)
	}
	status, _, body = admin.post("/staff/settings/booking", url.Values{"document": {"{\n  \"timezone\": \"Asia/Tokyo\",\n  oops\n}"}})
	if status != 422 || !strings.Contains(body, "3 行 3 文字目") {
		t.Fatalf("broken JSON names the line: %d\n%s", status, body)
	}
	status, _, body = admin.post("/staff/settings/booking", url.Values{"document": {strings.Replace(defaultDocument(t), `"timezone"`, `"time_zone"`, 1)}})
	if status != 422 || !strings.Contains(body, "<code>time_zone</code>: この項目名はありません") {
		t.Fatalf("an unknown key: %d", status)
	}

	good := strings.Replace(strings.Replace(defaultDocument(t), `"capacity": 2`, `"capacity": 3`, 1), "市役所本庁 市民課", "本庁 市民課窓口", 1)
	if _, loc, _ := admin.post("/staff/settings/booking", url.Values{"document": {good}}); loc != "/staff/settings/booking?done=saved" {
		t.Fatalf("save: %q", loc)
	}
	_, _, body = admin.get("/staff/settings/booking?done=saved")
	if !strings.Contains(body, "保存しました") || !strings.Contains(body, "本庁 市民課窓口") || !strings.Contains(body, "3 人") {
		t.Fatal("the saved settings are shown")
	}
	st, err := h.srv.city.Reserve.Settings(ctx)
	if err != nil || st.Places[0].Capacity != 3 {
		t.Fatalf("saved: %+v %v", st.Places, err)
	}
}

func defaultDocument(t *testing.T) string {
	t.Helper()
	st := booking.DefaultSettings()
	doc, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}
