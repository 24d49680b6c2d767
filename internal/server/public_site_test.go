package server

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// resident is a card waiting for pickup in the public-site tests.
type resident struct {
	notice, typed string // stored form, and how the resident types it
	birth         string
}

func residents() []resident {
	return []resident{
		{"TST-100001", "ｔｓｔ１０００01", "1970-03-01"},
		{"TST-100002", "tst-100002", "2015-07-21"},
		{"TST-100003", "TST100003", "1988-12-31"},
	}
}

// newPublicSite is a harness whose settings allow many requests, with the
// residents' cards waiting for pickup.
func newPublicSite(t *testing.T, db *store.DB) *browser {
	t.Helper()
	return newBrowser(t, newPublicHarness(t, db))
}

// newPublicHarness is the harness behind newPublicSite.
func newPublicHarness(t *testing.T, db *store.DB) *harness {
	t.Helper()
	return newPublicClockHarness(t, db, clock.System{})
}

// newPublicClockHarness is newPublicHarness on the clock.
func newPublicClockHarness(t *testing.T, db *store.DB, clk clock.Clock) *harness {
	t.Helper()
	h := newClockHarness(t, db, clk)
	st := booking.DefaultSettings()
	st.PublicRateLimitPerMinute = 10000
	st.ContactPhone = "079-559-5000"
	admin := auth.Principal{UserID: 1, Username: "admin1", Role: auth.RoleAdmin}
	if err := h.srv.city.Reserve.SaveSettings(ctx, admin, auth.Meta{}, st); err != nil {
		t.Fatal(err)
	}
	for i, r := range residents() {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 500 + i, Notice: r.notice, Birth: r.birth,
			Status: card.StatusNoticeSent, Name: fmt.Sprintf("住民　%d", i), Kana: "ジュウミン"})
	}
	return h
}

// page is one answer of the site, checked against the page rules.
type page struct {
	status   int
	location string
	body     string
}

func checkPage(t *testing.T, p page) {
	t.Helper()
	if len(p.body) > 50<<10 {
		t.Errorf("page of %d bytes, want under 50 KB", len(p.body))
	}
	// The one script allowed is the self-hosted proof of work under load.
	body := strings.ReplaceAll(p.body, `<script src="/static/pow.`, "")
	for _, bad := range []string{" style=", "<style", "<script", " onclick=", " onload=", "⟦"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
}

func (b *browser) getPage(path string) page {
	b.t.Helper()
	s, loc, body := b.get(path)
	p := page{s, loc, body}
	checkPage(b.t, p)
	return p
}

func (b *browser) postPage(path string, form url.Values) page {
	b.t.Helper()
	s, loc, body := b.post(path, form)
	p := page{s, loc, body}
	checkPage(b.t, p)
	return p
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// stepForm returns the hidden fields of the page's step form.
func stepForm(t *testing.T, body string) url.Values {
	t.Helper()
	i := strings.Index(body, `<form id="step"`)
	if i < 0 {
		t.Fatalf("no step form in page:\n%s", excerpt(body))
	}
	form := body[i:]
	form = form[:strings.Index(form, "</form>")]
	v := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(form, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// excerpt is the main part of a page, for failure messages.
func excerpt(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if len(body) > 3000 {
		body = body[:3000]
	}
	return body
}

// flowStep posts the page's step form with the fields added.
func (b *browser) flowStep(p page, action string, fields url.Values) page {
	b.t.Helper()
	form := stepForm(b.t, p.body)
	for k, vs := range fields {
		form[k] = vs
	}
	return b.postPage(action, form)
}

func mustStatus(t *testing.T, p page, status int, want string) {
	t.Helper()
	if p.status != status || !strings.Contains(p.body, want) {
		t.Fatalf("status %d (want %d), want %q in:\n%s", p.status, status, want, excerpt(p.body))
	}
}

// identify fills the first step for the residents.
func identifyFields(people []resident) url.Values {
	v := url.Values{"n": {fmt.Sprint(len(people))}}
	for i, r := range people {
		d, _ := time.Parse(time.DateOnly, r.birth)
		k := fmt.Sprint(i)
		v.Set("notice"+k, r.typed)
		v.Set("by"+k, fmt.Sprint(d.Year()))
		v.Set("bm"+k, fmt.Sprint(int(d.Month())))
		v.Set("bd"+k, fmt.Sprint(d.Day()))
	}
	return v
}

var (
	dateRE  = regexp.MustCompile(`name="date" value="(\d{4}-\d{2}-\d{2})"`)
	monthRE = regexp.MustCompile(`name="month" value="(\d{4}-\d{2})"`)
	startRE = regexp.MustCompile(`name="start" value="([^"]+)"`)
	tickRE  = regexp.MustCompile(`name="tick" value="(\d+)"`)
	codeRE  = regexp.MustCompile(`<p class="code">([2-9A-Z]{4}-[2-9A-Z]{4})</p>`)
	linkRE  = regexp.MustCompile(`href="(/booking/manage\?code=[^"]+)"`)
)

// starts lists the times offered on a time page.
func starts(body string) []string {
	var out []string
	for _, m := range startRE.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// pickDate chooses the first bookable day at least a week ahead, so that
// the booking can still be changed and cancelled online.
func (b *browser) pickDate(p page) page {
	b.t.Helper()
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	earliest := time.Now().In(tokyo).AddDate(0, 0, 7).Format(time.DateOnly)
	for range 4 {
		for _, m := range dateRE.FindAllStringSubmatch(p.body, -1) {
			if m[1] >= earliest {
				return b.flowStep(p, "/booking/date", url.Values{"date": {m[1]}})
			}
		}
		months := monthRE.FindAllStringSubmatch(p.body, -1)
		if len(months) == 0 {
			break
		}
		p = b.flowStep(p, "/booking/date", url.Values{"month": {months[len(months)-1][1]}})
		mustStatus(b.t, p, 200, `class="cal"`)
	}
	b.t.Fatalf("no bookable day a week ahead:\n%s", excerpt(p.body))
	return p
}

// untilConfirm walks from the first step to the confirm page; who lists
// who comes for each person. It returns the confirm page and the start.
func (b *browser) untilConfirm(lang string, people []resident, who ...string) (page, string) {
	t := b.t
	t.Helper()
	p := b.getPage("/booking/start?service=pickup&lang=" + lang)
	mustStatus(t, p, 200, `<html lang="`+lang+`">`)
	p = b.flowStep(p, "/booking/identify", identifyFields(people))
	mustStatus(t, p, 200, `class="cal"`)
	p = b.pickDate(p)
	mustStatus(t, p, 200, `class="slots"`)
	start := starts(p.body)[0]
	return b.fromTime(p, start, people, who...), start
}

// fromTime picks the start on the time page and answers the questions,
// the checklist and the contact step.
func (b *browser) fromTime(p page, start string, people []resident, who ...string) page {
	t := b.t
	t.Helper()
	p = b.flowStep(p, "/booking/time", url.Values{"start": {start}})
	mustStatus(t, p, 200, `name="who0"`)
	answers := url.Values{}
	for i := range people {
		answers.Set(fmt.Sprint("who", i), who[i])
	}
	answers.Set("nc0", "1")
	p = b.flowStep(p, "/booking/questions", answers)
	mustStatus(t, p, 200, `name="tick"`)
	ticks := url.Values{}
	for _, m := range tickRE.FindAllStringSubmatch(p.body, -1) {
		ticks.Add("tick", m[1])
	}
	if again := b.flowStep(p, "/booking/checklist", url.Values{"tick": ticks["tick"][1:]}); again.status != 422 ||
		!strings.Contains(again.body, `href="#tick0"`) {
		t.Fatalf("checklist with an item left unticked: %d\n%s", again.status, excerpt(again.body))
	}
	p = b.flowStep(p, "/booking/checklist", ticks)
	mustStatus(t, p, 200, `name="email"`)
	p = b.flowStep(p, "/booking/contact", url.Values{"email": {"taro@example.jp"}, "phone": {"090-1234-5678"}})
	mustStatus(t, p, 200, "taro@example.jp")
	return p
}

// book confirms and follows the redirect to the done page.
func (b *browser) book(p page) (done page, code, manage string) {
	t := b.t
	t.Helper()
	res := b.flowStep(p, "/booking/confirm", nil)
	if res.status != 303 || !strings.HasPrefix(res.location, "/booking/done") {
		t.Fatalf("confirm: %d %s\n%s", res.status, res.location, excerpt(res.body))
	}
	done = b.getPage(res.location)
	m := codeRE.FindStringSubmatch(done.body)
	l := linkRE.FindStringSubmatch(done.body)
	if done.status != 200 || m == nil || l == nil {
		t.Fatalf("done page: %d\n%s", done.status, excerpt(done.body))
	}
	return done, m[1], html.UnescapeString(l[1])
}

func TestPublicBookingEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := newPublicSite(t, db)
		top := b.getPage("/")
		mustStatus(t, top, 200, "マイナンバーカードの受け取り")
		if !strings.Contains(top.body, "079-559-5000") || !strings.Contains(top.body, "法定代理人") {
			t.Errorf("top page lacks the help line or the rules:\n%s", excerpt(top.body))
		}
		p, _ := b.untilConfirm("ja", residents()[:1], "self")
		done, code, _ := b.book(p)
		for _, want := range []string{"予約が完了しました", "市役所本庁 市民課", "交付通知書（はがき）", "通知カード（お持ちの方）", "079-559-5000"} {
			if !strings.Contains(done.body, want) {
				t.Errorf("done page lacks %q", want)
			}
		}
		if strings.Contains(done.body, "住民基本台帳カード") {
			t.Error("checklist shows the 住基カード the resident does not hold")
		}
		if strings.Count(code, "-") != 1 {
			t.Errorf("code %q", code)
		}
		// The same card cannot be booked twice: said on the first page.
		p = b.getPage("/booking/start?service=pickup")
		res := b.flowStep(p, "/booking/identify", identifyFields(residents()[:1]))
		mustStatus(t, res, 409, "すでに予約があります")
	})
}

func TestPublicFamilyBooking(t *testing.T) {
	b := newPublicSite(t, storetest.MustOpen(t, store.SQLite))
	p := b.getPage("/booking/start?service=pickup")
	one := identifyFields(residents()[:1])
	one.Set("add", "1")
	p = b.flowStep(p, "/booking/identify", one)
	mustStatus(t, p, 200, `name="notice1"`)
	p = b.flowStep(p, "/booking/identify", identifyFields(residents()[:2]))
	mustStatus(t, p, 200, "2人分")
	p = b.pickDate(p)
	start := starts(p.body)[0]
	p = b.fromTime(p, start, residents()[:2], "self", "minor")
	if !strings.Contains(p.body, "法定代理人の本人確認書類") {
		t.Errorf("checklist lacks the legal representative's ID:\n%s", excerpt(p.body))
	}
	done, _, _ := b.book(p)
	mustStatus(t, done, 200, "2人")
}

func TestPublicWrongBirthDateAnswersLikeUnknownNumber(t *testing.T) {
	b := newPublicSite(t, storetest.MustOpen(t, store.SQLite))
	// Checked on the first page (issue #21), not after the last one.
	summary := func(people []resident) string {
		p := b.getPage("/booking/start?service=pickup")
		p = b.flowStep(p, "/booking/identify", identifyFields(people))
		mustStatus(t, p, 422, `class="error-summary"`)
		if !strings.Contains(p.body, `href="#notice0"`) || !strings.Contains(p.body, `id="notice0" name="notice0" value="`+people[0].typed+`"`) {
			t.Errorf("the answer is not tied to the number, or the values are lost:\n%s", excerpt(p.body))
		}
		s := p.body[strings.Index(p.body, `class="error-summary"`):]
		return s[:strings.Index(s, "</div>")]
	}
	wrongBirth := residents()[0]
	wrongBirth.birth = "1970-03-02"
	unknown := residents()[0]
	unknown.typed = "ZZZ-999999"
	a, c := summary([]resident{wrongBirth}), summary([]resident{unknown})
	if a != strings.Replace(c, "ZZZ-999999", residents()[0].typed, 1) || !strings.Contains(a, "正しくありません") {
		t.Errorf("wrong birth date:\n%s\nunknown number:\n%s", a, c)
	}
	// A malformed number is caught at the first step, linked to its field.
	p := b.getPage("/booking/start?service=pickup")
	bad := identifyFields(residents()[:1])
	bad.Set("notice0", "12")
	p = b.flowStep(p, "/booking/identify", bad)
	mustStatus(t, p, 422, `href="#notice0"`)
	if !strings.Contains(p.body, `aria-describedby="notice0-hint notice0-error"`) {
		t.Error("the field's error is not tied to it")
	}
}

// Past a number's attempts the first page asks for a proof of work with
// the values kept; with it the resident goes on (issue #21, as #14).
func TestPublicIdentifyPastTheNoticeLimitAsksForAProof(t *testing.T) {
	b := newPublicSite(t, storetest.MustOpen(t, store.SQLite))
	start := b.getPage("/booking/start?service=pickup")
	wrong := residents()[:1]
	for i := range 10 {
		wrong[0].birth = fmt.Sprintf("1999-01-%02d", i+1)
		mustStatus(t, b.flowStep(start, "/booking/identify", identifyFields(wrong)), 422, "正しくありません")
	}
	form := identifyFields(residents()[:1])
	asked := b.flowStep(start, "/booking/identify", form)
	m := powRE.FindStringSubmatch(asked.body)
	if asked.status != 429 || m == nil || !strings.Contains(asked.body, `data-pow-bits="14"`) ||
		!strings.Contains(asked.body, `value="1970" selected`) {
		t.Fatalf("past the limit: want the form with a challenge, got %d\n%s", asked.status, excerpt(asked.body))
	}
	token := html.UnescapeString(m[1])
	form.Set("pow", token)
	form.Set("pow_n", solvePoW(token, 14))
	mustStatus(t, b.flowStep(asked, "/booking/identify", form), 200, `class="cal"`)
}

func TestPublicEnglishFlow(t *testing.T) {
	b := newPublicSite(t, storetest.MustOpen(t, store.SQLite))
	top := b.getPage("/?lang=en")
	mustStatus(t, top, 200, `<html lang="en">`)
	mustStatus(t, top, 200, "Collect a My Number Card")
	p, _ := b.untilConfirm("en", residents()[2:3], "self")
	mustStatus(t, p, 200, "Check your booking")
	done, _, _ := b.book(p)
	for _, want := range []string{`<html lang="en">`, "Your booking is complete", "Booking code", "The pickup notice (postcard)"} {
		if !strings.Contains(done.body, want) {
			t.Errorf("English done page lacks %q", want)
		}
	}
	// The cookie keeps English; the switch goes back to Japanese.
	mustStatus(t, b.getPage("/"), 200, `<html lang="en">`)
	mustStatus(t, b.getPage("/?lang=ja"), 200, `<html lang="ja">`)
}

func TestPublicManageCancelFreesTheSlot(t *testing.T) {
	b := newPublicSite(t, storetest.MustOpen(t, store.SQLite))
	// A family of two fills a slot of capacity 2.
	p, start := b.untilConfirm("ja", residents()[:2], "self", "minor")
	_, _, manage := b.book(p)

	// Another resident does not see the full slot.
	p = b.getPage("/booking/start?service=pickup")
	p = b.flowStep(p, "/booking/identify", identifyFields(residents()[2:3]))
	day := start[:10]
	p = b.flowStep(p, "/booking/date", url.Values{"date": {day}})
	mustStatus(t, p, 200, "空いている時間")
	if slices.Contains(starts(p.body), start) {
		t.Fatal("a full slot is offered")
	}
	timePage := p

	// The family cancels through the manage link.
	res := b.getPage(manage)
	if res.status != 303 || !strings.HasPrefix(res.location, "/booking/manage/booking") {
		t.Fatalf("manage link: %d %s\n%s", res.status, res.location, excerpt(res.body))
	}
	res = b.getPage(res.location)
	mustStatus(t, res, 200, "予約を取り消す")
	res = b.postPage("/booking/manage/cancel", url.Values{"hl": {"ja"}})
	mustStatus(t, res, 200, "よろしいですか")
	res = b.postPage("/booking/manage/cancel", url.Values{"hl": {"ja"}, "yes": {"1"}})
	if res.status != 303 {
		t.Fatalf("cancel: %d\n%s", res.status, excerpt(res.body))
	}
	res = b.getPage(res.location)
	mustStatus(t, res, 200, "予約を取り消しました")
	mustStatus(t, res, 200, "取消")

	// The slot is offered again and can be booked.
	p = b.flowStep(timePage, "/booking/time", url.Values{"show": {"1"}})
	if !slices.Contains(starts(p.body), start) {
		t.Fatalf("the cancelled slot is not offered again:\n%s", excerpt(p.body))
	}
	p = b.fromTime(p, start, residents()[2:3], "self")
	b.book(p)
}

func TestPublicManageChangesTheTime(t *testing.T) {
	b := newPublicSite(t, storetest.MustOpen(t, store.SQLite))
	p, start := b.untilConfirm("ja", residents()[:1], "self")
	_, _, manage := b.book(p)
	res := b.getPage(manage)
	res = b.getPage(res.location)
	p = b.postPage("/booking/manage/change", url.Values{"hl": {"ja"}})
	mustStatus(t, p, 200, "新しい日にちを選ぶ")
	p = b.pickDate(p)
	var other string
	for _, s := range starts(p.body) {
		if s != start {
			other = s
			break
		}
	}
	res = b.flowStep(p, "/booking/time", url.Values{"start": {other}})
	if res.status != 303 {
		t.Fatalf("change: %d\n%s", res.status, excerpt(res.body))
	}
	mustStatus(t, b.getPage(res.location), 200, "予約の日時を変更しました")
}

func TestPublicForgedStateStartsOver(t *testing.T) {
	b := newPublicSite(t, storetest.MustOpen(t, store.SQLite))
	p := b.getPage("/booking/start?service=pickup")
	form := stepForm(t, p.body)
	form.Set("s", strings.Replace(form.Get("s"), "a", "b", 1)+"x")
	res := b.postPage("/booking/identify", form)
	mustStatus(t, res, 400, "はじめから")
}

func TestPublicPagesStaySmallAndSwitchLanguage(t *testing.T) {
	b := newPublicSite(t, storetest.MustOpen(t, store.SQLite))
	p := b.getPage("/booking/start?service=pickup")
	mustStatus(t, p, 200, "1970（昭和45）")
	for n := 1; n < 5; n++ {
		fields := url.Values{"n": {fmt.Sprint(n)}, "add": {"1"}}
		p = b.flowStep(p, "/booking/identify", fields)
	}
	mustStatus(t, p, 200, `name="notice4"`)
	if strings.Contains(p.body, "家族を追加する") {
		t.Error("a sixth person can be added")
	}
	// The header's switch shows the same step in English.
	sw := url.Values{"s": {stepForm(t, p.body).Get("s")}, "show": {"1"}, "lang": {"en"}}
	en := b.postPage("/booking/identify", sw)
	mustStatus(t, en, 200, `<html lang="en">`)
	mustStatus(t, en, 200, "1970 (Showa 45)")
	t.Logf("identify page for five people: %d bytes", len(p.body))
}

func TestHoneypotGetsTheExpiredAnswer(t *testing.T) {
	h := newHarness(t, storetest.MustOpen(t, store.SQLite))
	b := newBrowser(t, h)
	_, _, start := b.get("/booking/start?service=cert_renewal")
	state := regexp.MustCompile(`name="s" value="([^"]+)"`).FindStringSubmatch(start)
	if state == nil || !strings.Contains(start, `name="website"`) {
		t.Fatal("every step form carries the sealed state and the honeypot")
	}
	withBot, _, bot := b.post("/booking/identify", url.Values{"s": {html.UnescapeString(state[1])}, "website": {"http://spam.example"}})
	_, _, forged := b.post("/booking/identify", url.Values{"s": {"forged"}})
	if withBot != 400 || bot != forged {
		t.Fatalf("a filled honeypot must look exactly like an expired form: %d", withBot)
	}
}

func TestPublicManageByNoticeNumberAndBirthDate(t *testing.T) {
	b := newPublicSite(t, storetest.MustOpen(t, store.SQLite))
	p, _ := b.untilConfirm("ja", residents()[:2], "self", "minor")
	_, code, mailed := b.book(p)
	jar, _ := cookiejar.New(nil)
	other := &browser{t: b.t, base: b.base, client: &http.Client{Jar: jar, // another phone, without the link
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	wrong := other.postPage("/booking/manage", url.Values{"hl": {"ja"}, "code": {code}, "notice": {residents()[1].typed}, "birth": {"1999-01-01"}})
	unknown := other.postPage("/booking/manage", url.Values{"hl": {"ja"}, "code": {code}, "notice": {residents()[2].typed}, "birth": {residents()[2].birth}})
	if wrong.status != 404 || wrong.status != unknown.status || !strings.Contains(wrong.body, "予約が見つかりません") {
		t.Fatalf("a wrong birth date and a person not in the booking must answer alike: %d %d", wrong.status, unknown.status)
	}
	res := other.postPage("/booking/manage", url.Values{"hl": {"ja"}, "code": {code}, "notice": {residents()[1].typed}, "birth": {residents()[1].birth}})
	if res.status != 303 || !strings.HasPrefix(res.location, "/booking/manage/booking") {
		t.Fatalf("the second person of the family opens the booking: %d %s\n%s", res.status, res.location, excerpt(res.body))
	}
	mustStatus(t, other.getPage(res.location), 200, "予約を取り消す")
	// The link of the mail keeps working (issue #14: it used to be replaced).
	jar2, _ := cookiejar.New(nil)
	third := &browser{t: b.t, base: b.base, client: &http.Client{Jar: jar2,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if res := third.getPage(mailed); res.status != 303 || !strings.HasPrefix(res.location, "/booking/manage/booking") {
		t.Fatalf("the mailed link after opening by notice number: %d %s\n%s", res.status, res.location, excerpt(res.body))
	}
}

var powRE = regexp.MustCompile(`name="pow" value="([^"]+)"`)

// Past a notice number's attempts the manage form asks for a proof of
// work with the values kept, instead of refusing the resident; with the
// proof it opens the booking (issue #14).
func TestPublicManagePastTheNoticeLimitAsksForAProof(t *testing.T) {
	b := newPublicSite(t, storetest.MustOpen(t, store.SQLite))
	p, _ := b.untilConfirm("ja", residents()[:1], "self")
	_, code, _ := b.book(p) // counts two attempts of the number: its first page and the booking
	r := residents()[0]
	for i := range 8 {
		wrong := b.postPage("/booking/manage", url.Values{"hl": {"ja"}, "code": {code}, "notice": {r.typed}, "birth": {fmt.Sprintf("1999-01-%02d", i+1)}})
		mustStatus(t, wrong, 404, "予約が見つかりません")
	}
	form := url.Values{"hl": {"ja"}, "code": {code}, "notice": {r.typed}, "birth": {r.birth}}
	asked := b.postPage("/booking/manage", form)
	m := powRE.FindStringSubmatch(asked.body)
	if asked.status != 429 || m == nil || !strings.Contains(asked.body, `data-pow-bits="14"`) ||
		!strings.Contains(asked.body, `value="1970" selected`) || !strings.Contains(asked.body, `value="3" selected`) {
		t.Fatalf("past the limit: want the form with a challenge, got %d\n%s", asked.status, excerpt(asked.body))
	}
	token := html.UnescapeString(m[1])
	form.Set("pow", token)
	form.Set("pow_n", solvePoW(token, 14))
	if res := b.postPage("/booking/manage", form); res.status != 303 || !strings.HasPrefix(res.location, "/booking/manage/booking") {
		t.Fatalf("with the proof: %d %s\n%s", res.status, res.location, excerpt(res.body))
	}
}

func TestDonePageShowsTheBookingCodeAsQR(t *testing.T) {
	b := newPublicSite(t, storetest.MustOpen(t, store.SQLite))
	p, _ := b.untilConfirm("ja", residents()[:1], "self")
	done, code, _ := b.book(p)
	if !strings.Contains(done.body, `src="/booking/qr?code=`+code+`"`) {
		t.Fatalf("the done page must show the code as a QR image")
	}
	res, err := b.client.Get(b.base + "/booking/qr?code=" + url.QueryEscape(code))
	if err != nil {
		t.Fatal(err)
	}
	png, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("qr: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res, _ := b.client.Get(b.base + "/booking/qr?code=<script>"); res.StatusCode != 404 {
		t.Fatalf("only booking codes are drawn: %d", res.StatusCode)
	}
}
