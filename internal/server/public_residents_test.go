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
