package server

import (
	"net/url"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/mail"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// switchMail turns booking mails on or off.
func switchMail(t *testing.T, db *store.DB, on bool) {
	t.Helper()
	ms := mail.DefaultSettings()
	ms.Enabled, ms.Host, ms.Port, ms.Security, ms.FromAddress = on, "127.0.0.1", 2525, mail.SecurityNone, "yoyaku@city.example.lg.jp"
	admin := auth.Principal{UserID: 1, Username: "admin1", Role: auth.RoleAdmin}
	if _, err := mail.NewAdmin(db, clock.System{}).SaveSettings(ctx, admin, auth.Meta{}, ms); err != nil {
		t.Fatal(err)
	}
}

// A resident without e-mail books with a phone number: the code is on the
// done page to print, and no page promises a mail that is not sent
// (issue #21 item 3).
func TestPublicBookingWithoutEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := newPublicSite(t, db)
		p, _ := b.untilConfirm("ja", residents()[:1], "self")
		none := b.flowStep(p, "/booking/contact", url.Values{"email": {""}, "phone": {""}})
		mustStatus(t, none, 422, "メールアドレスか電話番号のどちらかを入力してください。")
		if !strings.Contains(none.body, `href="#email"`) || strings.Contains(none.body, "確認メールをお送りします") ||
			!strings.Contains(none.body, "メールではお送りしていません") {
			t.Errorf("mail is off: the contact page must not promise one:\n%s", excerpt(none.body))
		}
		p = b.flowStep(none, "/booking/contact", url.Values{"email": {""}, "phone": {"079-000-1111"}})
		mustStatus(t, p, 200, "079-000-1111")
		if strings.Contains(p.body, "メールアドレス</dt>") {
			t.Error("the confirm page lists an address nobody gave")
		}
		done, code, _ := b.book(p)
		for _, want := range []string{code, "確認メールはお送りしません", "印刷"} {
			if !strings.Contains(done.body, want) {
				t.Errorf("done page lacks %q", want)
			}
		}
		if strings.Contains(done.body, "メールでもお送りします") {
			t.Error("the done page promises a mail that is not sent")
		}
		top := b.getPage("/")
		if strings.Contains(top.body, "メールのリンク") {
			t.Error("the top page promises a mailed link while mail is off")
		}
		// With mail on, an address gets the promise, and only then.
		switchMail(t, db, true)
		p, _ = b.untilConfirm("ja", residents()[1:2], "minor")
		done, _, _ = b.book(p)
		if !strings.Contains(done.body, "メールでもお送りします") {
			t.Errorf("mail on and an address given: the done page must say a mail comes:\n%s", excerpt(done.body))
		}
		contact := b.flowStep(p, "/booking/contact", url.Values{"show": {"1"}})
		if !strings.Contains(contact.body, "確認メールをお送りします") {
			t.Errorf("mail on: the contact page says so:\n%s", excerpt(contact.body))
		}
		if top := b.getPage("/"); !strings.Contains(top.body, "メールのリンク") {
			t.Error("mail on: the top page names the mailed link")
		}
	})
}

// The rules the pages state are the engine's (issue #21 item 2): the top
// page names the 17:00 closing and the days bookable now, a special opening
// on a Sunday is marked on the top page, the calendar and the time page,
// and the done page says the change deadline with its time and rule.
func TestPublicPagesSayTheRulesApplied(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(jstTime(t, "2026-12-07 18:00")) // a Monday, after the 17:00 closing
		h := newPublicClockHarness(t, db, clk)
		st, err := h.srv.city.Reserve.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st.Places[0].OpenDates = map[string][]string{"2026-12-13": {"09:00-12:00"}} // a Sunday
		admin := auth.Principal{UserID: 1, Username: "admin1", Role: auth.RoleAdmin}
		if err := h.srv.city.Reserve.SaveSettings(ctx, admin, auth.Meta{}, st); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, h)
		top := b.getPage("/")
		for _, want := range []string{"予約の受付は、利用日の前日の 17:00 までです。", "いま予約できるのは、2026年12月9日（水） から",
			"臨時開庁日", "12月13日（日） 09:00-12:00 市役所本庁 市民課", "電話でのお問い合わせ"} {
			if !strings.Contains(top.body, want) {
				t.Errorf("top page lacks %q", want)
			}
		}
		if strings.Contains(top.body, "1 日後から") {
			t.Error("top page still says the bare day count")
		}
		p := b.getPage("/booking/start?service=pickup")
		p = b.flowStep(p, "/booking/identify", identifyFields(residents()[:1]))
		mustStatus(t, p, 200, `class="cal"`)
		if !strings.Contains(p.body, `value="2026-12-13" aria-label="12月13日（日） 空きあり・臨時開庁日"`) ||
			!strings.Contains(p.body, "＊ 臨時開庁日") || strings.Contains(p.body, `value="2026-12-08"`) {
			t.Fatalf("the calendar must mark the special opening and refuse tomorrow:\n%s", excerpt(p.body))
		}
		p = b.flowStep(p, "/booking/date", url.Values{"date": {"2026-12-13"}})
		mustStatus(t, p, 200, "この日は臨時開庁日です。")
		p = b.fromTime(p, starts(p.body)[0], residents()[:1], "self")
		done, _, _ := b.book(p)
		if want := "2026年12月10日（木） 23:59（予約日の3日前）"; !strings.Contains(done.body, want) {
			t.Errorf("the done page lacks the deadline %q:\n%s", want, excerpt(done.body))
		}
	})
}

// Error states (issue #21 item 5): the summary follows the fields' order;
// the manage form takes the birth date by selects, says nothing of a link
// to someone who typed a number, and its hint agrees with its example;
// the held-slot limit is a notice, not an input error.
func TestPublicErrorStates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newPublicHarness(t, db)
		b := newBrowser(t, h)
		p := b.getPage("/booking/start?service=pickup")
		empty := b.flowStep(p, "/booking/identify", url.Values{"n": {"1"}})
		mustStatus(t, empty, 422, `class="error-summary"`)
		if n, by := strings.Index(empty.body, `href="#notice0"`), strings.Index(empty.body, `href="#by0"`); n < 0 || by < 0 || n > by {
			t.Errorf("the summary must list the number before the birth date, as the form does:\n%s", excerpt(empty.body))
		}
		// The manage form.
		form := b.getPage("/booking/manage")
		if !strings.Contains(form.body, `<select id="birth" name="by">`) || strings.Contains(form.body, `id="birth" name="birth"`) ||
			strings.Contains(form.body, "ハイフンなし") {
			t.Errorf("the manage form: birth-date selects and a hint that agrees with its example:\n%s", excerpt(form.body))
		}
		p, _ = b.untilConfirm("ja", residents()[:1], "self")
		_, code, _ := b.book(p)
		r := residents()[0]
		wrong := b.postPage("/booking/manage", url.Values{"hl": {"ja"}, "code": {code}, "notice": {r.typed}, "by": {"1970"}, "bm": {"3"}, "bd": {"2"}})
		mustStatus(t, wrong, 404, "予約番号と、交付通知書番号・生年月日を確かめてください。")
		if s := wrong.body[strings.Index(wrong.body, `class="error-summary"`):]; strings.Contains(s[:strings.Index(s, "</div>")], "リンク") {
			t.Error("a resident who typed a number is told about a link")
		}
		right := b.postPage("/booking/manage", url.Values{"hl": {"ja"}, "code": {code}, "notice": {r.typed}, "by": {"1970"}, "bm": {"3"}, "bd": {"1"}})
		if right.status != 303 || !strings.HasPrefix(right.location, "/booking/manage/booking") {
			t.Fatalf("the selects open the booking: %d %s\n%s", right.status, right.location, excerpt(right.body))
		}
		// The held-slot limit: three holds from one address, then a notice.
		p = b.getPage("/booking/start?service=pickup")
		p = b.flowStep(p, "/booking/identify", identifyFields(residents()[1:2]))
		p = b.pickDate(p)
		times := starts(p.body)
		for _, start := range times[:3] {
			// Each from the time page as it was: a new hold every time.
			mustStatus(t, b.flowStep(p, "/booking/time", url.Values{"start": {start}}), 200, `name="who0"`)
		}
		held := b.flowStep(p, "/booking/time", url.Values{"start": {times[3]}})
		if held.status != 429 || strings.Contains(held.body, `class="error-summary"`) || !strings.Contains(held.body, `class="notice" role="status"`) {
			t.Fatalf("the held-slot limit must be a notice, not an input error: %d\n%s", held.status, excerpt(held.body))
		}
	})
}

// The who-comes question and the checklist use what Kofu knows (issue #21
// item 4): 「本人（15歳未満）と法定代理人」 only for a holder under 15, and
// accepted only then; a proxy's list names the holder's ID once; a family
// gets one list per person; the PIN set at pickup is mentioned.
func TestPublicQuestionsFollowTheBirthDate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newPublicHarness(t, db)
		st, err := h.srv.city.Reserve.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st.Places[0].Capacity = 5
		if err := h.srv.city.Reserve.SaveSettings(ctx, auth.Principal{UserID: 1, Username: "admin1", Role: auth.RoleAdmin}, auth.Meta{}, st); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, h)
		p := b.getPage("/booking/start?service=pickup")
		p = b.flowStep(p, "/booking/identify", identifyFields(residents()[:3])) // 1970, 2015 (a child), 1988
		p = b.pickDate(p)
		p = b.flowStep(p, "/booking/time", url.Values{"start": {starts(p.body)[0]}})
		mustStatus(t, p, 200, `name="who0"`)
		if strings.Count(p.body, `value="minor"`) != 1 || !strings.Contains(p.body, `id="who1" name="who1" value="minor"`) ||
			strings.Contains(p.body, `name="who1" value="self"`) {
			t.Fatalf("only the child is offered 本人（15歳未満）と法定代理人:\n%s", excerpt(p.body))
		}
		adultAsMinor := b.flowStep(p, "/booking/questions", url.Values{"who0": {"minor"}, "who1": {"minor"}, "who2": {"proxy"}})
		mustStatus(t, adultAsMinor, 422, `href="#who0"`)
		list := b.flowStep(p, "/booking/questions", url.Values{"who0": {"self"}, "who1": {"minor"}, "who2": {"proxy"}})
		mustStatus(t, list, 200, `name="tick"`)
		for _, want := range []string{"1人目（TST-100001）の持ち物", "2人目（TST-100002）の持ち物", "3人目（TST-100003）の持ち物", "暗証番号"} {
			if !strings.Contains(list.body, want) {
				t.Errorf("the checklist lacks %q", want)
			}
		}
		third := list.body[strings.Index(list.body, "3人目（TST-100003）の持ち物"):]
		third = third[:strings.Index(third, "</fieldset>")]
		if strings.Count(third, "本人確認書類") != 2 || !strings.Contains(third, "本人の本人確認書類") || !strings.Contains(third, "代理人の本人確認書類") ||
			strings.Contains(third, "本人確認書類（運転免許証") {
			t.Errorf("the proxy's list must name the holder's and the proxy's ID once each:\n%s", third)
		}
		second := list.body[strings.Index(list.body, "2人目（TST-100002）の持ち物"):]
		second = second[:strings.Index(second, "</fieldset>")]
		if !strings.Contains(second, "法定代理人の本人確認書類") || strings.Contains(list.body[:strings.Index(list.body, "2人目（TST-100002）の持ち物")], "法定代理人") {
			t.Errorf("the legal representative's documents belong to the child's list only:\n%s", second)
		}
	})
}

// A booking made on the English pages is stored in English, and the
// pages show the English names the settings give (issue #21 item 6).
func TestPublicEnglishBookingKeepsItsLanguage(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	h := newPublicHarness(t, db)
	st, err := h.srv.city.Reserve.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.Places[0].NameEN = "Main counter, 1F"
	if err := h.srv.city.Reserve.SaveSettings(ctx, auth.Principal{UserID: 1, Username: "admin1", Role: auth.RoleAdmin}, auth.Meta{}, st); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, h)
	p, _ := b.untilConfirm("en", residents()[:1], "self")
	done, code, _ := b.book(p)
	if !strings.Contains(done.body, "Main counter, 1F") {
		t.Errorf("the English done page lacks the English place name:\n%s", excerpt(done.body))
	}
	var lang string
	c, _ := reserve.NormalizeCode(code)
	if err := db.View(ctx, func(tx *store.Tx) error {
		bk, err := tx.BookingByCode(ctx, c)
		lang = bk.Lang
		return err
	}); err != nil || lang != "en" {
		t.Fatalf("stored language %q (%v)", lang, err)
	}
}
