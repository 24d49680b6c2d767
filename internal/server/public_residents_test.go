package server

import (
	"net/url"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/mail"
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
		p, _ = b.untilConfirm("ja", residents()[1:2], "self")
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
		st, err := h.srv.Reserve().Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st.Places[0].OpenDates = map[string][]string{"2026-12-13": {"09:00-12:00"}} // a Sunday
		admin := auth.Principal{UserID: 1, Username: "admin1", Role: auth.RoleAdmin}
		if err := h.srv.Reserve().SaveSettings(ctx, admin, auth.Meta{}, st); err != nil {
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
