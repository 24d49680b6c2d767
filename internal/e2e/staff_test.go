package e2e

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/intake"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/legacy/legacytest"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// staffPageLimit bounds the walk: the demo city has a few hundred cards,
// and one card page stands for them all (see staffKey).
const staffPageLimit = 150

// TestStaffPages walks the back office of the demo city as its admin, on
// each engine, at the clerk's 1366 × 768: every page a link leads to, and
// the pages reached through forms (a booking's counter page, a report),
// each checked by axe-core with no violation allowed. Every GET route of
// the back office must have been visited, so a new page cannot slip by.
func TestStaffPages(t *testing.T) {
	if browserCtx == nil {
		t.Skip("e2e: " + skipReason)
	}
	storetest.One(t, func(t *testing.T, db *store.DB) {
		began := time.Now()
		city := newStaffCity(t, db)
		t.Logf("demo city seeded in %v", time.Since(began).Round(time.Second))
		tb := newTab(t, city.url, 1366, 768)
		login(tb, "demo-admin", city.password)
		w := &staffWalk{tab: tb, seen: map[string]bool{}}
		w.crawl("/staff/")
		for _, path := range city.formPages(tb) {
			w.visit(path)
		}
		t.Logf("%d staff pages checked in %v", len(w.visited), time.Since(began).Round(time.Second))
		for _, missed := range unvisitedRoutes(city.routes, w.visited) {
			t.Errorf("no page of %s was checked: link to it or add it to formPages", missed)
		}
		// The findings of issue #21 (the tab belongs to t: no subtests).
		city.counterHandover(tb)
		city.gaijiLinks(tb)
		city.settingsForms(tb)
		city.enterMovesNothing(tb)
	})
}

// staffWalk visits staff pages once each, checking each with axe.
type staffWalk struct {
	tab     *tab
	seen    map[string]bool
	visited []string // paths checked
}

// skipLink leaves out what is not a page of the back office: downloads,
// the logout, other sites, and links that only repeat a page.
var skipLink = regexp.MustCompile(`\.(csv|pdf|xlsx|png)|/download|/logout|^/staff/scan\?|/booking/qr|^/staff/documents/[^/]+/(content|pages/)|/events$`)

// staffKey is what makes two links the same page for the walk: the route
// with its IDs, without the query (one card page, one list page of each).
func staffKey(path string) string {
	u, err := url.Parse(path)
	if err != nil {
		return path
	}
	return regexp.MustCompile(`/\d+`).ReplaceAllString(u.Path, "/N")
}

func (w *staffWalk) crawl(start string) {
	queue := []string{start}
	for len(queue) > 0 && len(w.visited) < staffPageLimit {
		path := queue[0]
		queue = queue[1:]
		for _, link := range w.visit(path) {
			if !w.seen[staffKey(link)] {
				w.seen[staffKey(link)] = true
				queue = append(queue, link)
			}
		}
	}
}

// visit opens a page, checks it and returns its links into /staff/.
func (w *staffWalk) visit(path string) []string {
	tb := w.tab
	tb.t.Helper()
	w.seen[staffKey(path)] = true
	staffOpen(tb, path)
	w.visited = append(w.visited, path)
	var links []string
	tb.eval(`[...document.querySelectorAll("a[href^='/staff/']")].map(a => a.getAttribute("href").split("#")[0])`, &links)
	return slices.DeleteFunc(links, func(l string) bool { return skipLink.MatchString(l) || l == "" })
}

// unvisitedRoutes lists the back office's GET routes no visited path
// matched. Downloads and redirects without a page of their own are left out.
func unvisitedRoutes(routes []string, visited []string) []string {
	var out []string
	for _, pattern := range routes {
		path, ok := strings.CutPrefix(pattern, "GET ")
		if !ok || !strings.HasPrefix(path, "/staff/") || skipLink.MatchString(path) || path == "/staff/login" || path == "/staff/scan" {
			continue
		}
		re := regexp.MustCompile("^" + regexp.MustCompile(`\\\{[^}]*\\\}`).ReplaceAllString(regexp.QuoteMeta(
			strings.TrimSuffix(path, "{$}")), `[^/]+`) + "$")
		if !slices.ContainsFunc(visited, func(v string) bool { u, _ := url.Parse(v); return re.MatchString(u.Path) }) {
			out = append(out, pattern)
		}
	}
	return out
}

// staffOpen opens a staff page and checks it with axe; staffSubmit does
// so for the page a click loads. The citizen site's other rules (touch
// targets, weight, 320 px) are not the back office's: it is used on
// office PCs.
func staffOpen(tb *tab, path string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(tb.base + path))
	staffCheck(tb)
}

func staffSubmit(tb *tab, sel string) {
	tb.t.Helper()
	tb.waitLoad(chromedp.Click(chromedp.CSS(sel)))
	staffCheck(tb)
}

func staffCheck(tb *tab) {
	tb.t.Helper()
	for _, v := range tb.axeViolations() {
		tb.t.Errorf("%s (%s): %s", tb.location(), tb.title(), v)
	}
}

func login(tb *tab, user, password string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(tb.base+"/staff/login"),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), password))
	tb.waitLoad(chromedp.Click(chromedp.CSS(`button[type=submit]`)))
}

// staffCity is the demo city with what the findings need on top:
// a child's booking, and an at-application card whose name holds 外字
// (no notice number).
type staffCity struct {
	t        *testing.T
	url      string
	password string
	routes   []string
	// documentID is a two-page scan on the 外字 card.
	documentID int64
	child      reserve.Booking
	gaijiID    int64
	// ledgerImport is a ledger (管理簿) import, for its report page.
	ledgerImport int64
	// ledgerJob is a background ledger import that a stopped server left
	// unfinished, for the job's page.
	ledgerJob int64
}

func newStaffCity(t *testing.T, db *store.DB) *staffCity {
	t.Helper()
	d := startDemo(t, db)
	c := &staffCity{t: t, url: d.url, password: d.password}
	for _, r := range d.srv.Routes() {
		c.routes = append(c.routes, r.Pattern)
	}
	gaiji := ledgertest.MustCard(t, db, ledgertest.Seed{App: 99001, Name: "\ue000田　花子", Gaiji: true, Flags: []string{card.FlagGaiji},
		Status: card.StatusSetupDone, Method: card.MethodAtApplication, Birth: "1990-04-01"})
	c.gaijiID = gaiji.ID
	c.documentID = seedDocument(t, db, gaiji.ID)
	seedInterruptedStack(t, db)
	day := time.Now().AddDate(0, 0, 7)
	birth := day.AddDate(-10, 0, 0).Format(time.DateOnly) // ten on the booking's day
	// The child's name holds 外字 the city's table does not know, and the
	// child was handed a card before (to collect at this handover).
	kid := ledgertest.MustCard(t, db, ledgertest.Seed{App: 99002, Resident: "99002", Notice: "KID-000001", Name: "子供　一郎\ue0f1",
		Kana: "コドモ　イチロウ", Birth: birth, Status: card.StatusNoticeSent, Storage: "A棚", Gaiji: true})
	before := ledgertest.Seed{App: 99003, Resident: "99002", Notice: "KID-000000", Birth: birth, Status: card.StatusIssued}.Record()
	before.Resident.ID = kid.Resident.ID
	if err := db.Update(t.Context(), func(tx *store.Tx) error { return tx.InsertCardRecord(t.Context(), &before) }); err != nil {
		t.Fatal(err)
	}
	c.child = c.bookChild(d, day)
	res, err := intake.New(db, clock.System{}).ImportLedger(t.Context(), auth.Principal{UserID: 1, Username: "demo-admin", Role: auth.RoleAdmin},
		auth.Meta{}, bytes.NewReader(legacytest.Build(t,
			[]string{"申請書ID", "氏名", "生年月日", "状態", "通知書発送日"},
			[]any{"00000000000000000088801", "管理\u3000一郎", "1980-01-01", "通知済", 46300.0},
			[]any{"00000000000000000088802", "管理\u3000二郎", "1981-02-02", "交付前設定済"})), intake.LedgerOptions{FileName: "管理簿.xlsx"})
	if err != nil {
		t.Fatal(err)
	}
	c.ledgerImport = res.ImportID
	job := store.ImportJob{Kind: intake.KindLedger, FileName: "大きな管理簿.xlsx", ActorID: 1, Actor: "demo-admin", StartedAt: time.Now()}
	if err := db.Update(t.Context(), func(tx *store.Tx) error { return tx.InsertImportJob(t.Context(), &job) }); err != nil {
		t.Fatal(err)
	}
	if err := intake.New(db, clock.System{}).FailInterruptedJobs(t.Context()); err != nil {
		t.Fatal(err)
	}
	c.ledgerJob = job.ID
	return c
}

// bookChild books the child's card by phone on the first open slot of the
// demo's first place from day on.
func (c *staffCity) bookChild(d demoSite, day time.Time) reserve.Booking {
	t := c.t
	admin := auth.Principal{UserID: 1, Username: "demo-admin", Role: auth.RoleAdmin}
	st, err := d.city.Reserve.Settings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for range 30 {
		slots, err := st.ServiceStarts("pickup", st.Places[0].ID, calendar.DateOf(day), calendar.DateOf(day), d.loc)
		if err == nil && len(slots) > 0 {
			b, _, err := d.city.Reserve.StaffBook(t.Context(), admin, auth.Meta{}, booking.ChannelPhone, reserve.CreateRequest{
				Service: "pickup", Place: st.Places[0].ID, Start: slots[len(slots)-1].Start.Format(time.RFC3339),
				People: []reserve.PersonInput{{NoticeNumber: "KID-000001", BirthDate: day.AddDate(-10, 0, 0).Format(time.DateOnly),
					Comes: string(reserve.AttendanceLegalRep)}}})
			if err == nil {
				return b
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	t.Fatal("no slot for the child's booking")
	return reserve.Booking{}
}

// formPages are pages reached through forms rather than links, with data:
// a stocktake is started on the first storage place for its pages.
func (c *staffCity) formPages(tb *tab) []string {
	var place string
	tb.do(chromedp.Navigate(tb.base + "/staff/storage"))
	tb.eval(`document.querySelector("a[href^='/staff/storage/places/']").getAttribute("href")`, &place)
	tb.do(chromedp.Navigate(tb.base + place))
	tb.waitLoad(chromedp.Click(chromedp.CSS(`form[action="/staff/storage/stocktakes"] button[type=submit]`)))
	stocktake, _ := url.Parse(tb.location())
	pages := []string{
		stocktake.Path,
		stocktake.Path + "/report",
		fmt.Sprintf("/staff/imports/ledger/%d", c.ledgerImport),
		fmt.Sprintf("/staff/imports/ledger/jobs/%d", c.ledgerJob),
		fmt.Sprintf("/staff/bookings/%d/issue", c.child.ID),
		fmt.Sprintf("/staff/bookings/%d/reception", c.child.ID),
		fmt.Sprintf("/staff/bookings/%d", c.child.ID),
		fmt.Sprintf("/staff/bookings/%d?date=%s", c.child.ID, c.child.Date),
		"/staff/bookings?q=" + url.QueryEscape("コドモ"),
		"/staff/counter?date=" + c.child.Date,
		"/staff/cards?q=" + url.QueryEscape("コドモ"),
		fmt.Sprintf("/staff/cards/%d", c.gaijiID),
		fmt.Sprintf("/staff/documents/%d", c.documentID),
		"/staff/settings/booking?month=" + time.Now().AddDate(0, 1, 0).Format("2006-01"),
		"/staff/device/pair",
	}
	// An issued card's page links its hand-over slip.
	var issued string
	tb.do(chromedp.Navigate(tb.base + "/staff/cards?status=issued"))
	tb.eval(`document.querySelector("table a[href^='/staff/cards/']").getAttribute("href")`, &issued)
	return append(pages, issued, strings.Replace(issued, "/staff/cards/", "/staff/print/handover/", 1))
}

func (c *staffCity) counterHandover(tb *tab) {
	staffOpen(tb, "/staff/counter?date="+c.child.Date)
	tb.mustSee("子供　一郎", "15歳未満（法定代理人の同行が必要）", "外字未登録", "来庁予定: 法定代理人同行", "旧カード回収 1枚")
	staffOpen(tb, fmt.Sprintf("/staff/bookings/%d/issue", c.child.ID))
	tb.mustSee("15歳未満の方です。", "法定代理人の本人確認書類", "外字未登録", "予約時の回答（来庁する方）", "法定代理人同行",
		"交付済のカードが 1 枚あります")
	var checked string
	tb.eval(`document.querySelector("input[name=attendance]:checked").value`, &checked)
	if checked != string(reserve.AttendanceLegalRep) {
		tb.t.Errorf("who came is %q for a child, want the legal representative", checked)
	}
}

// settingsForms closes a day on the calendar with a click, changes a rule
// in its form, and sees both in the summary and the JSON.
func (c *staffCity) settingsForms(tb *tab) {
	staffOpen(tb, "/staff/settings/booking#calendar")
	var day string
	tb.eval(`document.querySelector("button[name=close]").value`, &day)
	staffSubmit(tb, `button[name=close]`)
	tb.mustSee("予約の設定を保存しました。")
	if !tb.has(fmt.Sprintf(`button[name=reopen][value="%s"]`, day)) {
		tb.t.Errorf("the closed day %s cannot be reopened on the calendar", day)
	}
	tb.do(chromedp.SetValue(chromedp.ID("rule-change_cutoff_days"), "4"))
	staffSubmit(tb, `form[action="/staff/settings/booking/rules"] button[type=submit]`)
	tb.mustSee("予約日の 5 日前まで")
	var doc string
	tb.eval(`document.getElementById("document").value`, &doc)
	if !strings.Contains(doc, `"change_cutoff_days": 4`) {
		tb.t.Errorf("the JSON document after the form: %s", doc)
	}
	tb.do(chromedp.SetValue(chromedp.ID("rule-max_days_ahead"), "x"))
	staffSubmit(tb, `form[action="/staff/settings/booking/rules"] button[type=submit]`)
	tb.mustSee("半角数字で入力してください。")
}

func (c *staffCity) gaijiLinks(tb *tab) {
	staffOpen(tb, "/staff/gaiji")
	var texts []string
	tb.eval(fmt.Sprintf(`[...document.querySelectorAll("a[href='/staff/cards/%d']")].map(a => a.textContent.trim())`, c.gaijiID), &texts)
	if len(texts) != 1 || texts[0] == "" {
		tb.t.Errorf("the 外字 page links the card without a notice number as %q", texts)
	}
}

// enterMovesNothing types a reason on a card page and presses Enter: no
// move is made (the form's default button is a disabled one).
func (c *staffCity) enterMovesNothing(tb *tab) {
	var card string
	tb.do(chromedp.Navigate(tb.base + "/staff/cards?status=notice_sent"))
	tb.eval(`document.querySelector("table a[href^='/staff/cards/']").getAttribute("href")`, &card)
	tb.do(chromedp.Navigate(tb.base+card), chromedp.SendKeys(chromedp.ID("reason"), "電話で確認\r"), chromedp.Sleep(time.Second))
	if loc := tb.location(); !strings.HasSuffix(loc, card) || strings.Contains(tb.text("main"), "状態を変更しました") {
		tb.t.Errorf("Enter in the reason field changed the card: %s", loc)
	}
}
