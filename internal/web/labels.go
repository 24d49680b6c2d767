package web

import "github.com/kofu-oss/kofu/internal/card"

// fieldLabels name the card fields that appear in its history.
var fieldLabels = map[string]string{
	"notice_number": "交付通知書番号", "issue_date": "発行日", "expiry_date": "有効期限", "delivery_date": "納品日",
	"box": "箱番号", "certificate": "電子証明書", "name": "氏名", "name_kana": "氏名カナ", "birth_date": "生年月日",
	"sex": "性別", "postal_code": "郵便番号", "address": "住所", "resident_number": "宛名番号",
	"remarks": "備考", "storage_location": "保管場所",
}

func fieldLabel(f string) string {
	if l, ok := fieldLabels[f]; ok {
		return l
	}
	return f
}

func sexLabel(s string) string {
	switch s {
	case "male":
		return "男"
	case "female":
		return "女"
	}
	return ""
}

func statusStrings(ss []card.Status) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

// sortOption is one choice of the card list's order.
type sortOption struct{ Value, Label string }

func sortOptions() []sortOption {
	return []sortOption{{"", "カナ順"}, {"birth_date", "生年月日順"}, {"notice_number", "交付通知書番号順"},
		{"delivery_date", "納品日順"}, {"-delivery_date", "納品日の新しい順"}, {"storage_location", "保管場所順"},
		{"status", "状態順"}, {"-updated_at", "更新の新しい順"}}
}
