package legacy

import "github.com/kofu-oss/kofu/internal/jlis"

// field is a column of the ledger that Kofu reads.
type field int

const (
	fieldUnknown field = iota
	fieldApplicationID
	fieldNoticeNumber
	fieldResidentNumber
	fieldName
	fieldKana
	fieldBirthDate
	fieldSex
	fieldPostalCode
	fieldAddress
	fieldDeliveryDate
	fieldBox
	fieldNoticeDate
	fieldHandedDate
	fieldIssueDate
	fieldExpiry
	fieldCertificate
	fieldMethod
	fieldPlace
	fieldStatus
	fieldRemarks
	fieldSerial // the ledger's own running number: known, not imported
	fieldCount
)

// columnInfo is the label staff know a column by and the header names
// seen for it. The J-LIS columns share the delivery list's names
// (shared/samples/README.md); the ledger's own columns add theirs.
type columnInfo struct {
	label   string
	aliases []string
}

func (f field) info() columnInfo {
	switch f {
	case fieldApplicationID:
		return columnInfo{"申請書ID", jlis.FieldApplicationID.Aliases()}
	case fieldNoticeNumber:
		return columnInfo{"交付通知書番号", jlis.FieldNoticeNumber.Aliases()}
	case fieldResidentNumber:
		return columnInfo{"宛名番号", jlis.FieldResidentNumber.Aliases()}
	case fieldName:
		return columnInfo{"氏名", jlis.FieldName.Aliases()}
	case fieldKana:
		return columnInfo{"氏名カナ", jlis.FieldKana.Aliases()}
	case fieldBirthDate:
		return columnInfo{"生年月日", jlis.FieldBirthDate.Aliases()}
	case fieldSex:
		return columnInfo{"性別", jlis.FieldSex.Aliases()}
	case fieldPostalCode:
		return columnInfo{"郵便番号", jlis.FieldPostalCode.Aliases()}
	case fieldAddress:
		return columnInfo{"住所", jlis.FieldAddress.Aliases()}
	case fieldDeliveryDate:
		return columnInfo{"納品日", jlis.FieldDeliveryDate.Aliases()}
	case fieldBox:
		return columnInfo{"箱番号", jlis.FieldBox.Aliases()}
	case fieldNoticeDate:
		return columnInfo{"通知書発送日", []string{"通知書発送日", "通知日", "通知発送日", "発送日", "通知書送付日"}}
	case fieldHandedDate:
		return columnInfo{"交付日", []string{"交付日", "交付年月日", "受取日"}}
	case fieldIssueDate:
		return columnInfo{"発行日", jlis.FieldIssueDate.Aliases()}
	case fieldExpiry:
		return columnInfo{"有効期限", jlis.FieldExpiry.Aliases()}
	case fieldCertificate:
		return columnInfo{"電子証明書", jlis.FieldCertificate.Aliases()}
	case fieldMethod:
		return columnInfo{"交付方式", jlis.FieldMethod.Aliases()}
	case fieldPlace:
		return columnInfo{"保管場所", []string{"保管場所", "保管先", "保管位置", "保管棚"}}
	case fieldStatus:
		return columnInfo{"状態", []string{"状態", "ステータス", "状況", "交付状況"}}
	case fieldRemarks:
		return columnInfo{"備考", []string{"備考", "メモ", "特記事項"}}
	case fieldSerial:
		return columnInfo{"No", []string{"No", "No.", "番号", "連番", "#"}}
	}
	return columnInfo{"不明な列", nil}
}

// label is the Japanese name of the column.
func (f field) label() string { return f.info().label }

// fieldOf maps a header cell to its field; fieldUnknown when none.
func fieldOf(header string) field {
	n := jlis.NormalizeHeader(header)
	for f := fieldApplicationID; f < fieldCount; f++ {
		for _, a := range f.info().aliases {
			if jlis.NormalizeHeader(a) == n {
				return f
			}
		}
	}
	return fieldUnknown
}

// isHeaderRow tells whether a row of cells names the 申請書ID column: the
// ledger's header, whatever title rows sit above it.
func isHeaderRow(cells []string) bool {
	for _, c := range cells {
		if fieldOf(c) == fieldApplicationID {
			return true
		}
	}
	return false
}
