package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/mail"
	"github.com/kofu-oss/kofu/internal/route"
)

// RegisterMail adds the admins' mail pages: the settings (SMTP server,
// reminder, texts with a preview) and the outbox.
func (ui *UI) RegisterMail(rt *route.Router, svc *mail.Admin) {
	p := mailPages{ui: ui, svc: svc}
	rt.Handle("GET /staff/settings/mail", route.Admin, p.settings)
	rt.Handle("POST /staff/settings/mail", route.Admin, p.save)
	rt.Handle("GET /staff/mail/outbox", route.Admin, p.outbox)
	rt.Handle("POST /staff/mail/outbox/{id}/retry", route.Admin, p.retry)
}

type mailPages struct {
	ui  *UI
	svc *mail.Admin
}

// mailForm is the settings page: the settings (password never shown),
// whether one is stored, and the previews when asked for.
type mailForm struct {
	mail.Settings
	HasPassword bool
	Kinds       []mailKind
	Previewed   bool
}

// mailKind is one kind of mail on the page with its preview.
type mailKind struct {
	Kind, Label, Subject, Body string
	PreviewSubject             string
	PreviewBody                string
	PreviewError               string
}

var mailKindLabels = map[mail.Kind]string{mail.KindConfirmation: "予約完了", mail.KindChange: "予約変更",
	mail.KindCancellation: "予約取消", mail.KindReminder: "前日のお知らせ（リマインダー）", mail.KindTurnNear: "順番が近づいたお知らせ"}

func newMailForm(st mail.Settings, preview bool) mailForm {
	f := mailForm{Settings: st, HasPassword: st.Password != "", Previewed: preview}
	f.Password = ""
	for _, k := range mail.Kinds() {
		t := st.Templates.For(k)
		mk := mailKind{Kind: string(k), Label: mailKindLabels[k], Subject: t.Subject, Body: t.Body}
		if preview {
			s, b, err := mail.Preview(st.Templates, k)
			mk.PreviewSubject, mk.PreviewBody, mk.PreviewError = s, b, apperr.MessageOf(err)
			if err == nil {
				mk.PreviewError = ""
			}
		}
		f.Kinds = append(f.Kinds, mk)
	}
	return f
}

func (p mailPages) settings(w http.ResponseWriter, r *http.Request) {
	st, err := p.svc.Settings(r.Context())
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	v := view{Title: "メール設定", Data: newMailForm(st, false)}
	if r.URL.Query().Get("done") == "saved" {
		v.Notice = "メール設定を保存しました。"
	}
	p.ui.render(w, r, http.StatusOK, "mail_settings", v)
}

// save stores the settings, or with the preview button shows the mails as
// they would read, without saving.
func (p mailPages) save(w http.ResponseWriter, r *http.Request) {
	st, fields := mailSettingsForm(r)
	if r.PostFormValue("preview") != "" && len(fields) == 0 {
		f := newMailForm(st, true)
		f.HasPassword = st.Password != ""
		p.ui.render(w, r, http.StatusOK, "mail_settings", view{Title: "メール設定", Notice: "プレビューです。まだ保存していません。", Data: f})
		return
	}
	var err error
	if len(fields) > 0 {
		err = apperr.WithFields("メール設定に誤りがあります。", fields)
	} else {
		pr, _ := route.PrincipalOf(r)
		_, err = p.svc.SaveSettings(r.Context(), pr, route.MetaOf(r), st)
	}
	if err != nil {
		f := newMailForm(st, false)
		f.HasPassword = st.Password != ""
		p.ui.render(w, r, statusFor(err), "mail_settings", withError(view{Title: "メール設定", Data: f}, err))
		return
	}
	http.Redirect(w, r, "/staff/settings/mail?done=saved", http.StatusSeeOther)
}

// mailSettingsForm reads the form. An empty password field keeps the
// stored password; the "remove" box deletes it.
func mailSettingsForm(r *http.Request) (mail.Settings, []apperr.FieldError) {
	f := r.PostFormValue
	st := mail.Settings{Enabled: f("enabled") != "", Host: strings.TrimSpace(f("host")), Security: mail.Security(f("security")),
		Username: strings.TrimSpace(f("username")), Password: f("password"), FromAddress: strings.TrimSpace(f("from_address")),
		FromName: strings.TrimSpace(f("from_name")),
		Reminder: mail.Reminder{Enabled: f("reminder_enabled") != "", At: strings.TrimSpace(f("reminder_at"))}}
	switch {
	case f("remove_password") != "":
		st.Password = ""
	case st.Password == "":
		st.Password = mail.PasswordMask
	}
	var fields []apperr.FieldError
	number := func(name, field string, dst *int) {
		n, err := strconv.Atoi(strings.TrimSpace(f(name)))
		if err != nil {
			fields = append(fields, apperr.FieldError{Field: field, Message: "半角の整数で入力してください。"})
		}
		*dst = n
	}
	number("port", "port", &st.Port)
	number("reminder_days_before", "reminder.days_before", &st.Reminder.DaysBefore)
	for _, k := range mail.Kinds() {
		t := mail.Template{Subject: f("subject_" + string(k)), Body: strings.ReplaceAll(f("body_"+string(k)), "\r\n", "\n")}
		if f("reset_"+string(k)) != "" {
			t = mail.Template{}
		}
		st.Templates = st.Templates.With(k, t)
	}
	return st, fields
}

// mailOutbox is the outbox page.
type mailOutbox struct {
	Status  string
	Entries []mail.OutboxEntry
}

func (p mailPages) outbox(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	entries, err := p.svc.Outbox(r.Context(), status, 200)
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	v := view{Title: "送信メール", Data: mailOutbox{Status: status, Entries: entries}}
	if r.URL.Query().Get("done") == "retried" {
		v.Notice = "再送の予定に入れました。まもなく送信します。"
	}
	p.ui.render(w, r, http.StatusOK, "mail_outbox", v)
}

func (p mailPages) retry(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		p.ui.ErrorPage(w, r, apperr.New(apperr.NotFound, "メールが見つかりません。"))
		return
	}
	pr, _ := route.PrincipalOf(r)
	if err := p.svc.Retry(r.Context(), pr, route.MetaOf(r), id); err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/staff/mail/outbox?status=failed&done=retried", http.StatusSeeOther)
}
