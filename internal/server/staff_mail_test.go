package server

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/mail"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func mailForm(password string) url.Values {
	return url.Values{"enabled": {"1"}, "host": {"smtp.example.lg.jp"}, "port": {"587"}, "security": {"starttls"},
		"username": {"yoyaku"}, "password": {password}, "from_address": {"yoyaku@example.lg.jp"}, "from_name": {"デモ市 市民課"},
		"reminder_enabled": {"1"}, "reminder_days_before": {"2"}, "reminder_at": {"09:30"},
		"subject_confirmation": {"【完了】{{.Code}}"}, "body_confirmation": {"予約番号 {{.Code}} で承りました。"}}
}

func TestAdminEditsMailSettingsAndThePasswordIsNeverShown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		staff := newBrowser(t, h)
		staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
		if status, _, _ := staff.get("/staff/settings/mail"); status != 403 {
			t.Fatalf("staff on the mail settings: %d", status)
		}
		admin := newBrowser(t, h)
		admin.post("/staff/login", url.Values{"username": {"admin1"}, "password": {password}})
		if _, _, home := admin.get("/staff/"); !strings.Contains(home, `href="/staff/settings/mail"`) {
			t.Fatal("home must link the mail settings")
		}
		const secret = "s3cret-smtp-pass"
		if _, loc, body := admin.post("/staff/settings/mail", mailForm(secret)); loc != "/staff/settings/mail?done=saved" {
			t.Fatalf("save: %q %s", loc, body)
		}
		status, _, page := admin.get("/staff/settings/mail?done=saved")
		if status != 200 || strings.Contains(page, secret) || strings.Contains(page, mail.PasswordMask) ||
			!strings.Contains(page, "保存済みです") || !strings.Contains(page, `value="smtp.example.lg.jp"`) {
			t.Fatalf("settings page: %d (the password must not come back)", status)
		}
		// Saving again with an empty password field keeps the password.
		admin.post("/staff/settings/mail", mailForm(""))
		st := loadMailSettings(t, db)
		if st.Password != secret || st.Reminder.DaysBefore != 2 || st.Templates.Confirmation.Subject != "【完了】{{.Code}}" {
			t.Fatalf("stored settings: %+v", st.Reminder)
		}
		// A bad field is named; nothing is saved.
		bad := mailForm("")
		bad.Set("port", "abc")
		bad.Set("reminder_at", "9時")
		status, _, page = admin.post("/staff/settings/mail", bad)
		if status != 422 || !strings.Contains(page, "半角の整数") || strings.Contains(page, secret) {
			t.Fatalf("bad port: %d", status)
		}
		// The preview renders the draft and saves nothing.
		draft := mailForm("")
		draft.Set("subject_confirmation", "【見本】{{.Code}}")
		draft.Set("preview", "1")
		status, _, page = admin.post("/staff/settings/mail", draft)
		if status != 200 || !strings.Contains(page, "【見本】ABCD-EFGH") || !strings.Contains(page, "まだ保存していません") {
			t.Fatalf("preview: %d", status)
		}
		if loadMailSettings(t, db).Templates.Confirmation.Subject != "【完了】{{.Code}}" {
			t.Fatal("the preview saved the draft")
		}
		draft.Set("body_confirmation", "{{.Nope}}")
		if _, _, page = admin.post("/staff/settings/mail", draft); !strings.Contains(page, "本文のテンプレートに誤りがあります") {
			t.Fatal("a broken template must be shown in the preview")
		}
		// Removing the password.
		rm := mailForm("")
		rm.Set("remove_password", "1")
		admin.post("/staff/settings/mail", rm)
		if loadMailSettings(t, db).Password != "" {
			t.Fatal("the password was not removed")
		}
		_, _, audit := admin.get("/staff/audit")
		if !strings.Contains(audit, "メール設定の変更") || strings.Contains(audit, secret) {
			t.Fatal("the change must be audited without the password")
		}
	})
}

func loadMailSettings(t *testing.T, db *store.DB) mail.Settings {
	t.Helper()
	var st mail.Settings
	if err := db.View(ctx, func(tx *store.Tx) (err error) { st, err = mail.LoadSettings(ctx, tx); return err }); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestAdminResendsAFailedMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		now := time.Now()
		var id int64
		err := db.Update(ctx, func(tx *store.Tx) error {
			m := &store.MailMessage{Kind: "confirmation", BookingCode: "ABCDEFGH", To: "taro@example.jp", Subject: "【予約完了】件名",
				Body: "本文", NotBefore: now, CreatedAt: now}
			if _, err := tx.InsertMail(ctx, m); err != nil {
				return err
			}
			id = m.ID
			_, err := tx.MarkMailFailed(ctx, m.ID, "", "550 mailbox unavailable", now, true, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		admin := newBrowser(t, h)
		admin.post("/staff/login", url.Values{"username": {"admin1"}, "password": {password}})
		status, _, page := admin.get("/staff/mail/outbox?status=failed")
		if status != 200 || !strings.Contains(page, "550 mailbox unavailable") || !strings.Contains(page, "送信失敗") {
			t.Fatalf("outbox: %d", status)
		}
		if !strings.Contains(page, "/retry") {
			t.Fatal("a failed mail offers a resend")
		}
		path := "/staff/mail/outbox/" + strconv.FormatInt(id, 10) + "/retry"
		if _, loc, _ := admin.post(path, nil); !strings.HasPrefix(loc, "/staff/mail/outbox") {
			t.Fatalf("retry: %q", loc)
		}
		if status, _, _ := admin.post(path, nil); status != 404 {
			t.Fatalf("a mail no longer failed cannot be resent: %d", status)
		}
		_, _, page = admin.get("/staff/mail/outbox?status=pending")
		if !strings.Contains(page, "ABCDEFGH") || !strings.Contains(page, "送信待ち") {
			t.Fatal("the resent mail is pending again")
		}
		if _, _, audit := admin.get("/staff/audit"); !strings.Contains(audit, "メールの再送") {
			t.Fatal("the resend must be audited")
		}
	})
}
