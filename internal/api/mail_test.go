package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/api"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/mail"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func mailRouter(db *store.DB, role string) http.Handler {
	rt := route.New(roleAuthn{role}, func(w http.ResponseWriter, r *http.Request, err error) { api.WriteError(w, r, err) })
	(&api.MailHandlers{Mail: mail.NewAdmin(db, clock.NewFixed(time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)))}).Register(rt)
	return rt
}

func storedMailPassword(t *testing.T, db *store.DB) string {
	t.Helper()
	var st mail.Settings
	err := db.View(t.Context(), func(tx *store.Tx) (err error) { st, err = mail.LoadSettings(t.Context(), tx); return err })
	if err != nil {
		t.Fatal(err)
	}
	return st.Password
}

const mailDoc = `{"enabled":true,"host":"smtp.example.lg.jp","port":587,"security":"starttls","username":"kofu",
	"from_address":"yoyaku@city.example.lg.jp","from_name":"架空市 市民課",
	"reminder":{"enabled":true,"days_before":1,"at":"12:00"},"templates":{}`

func TestMailSettingsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := mailRouter(db, auth.RoleAdmin)
		def := call(t, h, "GET", "/api/v1/settings/mail", "", "", 200)
		if def["enabled"] != false || def["password"] != "" || def["templates"].(map[string]any)["confirmation"].(map[string]any)["subject"] == "" {
			t.Fatalf("defaults %v", def)
		}

		saved := call(t, h, "PUT", "/api/v1/settings/mail", mailDoc+`,"password":"s3cret-pass"}`, "", 200)
		if saved["password"] != mail.PasswordMask || storedMailPassword(t, db) != "s3cret-pass" {
			t.Fatalf("saved %v", saved)
		}
		got := call(t, h, "GET", "/api/v1/settings/mail", "", "", 200)
		if got["password"] != mail.PasswordMask || got["host"] != "smtp.example.lg.jp" {
			t.Fatalf("get %v", got)
		}
		// The mask, or no password at all, keeps the stored one.
		call(t, h, "PUT", "/api/v1/settings/mail", mailDoc+`,"password":"`+mail.PasswordMask+`"}`, "", 200)
		call(t, h, "PUT", "/api/v1/settings/mail", mailDoc+`}`, "", 200)
		if storedMailPassword(t, db) != "s3cret-pass" {
			t.Fatal("password lost")
		}

		bad := call(t, h, "PUT", "/api/v1/settings/mail", `{"enabled":true,"host":"","port":70000,"security":"ssl",
			"from_address":"x","reminder":{"enabled":true,"days_before":1,"at":"noon"},"templates":{"change":{"subject":"{{.Nope}}"}}}`, "", statusValidation)
		fields := map[string]bool{}
		for _, f := range bad["error"].(map[string]any)["fields"].([]any) {
			fields[f.(map[string]any)["field"].(string)] = true
		}
		for _, want := range []string{"host", "port", "security", "from_address", "reminder.at", "templates.change.subject"} {
			if !fields[want] {
				t.Errorf("no field error for %s: %v", want, bad)
			}
		}
		if errorCode(call(t, h, "PUT", "/api/v1/settings/mail", `{"hots":"x"}`, "", statusValidation)) != "invalid" {
			t.Fatal("unknown field accepted")
		}

		// An empty password removes it.
		cleared := call(t, h, "PUT", "/api/v1/settings/mail", mailDoc+`,"password":""}`, "", 200)
		if cleared["password"] != "" || storedMailPassword(t, db) != "" {
			t.Fatalf("password not removed: %v", cleared)
		}
		if cleared["templates"].(map[string]any)["reminder"].(map[string]any)["body"] == "" {
			t.Fatal("empty templates are answered empty, not as the default text used")
		}
	})
}

func TestMailSettingsAreForAdminsOnly(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	h := mailRouter(db, auth.RoleStaff)
	call(t, h, "GET", "/api/v1/settings/mail", "", "", http.StatusForbidden)
	call(t, h, "PUT", "/api/v1/settings/mail", mailDoc+`}`, "", http.StatusForbidden)
	call(t, h, "GET", "/api/v1/mail/outbox", "", "", http.StatusForbidden)
}

func TestMailOutboxAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
		err := db.Update(t.Context(), func(tx *store.Tx) error {
			_, err := mail.Enqueue(t.Context(), tx, mail.Message{Kind: mail.KindConfirmation, BookingCode: "ABCDEFGH",
				To: "taro@example.jp", Subject: "件名", Body: "本文には予約の内容", CreatedAt: now})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		h := mailRouter(db, auth.RoleAdmin)
		out := call(t, h, "GET", "/api/v1/mail/outbox?status=pending", "", "", 200)
		msgs := out["messages"].([]any)
		if len(msgs) != 1 || msgs[0].(map[string]any)["booking_code"] != "ABCDEFGH" || msgs[0].(map[string]any)["body"] != nil {
			t.Fatalf("outbox %v", out)
		}
		call(t, h, "GET", "/api/v1/mail/outbox?status=nope", "", "", statusValidation)
		if errorCode(call(t, h, "POST", "/api/v1/mail/outbox/1/retry", "", "", http.StatusNotFound)) != "not_found" {
			t.Fatal("a pending message was retried")
		}
	})
}
