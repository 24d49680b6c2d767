package jlis

import (
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

// fault lists ft, if any, as a problem of f's column; it tells whether
// there was one.
func (b *rowBuilder) fault(f Field, ft *Fault) bool {
	if ft != nil {
		b.problem(f, ft.Code, ft.Reason)
	}
	return ft != nil
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
	if b.fault(FieldApplicationID, CheckApplicationID(id)) {
		return
	}
	b.row.ApplicationID = id
	if first, dup := b.r.seen[id]; dup {
		b.fault(FieldApplicationID, DuplicateApplicationID(first))
		return
	}
	b.r.seen[strings.Clone(id)] = b.row.Line // a substring would keep the whole record alive
}

func (b *rowBuilder) noticeNumber() {
	var ft *Fault
	b.row.NoticeNumber, ft = NoticeNumberOf(b.value(FieldNoticeNumber))
	b.fault(FieldNoticeNumber, ft)
}

func (b *rowBuilder) residentNumber() {
	var ft *Fault
	b.row.ResidentNumber, ft = ResidentNumberOf(b.value(FieldResidentNumber))
	b.fault(FieldResidentNumber, ft)
}

func (b *rowBuilder) names() {
	b.row.Name = b.value(FieldName)
	b.fault(FieldName, CheckName(b.row.Name))
	b.row.Kana = b.value(FieldKana)
	b.row.KanaNormalized = moji.NormalizeKana(b.row.Kana)
	b.row.Address = b.value(FieldAddress)
	b.row.Box = b.value(FieldBox)
}

func (b *rowBuilder) birthDate() {
	v := b.value(FieldBirthDate)
	if v == "" {
		b.fault(FieldBirthDate, BirthDateMissing())
		return
	}
	d, ok := b.date(FieldBirthDate, "birth_date", v)
	if !ok || b.fault(FieldBirthDate, CheckBirthDate(d, b.r.today)) {
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

// date parses a date value (see DateOfField).
func (b *rowBuilder) date(f Field, code, v string) (Date, bool) {
	d, ft := DateOfField(f.Label(), code, v)
	return d, !b.fault(f, ft)
}

// codes reads the columns that hold one of a few known values.
func (b *rowBuilder) codes() {
	var ft *Fault
	b.row.Sex, ft = SexOf(b.value(FieldSex))
	b.fault(FieldSex, ft)
	b.row.PostalCode, ft = PostalCodeOf(b.value(FieldPostalCode))
	b.fault(FieldPostalCode, ft)
	b.row.Certificate, ft = CertificateOf(b.value(FieldCertificate))
	b.fault(FieldCertificate, ft)
	b.row.Method, ft = MethodOf(b.value(FieldMethod))
	b.fault(FieldMethod, ft)
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
