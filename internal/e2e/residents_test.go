package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// TestResidentsStumbles walks, in a browser, the places of the citizen site
// where residents stumbled (issue #21): each page is checked by tab.check.
func TestResidentsStumbles(t *testing.T) {
	if browserCtx == nil {
		t.Skip("e2e: " + skipReason)
	}
	storetest.One(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		t.Run("identity on its own page", func(t *testing.T) { s.identityOnItsPage(t) })
		t.Run("no e-mail: a phone number and a printable code", func(t *testing.T) { s.withoutEmail(t) })
		t.Run("the rules shown are the rules applied", func(t *testing.T) { s.rulesShown(t) })
		t.Run("the calendar is not doubled by a list", func(t *testing.T) { s.calendarOnce(t) })
	})
}

// identityOnItsPage: a wrong birth date and an unknown number are answered
// on the ご本人の確認 page, alike, before any time is chosen.
func (s *site) identityOnItsPage(t *testing.T) {
	tb := newTab(t, s.url, 375, 667)
	tb.open("/booking/start?service=pickup")
	// An empty form (item 5): the text field in error is as red as the
	// selects, the summary lists the fields in their order, and each
	// entry is a block of its own beside its bullet.
	tb.click(`.buttons button.primary`)
	var look struct {
		Notice, Year, Grey string
		Order              []string
		Inline             int
	}
	tb.eval(`(() => {
	  const grey = document.createElement("input"); grey.type = "text"; document.body.append(grey);
	  const out = {Notice: getComputedStyle(document.getElementById("notice0")).borderTopColor,
	    Year: getComputedStyle(document.getElementById("by0")).borderTopColor, Grey: getComputedStyle(grey).borderTopColor,
	    Order: [...document.querySelectorAll(".error-summary a")].map(a => a.getAttribute("href")),
	    Inline: [...document.querySelectorAll(".error-summary a")].filter(a => getComputedStyle(a).display !== "block").length};
	  grey.remove(); return out })()`, &look)
	if look.Notice != look.Year || look.Notice == look.Grey {
		t.Fatalf("the number field in error is %s, the year select %s (grey %s): both must be red", look.Notice, look.Year, look.Grey)
	}
	if strings.Join(look.Order, " ") != "#notice0 #by0" || look.Inline != 0 {
		t.Fatalf("summary entries %v (%d not blocks), want #notice0 #by0 as blocks", look.Order, look.Inline)
	}
	summary := func(noticeNo, y, m, d string) string {
		tb.do(chromedp.SetValue(chromedp.ID("notice0"), noticeNo), chromedp.SetValue(chromedp.ID("by0"), y),
			chromedp.SetValue(chromedp.ID("bm0"), m), chromedp.SetValue(chromedp.ID("bd0"), d))
		tb.click(`.buttons button.primary`)
		if got := tb.title(); got != "ご本人の確認" {
			t.Fatalf("after a wrong answer the page is %q, want ご本人の確認", got)
		}
		if !tb.has(".error-summary:focus") || !tb.has(`#notice0[aria-invalid=true]`) || !tb.has(`.error-summary a[href="#notice0"]`) {
			t.Fatal("the wrong answer is not reported at the number with the focus on the summary")
		}
		return tb.text(".error-summary ul")
	}
	y, m, d := birthParts(3)
	wrongDate := summary(notice(3), y, m, "28")
	unknown := summary("ZZZ-999999", y, m, d)
	if wrongDate != unknown || wrongDate == "" {
		t.Fatalf("a wrong date says %q, an unknown number %q: they must be the same", wrongDate, unknown)
	}
	summary(notice(3), y, m, "28")
	tb.do(chromedp.SetValue(chromedp.ID("bd0"), d))
	tb.click(`.buttons button.primary`)
	if got := tb.title(); got != "窓口を選ぶ" {
		t.Fatalf("with the right date the next page is %q, want 窓口を選ぶ", got)
	}
}

// withoutEmail books with a phone number only: the done page shows the code
// to print and promises no mail, and none is sent; with mail switched off
// the contact page promises none either.
func (s *site) withoutEmail(t *testing.T) {
	tb := newTab(t, s.url, 375, 667)
	tb.open("/booking/start?service=pickup")
	fillPerson(tb, 0, 4)
	tb.click(`.buttons button.primary`)
	s.pickFirstSlot(tb)
	tb.do(chromedp.Click(chromedp.CSS("#who0")))
	tb.click(`.buttons button.primary`)
	tb.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("input[name=tick]").forEach(e => e.checked || e.click())`))
	tb.click(`.buttons button.primary`)
	if tb.has(`#email[required]`) || !strings.Contains(tb.text("main"), "確認メールをお送りします") {
		t.Fatal("mail is on: the address is optional and a mail is promised for it")
	}
	tb.click(`.buttons button.primary`) // neither: an error
	if !tb.has(".error-summary:focus") || !tb.has(`#email[aria-invalid=true]`) {
		t.Fatal("neither an address nor a phone number is not reported")
	}
	tb.do(chromedp.SendKeys(chromedp.ID("phone"), "079-000-2222"))
	tb.click(`.buttons button.primary`)
	tb.mustSee("079-000-2222")
	tb.click(`.buttons button.primary`)
	b := readDone(tb)
	body := tb.text("main")
	if !strings.Contains(body, "確認メールはお送りしません") || strings.Contains(body, "メールでもお送りします") || !strings.Contains(body, "印刷") {
		t.Fatalf("done page without an address:\n%s", body)
	}
	if got := s.booking(t, b); got.Email != "" || got.Phone != "079-000-2222" {
		t.Fatalf("stored contact %q %q", got.Email, got.Phone)
	}
	before := len(s.sink.Messages())
	s.sendMail()
	if n := len(s.sink.Messages()); n != before {
		t.Fatalf("%d mails sent for a booking without an address", n-before)
	}
	// Mail switched off: the contact page promises nothing.
	s.switchMail(t, false)
	defer s.switchMail(t, true)
	tb.open("/booking/start?service=pickup")
	fillPerson(tb, 0, 5)
	tb.click(`.buttons button.primary`)
	s.pickFirstSlot(tb)
	tb.do(chromedp.Click(chromedp.CSS("#who0")))
	tb.click(`.buttons button.primary`)
	tb.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("input[name=tick]").forEach(e => e.checked || e.click())`))
	tb.click(`.buttons button.primary`)
	if main := tb.text("main"); strings.Contains(main, "確認メールをお送りします") || !strings.Contains(main, "メールではお送りしていません") {
		t.Fatalf("mail off: the contact page must not promise a mail:\n%s", main)
	}
	tb.do(chromedp.SendKeys(chromedp.ID("email"), "off@example.jp"))
	tb.click(`.buttons button.primary`)
	tb.click(`.buttons button.primary`)
	readDone(tb)
	if body := tb.text("main"); strings.Contains(body, "メールでもお送りします") {
		t.Fatalf("mail off: the done page promises a mail:\n%s", body)
	}
	tb.open("/")
	if strings.Contains(tb.text("main"), "メールのリンク") {
		t.Fatal("mail off: the top page names a mailed link")
	}
}

// rulesShown: the top page says the closing time and the days bookable now
// as the engine computes them; a Sunday special opening is listed there,
// marked on the calendar and bookable; the done page says the change
// deadline with its time, the instant the engine applies.
func (s *site) rulesShown(t *testing.T) {
	st, err := s.city.Reserve.Settings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	first, last, err := st.Window(s.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	sunday := first.AddDays(7 + (7-int(first.Weekday()))%7)
	st.Places[0].OpenDates = map[string][]string{sunday.String(): {"09:00-12:00"}}
	if err := s.city.Reserve.SaveSettings(t.Context(), admin, auth.Meta{}, st); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t, s.url, 375, 667)
	tb.open("/")
	wd := []rune("日月火水木金土")
	label := func(d calendar.Date) string {
		return fmt.Sprintf("%d年%d月%d日（%c）", d.Year, int(d.Month), d.Day, wd[d.Weekday()])
	}
	tb.mustSee("予約の受付は、利用日の7日前の 17:00 までです。",
		"いま予約できるのは、"+label(first)+" から "+label(last)+" までの日時です。",
		fmt.Sprintf("%d月%d日（日） 09:00-12:00 市役所本庁 市民課", int(sunday.Month), sunday.Day))
	tb.open("/booking/start?service=pickup")
	fillPerson(tb, 0, 6)
	tb.click(`.buttons button.primary`)
	tb.do(chromedp.Click(chromedp.ID("place0")))
	tb.click(`.buttons button.primary`)
	day := `table.cal button[name=date][value="` + sunday.String() + `"]`
	for range 3 {
		if tb.has(day) {
			break
		}
		tb.click(`.month-nav > button:last-child`)
	}
	var aria string
	tb.eval(`document.querySelector('`+day+`').getAttribute("aria-label")`, &aria)
	if !strings.Contains(aria, "臨時開庁日") || !strings.Contains(tb.text("#cal-legend"), "臨時開庁日") {
		t.Fatalf("the Sunday opening is not marked: %q / %q", aria, tb.text("#cal-legend"))
	}
	tb.click(day)
	tb.mustSee("この日は臨時開庁日です。")
	tb.click(`button.slot`)
	tb.do(chromedp.Click(chromedp.CSS("#who0")))
	tb.click(`.buttons button.primary`)
	tb.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("input[name=tick]").forEach(e => e.checked || e.click())`))
	tb.click(`.buttons button.primary`)
	tb.do(chromedp.SendKeys(chromedp.ID("email"), "rules@example.jp"))
	tb.click(`.buttons button.primary`)
	tb.click(`.buttons button.primary`)
	b := readDone(tb)
	stored := s.booking(t, b)
	closes, err := st.ChangeClosesAt(stored.Start)
	if err != nil {
		t.Fatal(err)
	}
	lastMinute := closes.Add(-time.Minute).In(s.tokyo)
	want := label(calendar.DateOf(lastMinute)) + " 23:59（予約日の3日前）"
	if lastMinute.Format("15:04") != "23:59" || !strings.Contains(tb.text("main"), want) {
		t.Fatalf("the done page does not say the deadline %q:\n%s", want, tb.text("main"))
	}
}

// calendarOnce: at 375 px the date page holds the month once; the list of
// days is folded away, there for whoever opens it (it was 1,603 px tall
// with every day listed under the month).
func (s *site) calendarOnce(t *testing.T) {
	tb := newTab(t, s.url, 375, 667)
	tb.open("/booking/start?service=pickup")
	fillPerson(tb, 0, 8)
	tb.click(`.buttons button.primary`)
	tb.do(chromedp.Click(chromedp.ID("place0")))
	tb.click(`.buttons button.primary`)
	var page struct {
		Height, Listed, Bookable int
		Open                     bool
	}
	measure := `({Height: document.documentElement.scrollHeight, Open: document.querySelector("details.daylist-box").open,
	  Listed: [...document.querySelectorAll(".daylist li")].filter(li => li.checkVisibility() && li.getBoundingClientRect().height > 0).length,
	  Bookable: document.querySelectorAll("table.cal button[name=date]").length})`
	tb.eval(measure, &page)
	t.Logf("date page at 375 px: %d px tall", page.Height)
	if page.Open || page.Listed != 0 || page.Height > 1200 {
		t.Fatalf("the date page doubles the calendar: %+v", page)
	}
	tb.do(chromedp.Click(chromedp.CSS(`details.daylist-box summary`)))
	tb.eval(measure, &page)
	if !page.Open || page.Listed < page.Bookable {
		t.Fatalf("the folded list does not give every day: %+v", page)
	}
}
