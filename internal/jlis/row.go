package jlis

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/moji"
)

// Row is one record of a delivery list, decoded and normalised. A row with
// Problems must not be imported; all its problems are listed so staff can
// fix the file in one go.
type Row struct {
	Line int    // physical line where the record starts; the header is line 1
	Raw  []byte // the record's bytes as in the file (line terminator dropped); 個人番号 fields blanked

	ApplicationID  string // 23 ASCII digits
	NoticeNumber   string // A1B-123456, or ""
	ResidentNumber string // ASCII digits, or ""
	Name           string // as given, trimmed; may hold 外字 (PUA) and IVS
	Kana           string // as given, trimmed
	KanaNormalized string // half-width katakana widened, one full-width space between words
	BirthDate      Date
	Sex            string // SexMale, SexFemale or ""
	PostalCode     string // 669-1595, or ""
	Address        string
	IssueDate      Date // zero if absent
	Expiry         Date // zero if absent
	DeliveryDate   Date // zero if absent
	Certificate    *bool
	Method         string // MethodCounter or MethodAtApplication
	Box            string
	HasGaiji       bool // Name, Kana or Address holds a private use code point

	Problems []Problem
	// Notes are what staff should look at before the row is stored, though
	// it may be: 外字, half-width kana, no notice number. A preview shows
	// them beside the row; some are also the reader's warnings.
	Notes []Warning
}

// Problem is a reason to reject a row.
type Problem struct {
	Line   int    // physical line of the row
	Column string // header name as in the file; "" for the row as a whole
	Code   string // stable snake_case, e.g. "application_id_format"
	Reason string // Japanese, for staff
}

// Warning is something staff should see that does not stop the import.
type Warning struct {
	Line   int    // physical line; 1 for header warnings
	Kind   string // "unknown_column", "personal_number_dropped", "gaiji", ...
	Column string // header name as in the file, if about a column
	Detail string // Japanese, for staff
}

// rowBuilder fills one Row from one CSV record.
type rowBuilder struct {
	r   *Reader
	rec []string
	row Row
}

func (b *rowBuilder) value(f Field) string {
	i := b.r.index[f]
	if i < 0 || i >= len(b.rec) {
		return ""
	}
	return trimValue(b.rec[i])
}

func (b *rowBuilder) header(f Field) string {
	if i := b.r.index[f]; i >= 0 {
		return b.r.columns[i].Header
	}
	return f.Label()
}

func (b *rowBuilder) problem(f Field, code, reason string) {
	column := ""
	if f != FieldUnknown {
		column = b.header(f)
	}
	b.row.Problems = append(b.row.Problems, Problem{Line: b.row.Line, Column: column, Code: code, Reason: reason})
}

// build runs every check; the order is the order problems are listed in.
func (b *rowBuilder) build() Row {
	b.checkColumnCount()
	b.applicationID()
	b.noticeNumber()
	b.residentNumber()
	b.names()
	b.birthDate()
	b.optionalDates()
	b.codes()
	b.gaiji()
	b.notes()
	return b.row
}

// note records a note of the row; warned notes also go to the reader's
// warnings.
func (b *rowBuilder) note(kind, column, detail string, warned bool) {
	w := Warning{Line: b.row.Line, Kind: kind, Column: column, Detail: detail}
	b.row.Notes = append(b.row.Notes, w)
	if warned {
		b.r.warnings.Add(w)
	}
}

// notes flags what a row that is otherwise fine may need before pickup.
// They are not the reader's warnings: a delivery without notice numbers
// is ordinary, and listing it for every row would hide the rest.
func (b *rowBuilder) notes() {
	if moji.HasHalfwidthKana(b.row.Kana) {
		b.note("halfwidth_kana", b.header(FieldKana), "氏名カナに半角カナがあります（検索では全角と同じに扱います）", false)
	}
	if b.value(FieldNoticeNumber) == "" {
		b.note("notice_number_missing", b.header(FieldNoticeNumber), "交付通知書番号がありません（通知書番号での予約・検索ができません）", false)
	}
}

func (b *rowBuilder) checkColumnCount() {
	if want := len(b.r.columns); len(b.rec) != want {
		b.problem(FieldUnknown, "column_count",
			fmt.Sprintf("列の数がヘッダーと違う（ヘッダーは%d列、この行は%d列）", want, len(b.rec)))
	}
}

func (b *rowBuilder) applicationID() {
	id := normalizeCode(b.value(FieldApplicationID))
	switch {
	case id == "":
		b.problem(FieldApplicationID, "application_id_missing", "申請書IDがない")
		return
	case !allDigits(id):
		b.problem(FieldApplicationID, "application_id_format", "申請書IDが23桁でない（数字以外の文字を含む）")
		return
	case len(id) != 23:
		b.problem(FieldApplicationID, "application_id_format", fmt.Sprintf("申請書IDが23桁でない（%d桁）", len(id)))
		return
	}
	b.row.ApplicationID = id
	if first, dup := b.r.seen[id]; dup {
		b.problem(FieldApplicationID, "duplicate_in_file",
			fmt.Sprintf("申請書IDがファイル内で重複している（%d行目と同じ）", first))
		return
	}
	b.r.seen[strings.Clone(id)] = b.row.Line // a substring would keep the whole record alive
}

func (b *rowBuilder) noticeNumber() {
	v := b.value(FieldNoticeNumber)
	if v == "" {
		return
	}
	n := normalizeNotice(v)
	if !validNotice(n) {
		b.problem(FieldNoticeNumber, "notice_number_format",
			fmt.Sprintf("交付通知書番号の形式が違う（「%s」: 英数字3文字-数字6桁、例 A1B-123456）", v))
		return
	}
	b.row.NoticeNumber = n
}

func (b *rowBuilder) residentNumber() {
	v := normalizeCode(b.value(FieldResidentNumber))
	if v != "" && !allDigits(v) {
		b.problem(FieldResidentNumber, "resident_number_format", "宛名番号が数字でない")
		return
	}
	b.row.ResidentNumber = v
}

func (b *rowBuilder) names() {
	b.row.Name = b.value(FieldName)
	if b.row.Name == "" {
		b.problem(FieldName, "name_missing", "氏名がない")
	}
	b.row.Kana = b.value(FieldKana)
	b.row.KanaNormalized = moji.NormalizeKana(b.row.Kana)
	b.row.Address = b.value(FieldAddress)
	b.row.Box = b.value(FieldBox)
}

func (b *rowBuilder) birthDate() {
	v := b.value(FieldBirthDate)
	if v == "" {
		b.problem(FieldBirthDate, "birth_date_missing", "生年月日がない")
		return
	}
	d, ok := b.date(FieldBirthDate, "birth_date", v)
	if !ok {
		return
	}
	if d.After(b.r.today) {
		b.problem(FieldBirthDate, "birth_date_future", fmt.Sprintf("生年月日が未来の日付（%s）", d))
		return
	}
	b.row.BirthDate = d
}

func (b *rowBuilder) optionalDates() {
	for _, f := range []struct {
		field Field
		code  string
		dst   *Date
	}{
		{FieldIssueDate, "issue_date", &b.row.IssueDate},
		{FieldExpiry, "expiry", &b.row.Expiry},
		{FieldDeliveryDate, "delivery_date", &b.row.DeliveryDate},
	} {
		if v := b.value(f.field); v != "" {
			*f.dst, _ = b.date(f.field, f.code, v)
		}
	}
}

// date parses a date value, reporting a problem coded <code>_invalid for a
// day that does not exist and <code>_format for an unreadable one.
func (b *rowBuilder) date(f Field, code, v string) (Date, bool) {
	d, err := ParseDate(v)
	if err == nil {
		return d, true
	}
	var de *DateError
	if errors.As(err, &de) && de.Kind == DateNonexistent {
		b.problem(f, code+"_invalid", fmt.Sprintf("%sが存在しない日付（%s）", f.Label(), de))
	} else {
		b.problem(f, code+"_format", fmt.Sprintf("%sが日付として読めない（「%s」）", f.Label(), v))
	}
	return Date{}, false
}

// codes reads the columns that hold one of a few known values.
func (b *rowBuilder) codes() {
	var ok bool
	if b.row.Sex, ok = parseSex(b.value(FieldSex)); !ok {
		b.problem(FieldSex, "sex_invalid", fmt.Sprintf("性別が読めない（「%s」: 男/女 または 1/2）", b.value(FieldSex)))
	}
	if v := b.value(FieldPostalCode); v != "" {
		if b.row.PostalCode, ok = normalizePostal(v); !ok {
			b.row.PostalCode = ""
			b.problem(FieldPostalCode, "postal_code_format", fmt.Sprintf("郵便番号が7桁でない（「%s」）", v))
		}
	}
	if b.row.Certificate, ok = parseCertificate(b.value(FieldCertificate)); !ok {
		b.problem(FieldCertificate, "certificate_invalid",
			fmt.Sprintf("電子証明書の有無が読めない（「%s」: 有/無 または 1/0）", b.value(FieldCertificate)))
	}
	if b.row.Method, ok = parseMethod(b.value(FieldMethod)); !ok {
		b.problem(FieldMethod, "method_unknown",
			fmt.Sprintf("交付方式が読めない（「%s」: 交付時来庁 または 申請時来庁）", b.value(FieldMethod)))
	}
}

// gaiji flags 外字 and replacement characters in the text columns, so staff
// can review them.
func (b *rowBuilder) gaiji() {
	var found, broken []string
	first := FieldUnknown
	for _, c := range []struct {
		field Field
		text  string
	}{{FieldName, b.row.Name}, {FieldKana, b.row.Kana}, {FieldAddress, b.row.Address}} {
		if runes := moji.PUARunes(c.text); len(runes) > 0 {
			found = append(found, fmt.Sprintf("%sに%s", b.header(c.field), formatRunes(runes)))
			if first == FieldUnknown {
				first = c.field
			}
		}
		if strings.ContainsRune(c.text, utf8.RuneError) {
			broken = append(broken, b.header(c.field))
		}
	}
	b.row.HasGaiji = len(found) > 0
	if b.row.HasGaiji {
		b.note("gaiji", b.header(first), "外字があります: "+strings.Join(found, "、"), true)
	}
	if len(broken) > 0 {
		b.note("replacement_character", "",
			"文字化けした文字（U+FFFD）があります: "+strings.Join(broken, "、")+"。元のデータを確かめてください", true)
	}
}

func formatRunes(runes []rune) string {
	parts := make([]string, len(runes))
	for i, r := range runes {
		parts[i] = fmt.Sprintf("U+%04X", r)
	}
	return strings.Join(parts, " ")
}
