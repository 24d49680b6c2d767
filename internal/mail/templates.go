package mail

import (
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// Kind is the kind of a booking mail.
type Kind string

// The kinds of booking mail.
const (
	KindConfirmation Kind = "confirmation"
	KindChange       Kind = "change"
	KindCancellation Kind = "cancellation"
	KindReminder     Kind = "reminder"
)

// Kinds lists every kind, in the order admins see them.
func Kinds() []Kind { return []Kind{KindConfirmation, KindChange, KindCancellation, KindReminder} }

// Data is what a template may use: one booking, never anyone else's, and
// no names or birth dates (a mail crosses the internet in clear text).
type Data struct {
	Code           string   // ABCD-EFGH
	Service        string   // マイナンバーカードの受け取り
	Place          string   // 市役所本庁 市民課
	Date           string   // 2026年12月1日（火）
	Time           string   // 10:00
	EndTime        string   // 10:30
	People         int      // 人数
	Items          []string // 持ち物
	ManageURL      string   // 変更・取り消しのページ
	ChangeDeadline string   // 2026年11月28日（土）, "" when unknown
	ContactPhone   string   // 問い合わせ先, "" when not set
	ContactOffice  string   // 問い合わせ先の名前（住民向けサイトの文言 help.office）
	ContactHours   string   // 問い合わせの受付時間（help.hours）
	OldDate        string   // change only: the date before the change
	OldTime        string   // change only
}

const footer = `
――――――――――――――――――――
このメールは送信専用です。返信いただいてもお答えできません。
{{if .ContactPhone}}お問い合わせ: {{with .ContactOffice}}{{.}} {{end}}{{.ContactPhone}}{{with .ContactHours}}（{{.}}）{{end}}
{{end}}`

const details = `予約番号: {{.Code}}
内容: {{.Service}}
日時: {{.Date}} {{.Time}}〜{{.EndTime}}
場所: {{.Place}}
人数: {{.People}}人
`

const items = `{{if .Items}}
■お持ちいただくもの
{{range .Items}}・{{.}}
{{end}}{{end}}`

const manage = `{{if .ManageURL}}
■予約の確認・変更・取り消し
{{.ManageURL}}
予約番号と、予約完了時の画面に表示された確認用の番号が必要です。
{{end}}{{if .ChangeDeadline}}インターネットでの変更・取り消しは {{.ChangeDeadline}} までです。
{{end}}`

// DefaultTemplates are the Japanese texts before an admin edits them.
func DefaultTemplates() Templates {
	return Templates{
		Confirmation: Template{
			Subject: "【予約完了】{{.Service}}（予約番号 {{.Code}}）",
			Body:    "{{.Service}}のご予約を承りました。\n\n" + details + items + manage + footer,
		},
		Change: Template{
			Subject: "【予約変更】{{.Service}}（予約番号 {{.Code}}）",
			Body: "ご予約の内容を変更しました。変更後の内容は次のとおりです。\n" +
				"{{if .OldDate}}（変更前の日時: {{.OldDate}} {{.OldTime}}）\n{{end}}\n" + details + items + manage + footer,
		},
		Cancellation: Template{
			Subject: "【予約取消】{{.Service}}（予約番号 {{.Code}}）",
			Body:    "次のご予約を取り消しました。\n\n" + details + "\nあらためて予約する場合は、予約サイトからお申し込みください。\n" + footer,
		},
		Reminder: Template{
			Subject: "【ご予約日のお知らせ】{{.Service}} {{.Date}} {{.Time}}（予約番号 {{.Code}}）",
			Body:    "ご予約の日が近づきましたのでお知らせします。\n\n" + details + items + manage + footer,
		},
	}
}

// For returns the template of a kind.
func (t Templates) For(k Kind) Template {
	switch k {
	case KindChange:
		return t.Change
	case KindCancellation:
		return t.Cancellation
	case KindReminder:
		return t.Reminder
	}
	return t.Confirmation
}

func (t *Templates) ptr(k Kind) *Template {
	switch k {
	case KindChange:
		return &t.Change
	case KindCancellation:
		return &t.Cancellation
	case KindReminder:
		return &t.Reminder
	}
	return &t.Confirmation
}

// withDefaults fills every empty subject or body with the default text.
func (t Templates) withDefaults() Templates {
	def := DefaultTemplates()
	for _, k := range Kinds() {
		p, d := t.ptr(k), def.For(k)
		if strings.TrimSpace(p.Subject) == "" {
			p.Subject = d.Subject
		}
		if strings.TrimSpace(p.Body) == "" {
			p.Body = d.Body
		}
	}
	return t
}

// check parses every template and runs it on sample data.
func (t Templates) check() []apperr.FieldError {
	var fe apperr.Fields
	full := t.withDefaults()
	for _, k := range Kinds() {
		tp := full.For(k)
		field := "templates." + string(k)
		if _, err := render(tp.Subject, sampleData()); err != nil {
			fe.Add(field+".subject", "件名のテンプレートに誤りがあります: "+err.Error())
		}
		if _, err := render(tp.Body, sampleData()); err != nil {
			fe.Add(field+".body", "本文のテンプレートに誤りがあります: "+err.Error())
		}
		if utf8.RuneCountInString(tp.Subject) > 200 || utf8.RuneCountInString(tp.Body) > 10000 {
			fe.Add(field, "件名は 200 文字、本文は 10000 文字以内で入力してください。")
		}
	}
	return fe
}

// render runs one template on d. Missing fields are errors, so a typo is
// caught when the settings are saved.
func render(text string, d Data) (string, error) {
	tp, err := template.New("mail").Option("missingkey=error").Parse(text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := tp.Execute(&b, d); err != nil {
		return "", err
	}
	return b.String(), nil
}

// renderKind renders the subject and body of a kind, falling back to the
// default text when the city's template fails: a broken template must
// not stop a booking.
func renderKind(t Templates, k Kind, d Data) (subject, body string) {
	subject, err1 := render(t.For(k).Subject, d)
	body, err2 := render(t.For(k).Body, d)
	if err1 != nil || err2 != nil {
		def := DefaultTemplates().For(k)
		subject, _ = render(def.Subject, d)
		body, _ = render(def.Body, d)
	}
	// A subject is one header line: no line breaks may reach it.
	subject = strings.Join(strings.Fields(strings.ReplaceAll(subject, "\n", " ")), " ")
	return subject, body
}

func sampleData() Data {
	return Data{Code: "ABCD-EFGH", Service: "マイナンバーカードの受け取り", Place: "市役所本庁 市民課",
		Date: "2026年12月1日（火）", Time: "10:00", EndTime: "10:30", People: 2,
		Items: []string{"交付通知書（はがき）", "本人確認書類"}, ManageURL: "https://yoyaku.example.lg.jp/booking/manage?code=ABCD-EFGH",
		ChangeDeadline: "2026年11月28日（土）", ContactPhone: "000-000-0000", ContactOffice: "市役所 市民課", ContactHours: "平日 8時30分〜17時15分", OldDate: "2026年11月30日（月）", OldTime: "09:00"}
}

// Preview renders a kind's template (the default text where it is empty)
// on sample data, as admins check it before saving; an error names what
// is wrong with the template.
func Preview(t Templates, k Kind) (subject, body string, err error) {
	tp := t.withDefaults().For(k)
	if subject, err = render(tp.Subject, sampleData()); err != nil {
		return "", "", apperr.WithFields("件名のテンプレートに誤りがあります。", []apperr.FieldError{{Field: "templates." + string(k) + ".subject", Message: "件名のテンプレートに誤りがあります: " + err.Error()}})
	}
	if body, err = render(tp.Body, sampleData()); err != nil {
		return "", "", apperr.WithFields("本文のテンプレートに誤りがあります。", []apperr.FieldError{{Field: "templates." + string(k) + ".body", Message: "本文のテンプレートに誤りがあります: " + err.Error()}})
	}
	return subject, body, nil
}

// With returns the templates with the kind's template replaced.
func (t Templates) With(k Kind, tp Template) Templates {
	*t.ptr(k) = tp
	return t
}

const footerEN = `
--------------------
This is a send-only address; replies are not read.
{{if .ContactPhone}}Enquiries: {{with .ContactOffice}}{{.}} {{end}}{{.ContactPhone}}{{with .ContactHours}} ({{.}}){{end}}
{{end}}`

const detailsEN = `Booking code: {{.Code}}
Service: {{.Service}}
Date and time: {{.Date}} {{.Time}}–{{.EndTime}}
Place: {{.Place}}
People: {{.People}}
`

const itemsEN = `{{if .Items}}
What to bring
{{range .Items}}- {{.}}
{{end}}{{end}}`

const manageEN = `{{if .ManageURL}}
View, change or cancel
{{.ManageURL}}
You need the booking code and the confirmation code shown when you booked.
{{end}}{{if .ChangeDeadline}}You can change or cancel online until {{.ChangeDeadline}}.
{{end}}`

// DefaultTemplatesEN are the texts of a booking made in English. Admins
// edit the Japanese ones; these follow the same data.
func DefaultTemplatesEN() Templates {
	return Templates{
		Confirmation: Template{
			Subject: "Booking confirmed: {{.Service}} (booking code {{.Code}})",
			Body:    "Thank you. Your booking for {{.Service}} is confirmed.\n\n" + detailsEN + itemsEN + manageEN + footerEN,
		},
		Change: Template{
			Subject: "Booking changed: {{.Service}} (booking code {{.Code}})",
			Body: "Your booking was changed. It is now as follows.\n" +
				"{{if .OldDate}}(Before the change: {{.OldDate}} {{.OldTime}})\n{{end}}\n" + detailsEN + itemsEN + manageEN + footerEN,
		},
		Cancellation: Template{
			Subject: "Booking cancelled: {{.Service}} (booking code {{.Code}})",
			Body:    "The following booking was cancelled.\n\n" + detailsEN + "\nTo book again, please use the booking site.\n" + footerEN,
		},
		Reminder: Template{
			Subject: "Reminder: {{.Service}} {{.Date}} {{.Time}} (booking code {{.Code}})",
			Body:    "Your booking is coming up.\n\n" + detailsEN + itemsEN + manageEN + footerEN,
		},
	}
}
