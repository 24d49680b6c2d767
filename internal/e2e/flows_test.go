package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kofu-oss/kofu/internal/mail/smtptest"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// TestCitizenSite walks the citizen booking site in a browser on each
// engine: every page of every flow is checked by tab.check.
func TestCitizenSite(t *testing.T) {
	if browserCtx == nil {
		t.Skip("e2e: " + skipReason)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		t.Run("single booking", func(t *testing.T) { s.singleBooking(t) })
		t.Run("family of three: book, change, cancel, mails", func(t *testing.T) { s.familyBooking(t) })
		t.Run("English: book, find, change, cancel", func(t *testing.T) { s.englishFlow(t) })
		t.Run("phone 375x667", func(t *testing.T) { s.phoneFlow(t) })
		t.Run("keyboard only", func(t *testing.T) { s.keyboardFlow(t) })
		t.Run("cancel after the cut-off", func(t *testing.T) { s.afterCutoff(t) }) // moves the clock: last
	})
}

// booked is what the done page gave.
type booked struct {
	code, token string
}

// bookByClicks books the cards from the top page, clicking and typing as a
// resident does, and returns the booking. In a family the second person
// is a child with a parent and the third sends a proxy; one person too
// many is added and removed again on the way.
func (s *site) bookByClicks(tb *tab, lang string, email string, cards ...int) booked {
	tb.t.Helper()
	top := "/"
	if lang == "en" {
		top = "/?lang=en"
	}
	tb.open(top)
	tb.click(`a.button.primary[href*="service=pickup"]`)
	for range len(cards) - 1 {
		tb.click(`button[name=add]`)
	}
	if len(cards) > 1 {
		tb.click(`button[name=add]`)
		tb.click(fmt.Sprintf(`button[name=remove][value="%d"]`, len(cards)))
	}
	for k, i := range cards {
		fillPerson(tb, k, i)
	}
	tb.click(`.buttons button.primary`)
	return s.finishBooking(tb, email, len(cards))
}

// finishBooking goes on from the place step for n people.
func (s *site) finishBooking(tb *tab, email string, n int) booked {
	tb.t.Helper()
	s.pickFirstSlot(tb)
	for k := range n {
		tb.do(chromedp.Click(chromedp.CSS(fmt.Sprintf("#who%d%s", k, []string{"", "", "-proxy", "", ""}[k]))))
	}
	tb.click(`.buttons button.primary`)
	tb.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("input[name=tick]").forEach(e => e.checked || e.click())`))
	tb.click(`.buttons button.primary`)
	tb.do(chromedp.SendKeys(chromedp.ID("email"), email))
	tb.click(`.buttons button.primary`)
	tb.click(`.buttons button.primary`) // confirm
	return readDone(tb)
}

// fillPerson types card i's notice number and birth date as person k.
func fillPerson(tb *tab, k, i int) {
	tb.t.Helper()
	y, m, d := birthParts(i)
	tb.do(chromedp.SendKeys(chromedp.ID(fmt.Sprintf("notice%d", k)), strings.ToLower(notice(i))),
		chromedp.SetValue(chromedp.ID(fmt.Sprintf("by%d", k)), y),
		chromedp.SetValue(chromedp.ID(fmt.Sprintf("bm%d", k)), m),
		chromedp.SetValue(chromedp.ID(fmt.Sprintf("bd%d", k)), d))
}

func birthParts(i int) (y, m, d string) {
	p := strings.Split(birth(i), "-")
	return p[0], strings.TrimLeft(p[1], "0"), strings.TrimLeft(p[2], "0")
}

// pickFirstSlot chooses the main place, the first bookable day (moving on
// a month when this one has none) and the first time of it.
func (s *site) pickFirstSlot(tb *tab) {
	tb.t.Helper()
	tb.do(chromedp.Click(chromedp.ID("place0")))
	tb.click(`.buttons button.primary`)
	pickFirstDay(tb)
}

// pickFirstDay chooses the first bookable day of the calendar, moving on
// a month when this one has none, and the first time of it.
func pickFirstDay(tb *tab) {
	tb.t.Helper()
	for range 3 {
		if tb.has(`table.cal button[name=date]`) {
			break
		}
		tb.click(`.month-nav > button:last-child`)
	}
	tb.click(`table.cal button[name=date]`)
	tb.click(`button.slot`)
}

// pickOtherDay chooses a bookable day other than day on the calendar,
// moving on a month when this one has none.
func pickOtherDay(tb *tab, day string) {
	tb.t.Helper()
	other := `table.cal button[name=date]:not([value="` + day + `"])`
	for range 3 {
		if tb.has(other) {
			break
		}
		tb.click(`.month-nav > button:last-child`)
	}
	tb.click(other)
}

// readDone reads the booking code and the manage token from the done page.
func readDone(tb *tab) booked {
	tb.t.Helper()
	code := strings.TrimSpace(tb.text(".done-box .code"))
	var href string
	tb.eval(`document.querySelector("a.button[href*='token=']").href`, &href)
	u, err := url.Parse(href)
	if err != nil || code == "" {
		tb.t.Fatalf("done page without code or link: %q %q", code, href)
	}
	return booked{code: code, token: u.Query().Get("token")}
}

// booking reads the booking as stored.
func (s *site) booking(t *testing.T, b booked) store.Booking {
	t.Helper()
	code, ok := reserve.NormalizeCode(b.code)
	if !ok {
		t.Fatalf("booking code %q", b.code)
	}
	var got store.Booking
	err := s.db.View(t.Context(), func(tx *store.Tx) (err error) {
		got, err = tx.BookingByCode(t.Context(), code)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (s *site) singleBooking(t *testing.T) {
	tb := newTab(t, s.url, 1280, 900)
	tb.open("/booking/start")
	tb.click(`.buttons button.primary`) // the first service, pickup
	// An empty form: the error summary takes the focus and links the field.
	tb.click(`.buttons button.primary`)
	if got := tb.text(":focus"); !strings.Contains(got, "入力内容を確認してください") && !tb.has(".error-summary:focus") {
		t.Fatalf("focus after a form error is on %q, want the error summary", got)
	}
	if !tb.has(`.error-summary a[href="#notice0"]`) {
		t.Fatal("error summary does not link the notice number field")
	}
	fillPerson(tb, 0, 1)
	tb.click(`.buttons button.primary`)
	tb.click(`.buttons button.primary`) // no place chosen: an error
	if !tb.has(".error-summary:focus") {
		t.Fatal("focus not on the error summary without a place")
	}
	tb.do(chromedp.Click(chromedp.ID("place0")))
	tb.click(`.buttons button.primary`)
	month := tb.text(".month-nav .month")
	tb.click(`.month-nav > button:last-child`)
	if tb.text(".month-nav .month") == month {
		t.Fatalf("the next month button stays on %s", month)
	}
	tb.click(`.month-nav > button:first-child`)
	if got := tb.text(".month-nav .month"); got != month {
		t.Fatalf("back from the next month shows %s, want %s", got, month)
	}
	pickFirstDay(tb)
	tb.click(`.buttons button.primary`) // nobody chosen: an error
	if !tb.has(".error-summary:focus") {
		t.Fatal("focus not on the error summary after a missing answer")
	}
	tb.do(chromedp.Click(chromedp.CSS("#who0")))
	tb.click(`.buttons button.primary`)
	tb.do(chromedp.Click(chromedp.ID("tick0")))
	tb.click(`.buttons button.primary`) // not every item ticked: an error
	if !tb.has(".error-summary:focus") || !tb.has(`#tick0:checked`) {
		t.Fatal("an unticked item is not reported, or the ticks are lost")
	}
	tb.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("input[name=tick]").forEach(e => e.checked || e.click())`))
	tb.click(`.buttons button.primary`)
	tb.do(chromedp.SendKeys(chromedp.ID("email"), "not-an-address"))
	tb.click(`.buttons button.primary`)
	if !tb.has(".error-summary:focus") || !tb.has(`#email[aria-invalid=true]`) {
		t.Fatal("a wrong e-mail address is not reported with the focus on the summary")
	}
	tb.do(chromedp.SetValue(chromedp.ID("email"), "single@example.jp"))
	tb.click(`.buttons button.primary`)
	tb.mustSee("ABC-000001", "single@example.jp")
	tb.click(`.buttons button.primary`)
	b := readDone(tb)
	tb.mustSee(b.code)
	if got := s.booking(t, b); got.Status != store.BookingBooked || len(got.People) != 1 {
		t.Fatalf("booking %+v", got)
	}
	s.errorPages(t, tb, "ja")
}

// errorPages visits the pages a resident sees when something is wrong: a
// booking that cannot be found, and a form too old to go on with.
func (s *site) errorPages(t *testing.T, tb *tab, lang string) {
	tb.open("/booking/manage?lang=" + lang)
	y, m, d := birthParts(1)
	tb.do(chromedp.SendKeys(chromedp.ID("code"), "ZZZZ-ZZZZ"),
		chromedp.SendKeys(chromedp.ID("notice"), notice(1)),
		chromedp.SetValue(chromedp.ID("birth"), y), chromedp.SetValue(chromedp.ID("bm"), m), chromedp.SetValue(chromedp.ID("bd"), d))
	tb.click(`form[action="/booking/manage"] button.primary`)
	if !tb.has(".error-summary:focus") || !tb.has(`#code[aria-invalid=true]`) {
		t.Fatal("an unknown booking is not reported on the form with the focus on the summary")
	}
	tb.open("/booking/start?service=pickup&lang=" + lang)
	tb.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("input[name=s]").forEach(e => e.value = "forged")`))
	tb.click(`.buttons button.primary`)
	if !tb.has(`a.button.primary[href*="/booking/start"]`) {
		t.Fatalf("a forged form does not offer to start again: %q", tb.title())
	}
	t.Logf("%d pages checked in %s", len(tb.visited), lang)
}

func (s *site) familyBooking(t *testing.T) {
	tb := newTab(t, s.url, 375, 667) // the issue asks for the family on a phone
	b := s.bookByClicks(tb, "ja", "family@example.jp", 2, 3, 4)
	tb.mustSee(b.code, "3")
	before := s.booking(t, b)
	if len(before.People) != 3 {
		t.Fatalf("booked %d people, want 3", len(before.People))
	}
	s.sendMail()
	s.wantMail(t, "family@example.jp", "【予約完了】", b.code, "STATUS:CONFIRMED")

	// Change the time: the day after the first free one.
	tb.click(`a.button[href*="token="]`)
	tb.click(`form[action="/booking/manage/change"] button`)
	pickOtherDay(tb, dateOf(before.Start, s))
	tb.click(`button.slot`)
	tb.mustSee(b.code)
	after := s.booking(t, b)
	if after.Start.Equal(before.Start) || after.Status != store.BookingBooked {
		t.Fatalf("change did not move the booking: %v -> %v", before.Start, after.Start)
	}
	s.sendMail()
	s.wantMail(t, "family@example.jp", "【予約変更】", b.code, "DTSTART:"+after.Start.UTC().Format("20060102T150405Z"))

	// Cancel, with the question asked once more.
	tb.click(`form[action="/booking/manage/cancel"] button`)
	tb.click(`button[name=yes]`)
	if got := s.booking(t, b); got.Status != store.BookingCancelled {
		t.Fatalf("status after cancel %q", got.Status)
	}
	s.sendMail()
	s.wantMail(t, "family@example.jp", "【予約取消】", b.code, "STATUS:CANCELLED")
}

func dateOf(at time.Time, s *site) string { return at.In(s.tokyo).Format("2006-01-02") }

// wantMail checks that the latest mail to addr has the subject, names the
// code and carries a calendar object with the property.
func (s *site) wantMail(t *testing.T, addr, subject, code, icsLine string) {
	t.Helper()
	var last *smtptest.Mail
	for _, r := range s.sink.Messages() {
		if r.To == addr {
			m := parseMail(t, r)
			last = &m
		}
	}
	switch {
	case last == nil:
		t.Fatalf("no mail to %s", addr)
	case !strings.Contains(last.Subject, subject) || !strings.Contains(last.Subject, code):
		t.Fatalf("latest mail to %s is %q, want %s for %s", addr, last.Subject, subject, code)
	case !strings.Contains(last.ICS, "BEGIN:VEVENT") || !strings.Contains(last.ICS, icsLine):
		t.Fatalf("mail %q has no calendar with %s:\n%s", last.Subject, icsLine, last.ICS)
	}
}

func (s *site) englishFlow(t *testing.T) {
	tb := newTab(t, s.url, 1280, 900)
	b := s.bookByClicks(tb, "en", "english@example.jp", 5, 10, 11)
	tb.mustSee("Booking code", b.code)
	// Find the booking again without the link, by notice number and birth date.
	tb.open("/booking/manage?lang=en")
	y, m, d := birthParts(5)
	tb.do(chromedp.SendKeys(chromedp.ID("code"), b.code),
		chromedp.SendKeys(chromedp.ID("notice"), notice(5)),
		chromedp.SetValue(chromedp.ID("birth"), y), chromedp.SetValue(chromedp.ID("bm"), m), chromedp.SetValue(chromedp.ID("bd"), d))
	tb.click(`form[action="/booking/manage"] button.primary`)
	tb.mustSee(b.code, "Change")
	tb.click(`form[action="/booking/manage/change"] button`)
	pickOtherDay(tb, dateOf(s.booking(t, b).Start, s))
	tb.click(`button.slot`)
	tb.click(`form[action="/booking/manage/cancel"] button`)
	tb.click(`button[name=yes]`)
	if got := s.booking(t, b); got.Status != store.BookingCancelled {
		t.Fatalf("status after cancel %q", got.Status)
	}
	// The language switch of a step page keeps the step.
	tb.open("/booking/start?service=pickup&lang=en")
	tb.do(chromedp.SendKeys(chromedp.ID("notice0"), notice(9)))
	tb.click(`.lang-switch button`)
	if !tb.has(`html[lang=ja]`) || tb.title() != "ご本人の確認" {
		t.Fatalf("switch to Japanese shows %q", tb.title())
	}
	if v := tb.text("#notice0"); v != "" {
		t.Logf("typed value after the switch: %q", v)
	}
	s.errorPages(t, tb, "en")
}

func (s *site) phoneFlow(t *testing.T) {
	tb := newTab(t, s.url, 375, 667)
	b := s.bookByClicks(tb, "ja", "phone@example.jp", 6)
	tb.mustSee(b.code)
	// A service for card holders: people are named, not numbered.
	tb.open("/")
	tb.click(`a.button.primary[href*="service=cert_renewal"]`)
	tb.click(`.buttons button.primary`)
	if !tb.has(".error-summary:focus") || !tb.has(`#name0[aria-invalid=true]`) || !tb.has(`#kana0[aria-invalid=true]`) {
		t.Fatal("empty name and kana are not reported")
	}
	tb.do(chromedp.SendKeys(chromedp.ID("name0"), "試験花子"), chromedp.SendKeys(chromedp.ID("kana0"), "シケンハナコ"),
		chromedp.SetValue(chromedp.ID("by0"), "1990"), chromedp.SetValue(chromedp.ID("bm0"), "4"),
		chromedp.SetValue(chromedp.ID("bd0"), "1"))
	tb.click(`.buttons button.primary`)
	r := s.finishBooking(tb, "renewal@example.jp", 1)
	if got := s.booking(t, r); got.Service != "cert_renewal" || got.People[0].Name != "試験花子" {
		t.Fatalf("renewal booking %s %+v", got.Service, got.People)
	}
}

func (s *site) afterCutoff(t *testing.T) {
	ja, en := newTab(t, s.url, 1280, 900), newTab(t, s.url, 1280, 900)
	bja := s.bookByClicks(ja, "ja", "late@example.jp", 7)
	ben := s.bookByClicks(en, "en", "late-en@example.jp", 12)
	ja.click(`a.button[href*="token="]`)
	en.click(`a.button[href*="token="]`)
	// The pages stay open while the cut-off passes.
	startJA, startEN := s.booking(t, bja).Start, s.booking(t, ben).Start
	first := startJA
	if startEN.Before(first) {
		first = startEN
	}
	s.clock.Advance(first.Add(-36 * time.Hour).Sub(s.clock.Now()))
	ja.click(`form[action="/booking/manage/cancel"] button`)
	ja.click(`button[name=yes]`)
	en.click(`form[action="/booking/manage/change"] button`)
	for _, c := range []struct {
		tb    *tab
		b     booked
		start time.Time
	}{{ja, bja, startJA}, {en, ben, startEN}} {
		c.tb.mustSee(helpPhone)
		if !c.tb.has(".error-summary") {
			t.Fatal("a change after the cut-off is not reported as an error")
		}
		if got := s.booking(t, c.b); got.Status != store.BookingBooked || !got.Start.Equal(c.start) {
			t.Fatalf("booking after a refused change: %q at %v", got.Status, got.Start)
		}
		// Opened afresh, the booking offers no buttons, only the phone.
		c.tb.open("/booking/manage/booking")
		if c.tb.has(`form[action="/booking/manage/cancel"]`) || c.tb.has(`form[action="/booking/manage/change"]`) {
			t.Fatal("change or cancel offered after the cut-off")
		}
		c.tb.mustSee(helpPhone)
	}
}

func (s *site) keyboardFlow(t *testing.T) {
	tb := newTab(t, s.url, 1280, 900)
	tb.open("/")
	tb.tabTo(`a.button.primary[href*="service=pickup"]`)
	tb.pressLoads(kbEnter)
	y, m, d := birthParts(8)
	tb.tabTo(`#notice0`)
	tb.press(notice(8))
	tb.tabTo(`#by0`)
	tb.press(y)
	tb.tabTo(`#bm0`)
	tb.press(m)
	tb.tabTo(`#bd0`)
	tb.press(d)
	tb.tabTo(`.buttons button.primary`)
	tb.pressLoads(kbEnter)
	tb.tabTo(`#place0`)
	tb.press(" ")
	tb.tabTo(`.buttons button.primary`)
	tb.pressLoads(kbEnter)
	tb.tabTo(`table.cal button[name=date]`)
	tb.pressLoads(kbEnter)
	tb.tabTo(`button.slot`)
	tb.pressLoads(kbEnter)
	tb.tabTo(`#who0`)
	tb.press(" ")
	tb.tabTo(`.buttons button.primary`)
	tb.pressLoads(kbEnter)
	var ticks int
	tb.eval(`document.querySelectorAll("input[name=tick]").length`, &ticks)
	for i := range ticks {
		tb.tabTo(fmt.Sprintf("#tick%d", i))
		tb.press(" ")
	}
	tb.tabTo(`.buttons button.primary`)
	tb.pressLoads(kbEnter)
	tb.tabTo(`#email`)
	tb.press("keys@example.jp")
	tb.tabTo(`.buttons button.primary`)
	tb.pressLoads(kbEnter)
	tb.tabTo(`.buttons button.primary`)
	tb.pressLoads(kbEnter)
	b := readDone(tb)
	if got := s.booking(t, b); len(got.People) != 1 || got.People[0].NoticeNumber != notice(8) {
		t.Fatalf("keyboard booking %+v", got)
	}
}

const kbEnter = "\r"

// tabTo presses Tab until the element matching sel has the focus; the
// focus also has to be visible (:focus-visible).
func (tb *tab) tabTo(sel string) {
	tb.t.Helper()
	for range 200 {
		var at bool
		tb.eval(fmt.Sprintf(`document.activeElement && document.activeElement.matches(%q)`, sel), &at)
		if at {
			var visible bool
			tb.eval(`document.activeElement.matches(":focus-visible")`, &visible)
			if !visible {
				tb.t.Fatalf("focus on %s is not visible", sel)
			}
			return
		}
		tb.do(chromedp.KeyEvent("\t"))
	}
	tb.t.Fatalf("Tab never reaches %s on %s", sel, tb.location())
}

// press types keys into the focused element.
func (tb *tab) press(keys string) {
	tb.t.Helper()
	tb.do(chromedp.KeyEvent(keys))
}

// pressLoads types keys that load a page, and checks the page.
func (tb *tab) pressLoads(keys string) {
	tb.t.Helper()
	tb.loads(chromedp.KeyEvent(keys))
}
