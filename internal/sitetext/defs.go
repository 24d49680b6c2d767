// Package sitetext holds the texts of the citizen site that the city may
// reword (notices, the completion text, notes on what to bring, the help
// line's name and hours): their built-in defaults in Japanese and English,
// the city's own wording stored in the database, and a cache that every
// instance keeps fresh by comparing a version number at most once per
// MaxAge.
//
// Texts are plain text: pages escape them and turn blank lines into
// paragraphs, line breaks into <br> and https:// addresses into links.
package sitetext

// Langs are the languages every text has.
var Langs = []string{"ja", "en"}

// Def describes one editable text.
type Def struct {
	Key   string `json:"key"`
	Label string `json:"label"` // what admins see
	Where string `json:"where"` // the pages it appears on
	Hint  string `json:"hint,omitempty"`
	// Max is the longest text allowed, in characters.
	Max int `json:"max_length"`
	// SingleLine texts may not hold line breaks.
	SingleLine bool `json:"single_line"`
	// OnTop texts appear on the top page, which admins can preview whole.
	OnTop   bool              `json:"on_top"`
	Default map[string]string `json:"default"`
}

// Defs lists the editable texts in the order admins see them.
func Defs() []Def {
	return []Def{
		{Key: "top.notice", OnTop: true, Label: "お知らせ", Where: "トップページの上部", Max: 2000,
			Hint:    "空欄なら表示しません。受付の一時停止や窓口の変更などをお知らせします。",
			Default: map[string]string{"ja": "", "en": ""}},
		{Key: "top.lead", OnTop: true, Label: "トップページの案内文", Where: "トップページ", Max: 1000, Default: map[string]string{
			"ja": "市役所の窓口でマイナンバーカードを受け取る日時や、電子証明書の更新の日時を予約できます。24時間いつでも予約できます。",
			"en": "Book a time to collect your My Number Card at the city office, or to renew its electronic certificates. You can book at any time of day."}},
		{Key: "done.lead", Label: "予約完了の案内文", Where: "予約完了画面", Max: 1000, Default: map[string]string{
			"ja": "ご予約ありがとうございます。当日は予約番号と持ち物をご確認のうえ、お越しください。",
			"en": "Thank you. Please bring your booking code and the items below on the day."}},
		{Key: "done.note", Label: "予約完了画面の追加の案内", Where: "予約完了画面（持ち物の下）", Max: 2000,
			Hint:    "空欄なら表示しません。駐車場や窓口の場所などの案内に使えます。",
			Default: map[string]string{"ja": "", "en": ""}},
		{Key: "checklist.id_rule", Label: "本人確認書類の案内", Where: "持ち物の確認", Max: 1000, Default: map[string]string{
			"ja": "本人確認書類は、顔写真付きのもの（運転免許証、パスポートなど）1点、または顔写真のないもの（健康保険の資格確認書、年金手帳など）2点です。",
			"en": "Proof of identity: one photo ID (driving licence, passport…) or two documents without a photo (health insurance certificate, pension book…)."}},
		{Key: "checklist.note", Label: "持ち物の補足", Where: "持ち物の確認・予約完了画面", Max: 2000,
			Hint:    "空欄なら表示しません。持ち物そのものはサービスごとに予約設定（items_to_bring）で変更します。",
			Default: map[string]string{"ja": "", "en": ""}},
		{Key: "help.office", OnTop: true, Label: "問い合わせ先の名前", Where: "全ページの下部", Max: 60, SingleLine: true,
			Hint:    "電話番号は予約設定（contact_phone）で変更します。",
			Default: map[string]string{"ja": "市役所 市民課", "en": "City Hall, Citizens Division"}},
		{Key: "help.hours", OnTop: true, Label: "問い合わせの受付時間", Where: "全ページの下部・トップページ", Max: 120, SingleLine: true,
			Default: map[string]string{"ja": "平日 8時30分〜17時15分（土日・祝日・年末年始を除く）",
				"en": "Weekdays 8:30–17:15 (closed at weekends, on public holidays and over the New Year)"}},
	}
}

// defsByKey indexes the definitions: pages look a text up for every
// text they show, and building Defs for each lookup was a fifth of the
// booking page's time (issue #8). Its entries are only read.
var defsByKey = func() map[string]Def {
	m := map[string]Def{}
	for _, d := range Defs() {
		m[d.Key] = d
	}
	return m
}()

// defOf returns the definition of key.
func defOf(key string) (Def, bool) {
	d, ok := defsByKey[key]
	return d, ok
}
