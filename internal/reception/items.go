package reception

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// Item is one line of the 交付受付確認票 the resident ticks as the clerk
// asks. Required items must be ticked for a signed confirmation.
type Item struct {
	Key      string
	Label    string
	Required bool
}

// Items are the confirmation's lines, in the order they are asked.
// None asks for the PIN: it is set on the counter's own PIN pad, never
// in Kofu.
func Items() []Item {
	return []Item{
		{"details", "表示された氏名・生年月日に誤りはありません。", true},
		{"identity", "本人確認書類を提示しました。", true},
		{"notice", "交付通知書（はがき）を提出しました。", false},
		{"old_card", "通知カード・住民基本台帳カードをお持ちの場合は返納します。", false},
		{"pin", "暗証番号は、窓口の暗証番号入力端末に自分で入力します（この画面では入力しません）。", true},
		{"explained", "カードの取り扱い（有効期限、紛失したときの連絡先）の説明を受けました。", false},
	}
}

// Documents are the identity documents offered as checkboxes, at the
// reception and at the handover. Each city's rule (one photo ID or two
// others) is applied by the clerk, not here.
func Documents() []string {
	return []string{"運転免許証", "パスポート", "在留カード", "特別永住者証明書", "身体障害者手帳", "健康保険証", "年金手帳", "学生証"}
}

// ItemLabel is the Japanese text of an item's key, or the key.
func ItemLabel(key string) string {
	for _, it := range Items() {
		if it.Key == key {
			return it.Label
		}
	}
	return key
}

// maxBrought bounds the documents listed as brought, and each one's length.
const (
	maxBrought    = 10
	maxBroughtLen = 40
)

// checkTicks refuses unknown items and, for a signed confirmation, one
// with a required item left unticked. It returns the ticks in the items'
// order, each once.
func checkTicks(ticks []string, signed bool) ([]string, error) {
	out := []string{}
	for _, it := range Items() {
		if slices.Contains(ticks, it.Key) {
			out = append(out, it.Key)
		} else if signed && it.Required {
			return nil, fieldErr(CodeTickRequired, "ticks", "「"+it.Label+"」に確認のチェックがありません。")
		}
	}
	for _, t := range ticks {
		if !slices.Contains(out, t) {
			return nil, fieldErr(apperr.Invalid, "ticks", "確認項目が正しくありません: "+t)
		}
	}
	return out, nil
}

// checkBrought trims the documents brought and bounds them.
func checkBrought(docs []string) ([]string, error) {
	out := []string{}
	for _, d := range docs {
		d = strings.TrimSpace(d)
		if d == "" || slices.Contains(out, d) {
			continue
		}
		if len([]rune(d)) > maxBroughtLen {
			return nil, fieldErr(apperr.Invalid, "brought", fmt.Sprintf("書類の名前は %d 文字までです。", maxBroughtLen))
		}
		out = append(out, d)
	}
	if len(out) > maxBrought {
		return nil, fieldErr(apperr.Invalid, "brought", fmt.Sprintf("持参した書類は %d 件までです。", maxBrought))
	}
	return out, nil
}

// fieldErr is a coded error that names the form field it is about.
func fieldErr(code, field, msg string) error {
	e := apperr.New(code, msg)
	e.Fields = []apperr.FieldError{{Field: field, Message: msg}}
	return e
}
