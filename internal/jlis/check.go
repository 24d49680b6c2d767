package jlis

import (
	"errors"
	"fmt"
)

// The field checks that a row of a delivery list and a row of the city's
// ledger (package legacy) share: one normalisation, one code and one
// message each. A check says what is wrong with a value; the reader names
// the column and the line.

// Fault is a value that fails a check: a stable snake_case code and the
// reason in Japanese, for staff.
type Fault struct {
	Code   string
	Reason string
}

func fault(code, reason string) *Fault { return &Fault{Code: code, Reason: reason} }

// CheckApplicationID checks an application ID normalised with
// NormalizeCode: present and 23 ASCII digits.
func CheckApplicationID(id string) *Fault {
	switch {
	case id == "":
		return fault("application_id_missing", "申請書IDがない")
	case !allDigits(id):
		return fault("application_id_format", "申請書IDが23桁でない（数字以外の文字を含む）")
	case len(id) != 23:
		return fault("application_id_format", fmt.Sprintf("申請書IDが23桁でない（%d桁）", len(id)))
	}
	return nil
}

// DuplicateApplicationID is the fault of an application ID already seen on
// line first of the same file.
func DuplicateApplicationID(first int) *Fault {
	return fault("duplicate_in_file", fmt.Sprintf("申請書IDがファイル内で重複している（%d行目と同じ）", first))
}

// NoticeNumberOf reads a notice number as A1B-123456; an empty value is
// no number ("").
func NoticeNumberOf(v string) (string, *Fault) {
	if v == "" {
		return "", nil
	}
	n := normalizeNotice(v)
	if !validNotice(n) {
		return "", fault("notice_number_format",
			fmt.Sprintf("交付通知書番号の形式が違う（「%s」: 英数字3文字-数字6桁、例 A1B-123456）", v))
	}
	return n, nil
}

// ResidentNumberOf reads a resident number (宛名番号): ASCII digits or "".
func ResidentNumberOf(v string) (string, *Fault) {
	v = normalizeCode(v)
	if v != "" && !allDigits(v) {
		return "", fault("resident_number_format", "宛名番号が数字でない")
	}
	return v, nil
}

// CheckName requires a name.
func CheckName(name string) *Fault {
	if name == "" {
		return fault("name_missing", "氏名がない")
	}
	return nil
}

// BirthDateMissing is the fault of a row without a birth date.
func BirthDateMissing() *Fault { return fault("birth_date_missing", "生年月日がない") }

// CheckBirthDate refuses a birth date after today.
func CheckBirthDate(d, today Date) *Fault {
	if d.After(today) {
		return fault("birth_date_future", fmt.Sprintf("生年月日が未来の日付（%s）", d))
	}
	return nil
}

// DateOfField reads the date v of the column labelled label with
// ParseDate; the fault is coded <code>_invalid for a day that does not
// exist and <code>_format for an unreadable value.
func DateOfField(label, code, v string) (Date, *Fault) {
	d, err := ParseDate(v)
	if err == nil {
		return d, nil
	}
	var de *DateError
	if errors.As(err, &de) && de.Kind == DateNonexistent {
		return Date{}, fault(code+"_invalid", fmt.Sprintf("%sが存在しない日付（%s）", label, de))
	}
	return Date{}, fault(code+"_format", fmt.Sprintf("%sが日付として読めない（「%s」）", label, v))
}

// SexOf reads the sex column (see parseSex).
func SexOf(v string) (string, *Fault) {
	s, ok := parseSex(v)
	if !ok {
		return "", fault("sex_invalid", fmt.Sprintf("性別が読めない（「%s」: 男/女 または 1/2）", v))
	}
	return s, nil
}

// PostalCodeOf reads a postal code as 669-1595; an empty value is "".
func PostalCodeOf(v string) (string, *Fault) {
	if v == "" {
		return "", nil
	}
	p, ok := normalizePostal(v)
	if !ok {
		return "", fault("postal_code_format", fmt.Sprintf("郵便番号が7桁でない（「%s」）", v))
	}
	return p, nil
}

// CertificateOf reads whether the card carries certificates; an empty
// value is unknown (nil).
func CertificateOf(v string) (*bool, *Fault) {
	c, ok := parseCertificate(v)
	if !ok {
		return nil, fault("certificate_invalid", fmt.Sprintf("電子証明書の有無が読めない（「%s」: 有/無 または 1/0）", v))
	}
	return c, nil
}

// MethodOf reads the issuing method; an empty value is MethodCounter.
func MethodOf(v string) (string, *Fault) {
	m, ok := parseMethod(v)
	if !ok {
		return "", fault("method_unknown", fmt.Sprintf("交付方式が読めない（「%s」: 交付時来庁 または 申請時来庁）", v))
	}
	return m, nil
}
