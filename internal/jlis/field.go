package jlis

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Field is a column of the delivery list that Kofu imports.
type Field int

// The fields of a delivery list. FieldIgnore lets a Profile name a column
// that the city knows about and does not want imported (no warning).
const (
	FieldUnknown Field = iota
	FieldApplicationID
	FieldNoticeNumber
	FieldResidentNumber
	FieldName
	FieldKana
	FieldBirthDate
	FieldSex
	FieldPostalCode
	FieldAddress
	FieldIssueDate
	FieldExpiry
	FieldCertificate
	FieldMethod
	FieldDeliveryDate
	FieldBox
	FieldIgnore
)

// fieldInfo holds the Japanese label and the header names seen for a field
// (shared/samples/README.md, "Delivery file columns"); the first alias is
// the usual one.
type fieldInfo struct {
	label   string
	aliases []string
}

func (f Field) info() fieldInfo {
	switch f {
	case FieldApplicationID:
		return fieldInfo{"申請書ID", []string{"申請書ID", "申請書番号"}}
	case FieldNoticeNumber:
		return fieldInfo{"交付通知書番号", []string{"交付通知書番号", "通知書番号", "交付通知番号"}}
	case FieldResidentNumber:
		return fieldInfo{"宛名番号", []string{"宛名番号", "個人宛名番号"}}
	case FieldName:
		return fieldInfo{"氏名", []string{"氏名", "漢字氏名", "氏名（漢字）"}}
	case FieldKana:
		return fieldInfo{"氏名カナ", []string{"氏名カナ", "カナ氏名", "フリガナ", "氏名（カナ）"}}
	case FieldBirthDate:
		return fieldInfo{"生年月日", []string{"生年月日"}}
	case FieldSex:
		return fieldInfo{"性別", []string{"性別"}}
	case FieldPostalCode:
		return fieldInfo{"郵便番号", []string{"郵便番号"}}
	case FieldAddress:
		return fieldInfo{"住所", []string{"住所"}}
	case FieldIssueDate:
		return fieldInfo{"発行日", []string{"発行日", "カード発行日"}}
	case FieldExpiry:
		return fieldInfo{"有効期限", []string{"有効期限", "カード有効期限"}}
	case FieldCertificate:
		return fieldInfo{"電子証明書", []string{"電子証明書", "電子証明書有無"}}
	case FieldMethod:
		return fieldInfo{"交付方式", []string{"交付方式", "受付方式"}}
	case FieldDeliveryDate:
		return fieldInfo{"納品日", []string{"納品日", "到着日", "入荷日"}}
	case FieldBox:
		return fieldInfo{"箱番号", []string{"箱番号", "ロット番号", "箱No"}}
	case FieldIgnore:
		return fieldInfo{"取り込まない列", nil}
	}
	return fieldInfo{"不明な列", nil}
}

// Label returns the Japanese name of the field, as staff know it.
func (f Field) Label() string { return f.info().label }

// String returns the label, so fields print readably in messages and tests.
func (f Field) String() string { return f.Label() }

// Aliases returns the header names recognised for f without a Profile.
func (f Field) Aliases() []string { return append([]string(nil), f.info().aliases...) }

// requiredFields are the columns without which a delivery list is useless.
func requiredFields() []Field {
	return []Field{FieldApplicationID, FieldName, FieldBirthDate}
}

// importedFields lists every field that can be mapped from a header.
func importedFields() []Field {
	fields := make([]Field, 0, FieldIgnore-FieldApplicationID)
	for f := FieldApplicationID; f < FieldIgnore; f++ {
		fields = append(fields, f)
	}
	return fields
}

// Profile is a city's own header spellings: header name → field. Keys are
// matched like the built-in aliases (NFKC, spaces removed), and take
// precedence over them. A 個人番号 column is dropped even if a profile
// names it.
type Profile map[string]Field

// NormalizeHeader is the form in which header names are compared: NFKC (so
// full-width letters and brackets equal half-width ones: 申請書ＩＤ =
// 申請書ID, 氏名（漢字） = 氏名(漢字)), all spaces removed, and a stray BOM
// dropped.
func NormalizeHeader(h string) string {
	h = norm.NFKC.String(h)
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\uFEFF' {
			return -1
		}
		return r
	}, h)
}

// isPersonalNumberHeader tells whether a (normalised) header names a
// 個人番号 column, whose values Kofu must never store. Headers about the
// card (個人番号カード交付日) are not the number itself.
func isPersonalNumberHeader(h string) bool {
	if strings.Contains(h, "カード") {
		return false
	}
	return strings.Contains(h, "個人番号") || strings.Contains(h, "マイナンバー")
}
