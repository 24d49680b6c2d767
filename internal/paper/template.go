// Package paper renders what a city mails: letters (交付通知書に同封する
// 案内, 再通知, 返戻後の再送) on A4 for window envelopes or on はがき, and
// A4 sheets of address labels with Japan Post's customer barcode. It takes
// plain data and writes a PDF to an io.Writer page by page; a card whose
// name or address it cannot print as it is (an unmapped 外字, a character
// the font lacks, no postal code or address) is held out and listed with
// the reason, never printed with a tofu box or "?".
package paper

import (
	"fmt"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/paper/font"
)

// Placeholders a template may use, written {{名前}}.
const (
	PName     = "氏名"     // the addressee's names (a household: all of them)
	PNotice   = "通知番号"   // 交付通知書番号 (a household: each person's)
	PDeadline = "受取期限"   // the pickup deadline
	PItems    = "持ち物"    // the items to bring, one a line
	PURL      = "予約URL"  // the booking site's address
	PContact  = "問い合わせ先" // the city's contact
	PCity     = "市区町村名"  // the city's name
	PPostal   = "郵便番号"
	PAddress  = "住所"
)

// Placeholders lists every placeholder, in the order the editor shows them.
var Placeholders = []string{PName, PNotice, PDeadline, PItems, PURL, PContact, PCity, PPostal, PAddress}

// Template is a letter's text as the city edits it.
type Template struct {
	Title string // printed large at the top
	Body  string // lines; {{氏名}} and the other placeholders are filled per letter
}

// ErrCode is the API code of a template that cannot be saved.
var ErrCode = apperr.Define("invalid_template", apperr.KindInvalid)

// Validate checks a template before it is saved: every placeholder is
// known, braces are closed, and the font can print every character. The
// error names the field (title or body) and the placeholder or character.
func (t Template) Validate() error {
	f, err := font.Gothic()
	if err != nil {
		return err
	}
	var fields apperr.Fields
	for _, part := range []struct{ field, label, text string }{{"title", "表題", t.Title}, {"body", "本文", t.Body}} {
		if msg := checkTemplateText(f, part.label, part.text); msg != "" {
			fields.Add(part.field, msg)
		}
	}
	if strings.TrimSpace(t.Title) == "" {
		fields.Add("title", "表題を入力してください。")
	}
	if len(fields) > 0 {
		e := apperr.WithFields(fields[0].Message, fields)
		e.CodeValue = ErrCode
		return e
	}
	return nil
}

func checkTemplateText(f *font.Font, label, text string) string {
	rest := text
	for {
		i := strings.Index(rest, "{{")
		j := strings.Index(rest, "}}")
		switch {
		case i < 0 && j < 0:
			if m := f.Missing(strings.ReplaceAll(rest, "\n", "")); len(m) > 0 {
				return fmt.Sprintf("%sに印刷できない文字「%s」があります。", label, strings.Join(m, "」「"))
			}
			return ""
		case i < 0 || (j >= 0 && j < i):
			return fmt.Sprintf("%sに対応する「{{」のない「}}」があります。", label)
		}
		end := strings.Index(rest[i:], "}}")
		if end < 0 {
			return fmt.Sprintf("%sの「{{」が「}}」で閉じられていません。", label)
		}
		name := rest[i+2 : i+end]
		if !known(name) {
			return fmt.Sprintf("%sに使えない差し込み項目「{{%s}}」があります。使える項目: %s", label, name, "{{"+strings.Join(Placeholders, "}} {{")+"}}")
		}
		if m := f.Missing(strings.ReplaceAll(rest[:i], "\n", "")); len(m) > 0 {
			return fmt.Sprintf("%sに印刷できない文字「%s」があります。", label, strings.Join(m, "」「"))
		}
		rest = rest[i+end+2:]
	}
}

func known(name string) bool {
	for _, p := range Placeholders {
		if p == name {
			return true
		}
	}
	return false
}

// fill replaces the placeholders with values; a template that passed
// Validate has no others.
func fill(text string, values map[string]string) string {
	var b strings.Builder
	for {
		i := strings.Index(text, "{{")
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		end := strings.Index(text[i:], "}}")
		if end < 0 {
			b.WriteString(text)
			return b.String()
		}
		b.WriteString(text[:i])
		b.WriteString(values[text[i+2:i+end]])
		text = text[i+end+2:]
	}
}

// Kinds of letter with a default template.
const (
	KindGuide    = "guide"    // 交付通知書に同封する受け取り案内
	KindReminder = "reminder" // 再通知
	KindResend   = "resend"   // 返戻後の再送
)

// DefaultTemplates are the templates a city starts from.
var DefaultTemplates = map[string]Template{
	KindGuide: {
		Title: "マイナンバーカード 受け取りのご案内",
		Body: `{{氏名}} 様

お申請いただいたマイナンバーカードの準備ができました。同封の交付通知書をご確認のうえ、受け取りの予約をしてください。

受け取り期限　{{受取期限}}
交付通知書番号　{{通知番号}}

予約はこちらから（下の二次元コードを読み取ると交付通知書番号が入力された状態で開きます）
{{予約URL}}

来庁時にお持ちいただくもの
{{持ち物}}

お問い合わせ　{{市区町村名}} {{問い合わせ先}}`,
	},
	KindReminder: {
		Title: "マイナンバーカード 受け取りのお願い（再通知）",
		Body: `{{氏名}} 様

先にお送りした交付通知書のマイナンバーカードが、まだ受け取られていません。{{受取期限}}までに受け取りの予約をしてください。期限を過ぎるとカードは廃棄され、改めて申請が必要になります。

交付通知書番号　{{通知番号}}

予約はこちらから（下の二次元コードからも開けます）
{{予約URL}}

来庁時にお持ちいただくもの
{{持ち物}}

すでに受け取られた方、予約済みの方は、行き違いですのでご容赦ください。
お問い合わせ　{{市区町村名}} {{問い合わせ先}}`,
	},
	KindResend: {
		Title: "マイナンバーカード 交付通知書の再送について",
		Body: `{{氏名}} 様

以前お送りした交付通知書が、あて所に届かず市に戻ってまいりましたので、改めてお送りします。
{{受取期限}}までに受け取りの予約をしてください。

交付通知書番号　{{通知番号}}

予約はこちらから（下の二次元コードからも開けます）
{{予約URL}}

来庁時にお持ちいただくもの
{{持ち物}}

住所や連絡先が変わった方は、お手数ですがご連絡ください。
お問い合わせ　{{市区町村名}} {{問い合わせ先}}`,
	},
}
