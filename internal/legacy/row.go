package legacy

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/jlis"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/xlsx"
)

// Row is one card of the ledger, read and checked. A row with Problems
// must not be imported; all its problems are listed.
type Row struct {
	Line int // Excel row number

	ApplicationID  string
	NoticeNumber   string
	ResidentNumber string
	Name           string // as written; 外字 (PUA) and rare kanji kept
	Kana           string
	BirthDate      jlis.Date
	Sex            string
	PostalCode     string
	Address        string
	DeliveryDate   jlis.Date // 納品日
	NoticeDate     jlis.Date // 通知書発送日
	HandedDate     jlis.Date // 交付日: the day the resident received the card
	IssueDate      jlis.Date // 発行日 of the card, when the ledger has it
	Expiry         jlis.Date
	Certificate    *bool
	Method         card.Method
	Box            string
	Place          string // 保管場所 as written
	Status         card.Status
	StatusWord     string // as written
	Remarks        string
	HasGaiji       bool
	Raw            []byte // JSON {header: cell} of the row, 個人番号 columns left out

	Problems []jlis.Problem
}

// maxPlaceRunes is the longest storage location the ledger keeps.
const maxPlaceRunes = 100

// parser turns sheet rows into Rows.
type parser struct {
	r        *Reader
	today    jlis.Date
	date1904 bool
	seen     map[string]int // application ID → first row
}

// rowBuilder fills one Row.
type rowBuilder struct {
	p   *parser
	l   line
	row Row
}

// row checks one sheet row; false for a row that is skipped.
func (p *parser) row(l line) (Row, bool) {
	b := &rowBuilder{p: p, l: l, row: Row{Line: l.num}}
	if b.blank() {
		return Row{}, false
	}
	if b.value(fieldName) == "" && b.value(fieldBirthDate) == "" && !strings.ContainsAny(jlis.NormalizeCode(b.value(fieldApplicationID)), "0123456789") {
		p.r.warn(l.num, "skipped_row", "", "氏名・生年月日・申請書IDのない行を読み飛ばしました（合計や注記の行）: "+b.summary())
		return Row{}, false
	}
	return b.build(), true
}

func (b *rowBuilder) blank() bool {
	for _, c := range b.l.cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// summary is the row's first non-empty cells, to say which row was skipped.
func (b *rowBuilder) summary() string {
	var parts []string
	for _, c := range b.l.cells {
		if v := strings.TrimSpace(c); v != "" && len(parts) < 3 {
			parts = append(parts, "「"+v+"」")
		}
	}
	return strings.Join(parts, " ")
}

func (b *rowBuilder) raw(f field) string {
	c := b.p.r.column(f)
	if c == nil {
		return ""
	}
	return b.l.cell(c.Index)
}

func (b *rowBuilder) value(f field) string { return jlis.TrimValue(b.raw(f)) }

// header names f's column as in the file, with its letter: 状態（O列）.
func (b *rowBuilder) header(f field) string {
	if c := b.p.r.column(f); c != nil {
		return c.Header
	}
	return f.label()
}

func (b *rowBuilder) problem(f field, code, reason string) {
	column := ""
	if f != fieldUnknown {
		column = b.header(f)
		if c := b.p.r.column(f); c != nil {
			reason = cellName(c.Letter, b.row.Line) + ": " + reason
		}
	}
	b.row.Problems = append(b.row.Problems, jlis.Problem{Line: b.row.Line, Column: column, Code: code, Reason: reason})
}

// fault lists ft, if any, as a problem of f's column (jlis holds the
// checks both readers share); it tells whether there was one.
func (b *rowBuilder) fault(f field, ft *jlis.Fault) bool {
	if ft != nil {
		b.problem(f, ft.Code, ft.Reason)
	}
	return ft != nil
}

func (b *rowBuilder) build() Row {
	b.applicationID()
	b.noticeNumber()
	b.residentNumber()
	b.texts()
	b.birthDate()
	b.dates()
	b.codes()
	b.status()
	b.place()
	b.consistency()
	b.personalNumbers()
	b.gaiji()
	b.keepRaw()
	return b.row
}

func (b *rowBuilder) applicationID() {
	v := b.value(fieldApplicationID)
	id := jlis.NormalizeCode(v)
	if id != "" && strings.ContainsAny(id, "Ee.") && isFloat(id) {
		b.problem(fieldApplicationID, "application_id_format",
			"申請書IDが数値として保存され、桁が失われている（「"+v+"」）。列の書式を「文字列」にして入力し直してください")
		return
	}
	if b.fault(fieldApplicationID, jlis.CheckApplicationID(id)) {
		return
	}
	b.row.ApplicationID = id
	if first, dup := b.p.seen[id]; dup {
		b.fault(fieldApplicationID, jlis.DuplicateApplicationID(first))
		return
	}
	b.p.seen[id] = b.row.Line
}

func isFloat(s string) bool { _, err := strconv.ParseFloat(s, 64); return err == nil }

func (b *rowBuilder) noticeNumber() {
	var ft *jlis.Fault
	b.row.NoticeNumber, ft = jlis.NoticeNumberOf(b.value(fieldNoticeNumber))
	b.fault(fieldNoticeNumber, ft)
}

func (b *rowBuilder) residentNumber() {
	var ft *jlis.Fault
	b.row.ResidentNumber, ft = jlis.ResidentNumberOf(b.value(fieldResidentNumber))
	b.fault(fieldResidentNumber, ft)
}

func (b *rowBuilder) texts() {
	b.row.Name = b.value(fieldName)
	b.fault(fieldName, jlis.CheckName(b.row.Name))
	b.row.Kana = b.value(fieldKana)
	b.row.Address = b.value(fieldAddress)
	b.row.Box = jlis.NormalizeCode(b.value(fieldBox))
	b.row.Remarks = b.value(fieldRemarks)
}

func (b *rowBuilder) birthDate() {
	if b.value(fieldBirthDate) == "" {
		b.fault(fieldBirthDate, jlis.BirthDateMissing())
		return
	}
	d, ok := b.date(fieldBirthDate, "birth_date")
	if ok && b.fault(fieldBirthDate, jlis.CheckBirthDate(d, b.p.today)) {
		return
	}
	b.row.BirthDate = d
}

func (b *rowBuilder) dates() {
	for _, d := range []struct {
		f    field
		code string
		dst  *jlis.Date
	}{
		{fieldDeliveryDate, "delivery_date", &b.row.DeliveryDate},
		{fieldNoticeDate, "notice_date", &b.row.NoticeDate},
		{fieldHandedDate, "handed_date", &b.row.HandedDate},
		{fieldIssueDate, "issue_date", &b.row.IssueDate},
		{fieldExpiry, "expiry", &b.row.Expiry},
	} {
		if b.value(d.f) != "" {
			*d.dst, _ = b.date(d.f, d.code)
		}
	}
	if b.row.HandedDate.After(b.p.today) {
		b.problem(fieldHandedDate, "handed_date_future", fmt.Sprintf("交付日が未来の日付（%s）", b.row.HandedDate))
		b.row.HandedDate = jlis.Date{}
	}
}

// date reads a date cell: an Excel date (a serial number shown as a date),
// or text in any style jlis.ParseDate reads (YYYYMMDD, 2026/4/1, 和暦,
// full-width digits).
func (b *rowBuilder) date(f field, code string) (jlis.Date, bool) {
	v := b.value(f)
	if len(v) > 10 && v[10] == 'T' { // an ISO 8601 date cell (t="d"): 2026-10-19T00:00:00Z
		v = v[:10]
	}
	if d, ok := b.serialDate(f, v); ok {
		return d, true
	}
	d, ft := jlis.DateOfField(f.label(), code, v)
	return d, !b.fault(f, ft)
}

// serialDate reads a numeric cell as an Excel date serial. Eight-digit
// numbers are YYYYMMDD typed as a number, not serials.
func (b *rowBuilder) serialDate(f field, v string) (jlis.Date, bool) {
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n < 1 || n >= 2958466 || b.isText(f) || (n == math.Trunc(n) && len(v) == 8) {
		return jlis.Date{}, false
	}
	return jlis.DateOf(xlsx.DateOf(n, b.p.date1904)), true
}

// isText tells whether f's cell is stored as text: "46314" typed as text
// is not a date.
func (b *rowBuilder) isText(f field) bool {
	c := b.p.r.column(f)
	if c == nil {
		return false
	}
	return c.Index < len(b.l.text) && b.l.text[c.Index]
}

func (b *rowBuilder) codes() {
	var ft *jlis.Fault
	b.row.Sex, ft = jlis.SexOf(b.value(fieldSex))
	b.fault(fieldSex, ft)
	b.row.PostalCode, ft = jlis.PostalCodeOf(b.value(fieldPostalCode))
	b.fault(fieldPostalCode, ft)
	b.row.Certificate, ft = jlis.CertificateOf(b.value(fieldCertificate))
	b.fault(fieldCertificate, ft)
	m, ft := jlis.MethodOf(b.value(fieldMethod))
	b.fault(fieldMethod, ft)
	b.row.Method = card.Method(m)
}

func (b *rowBuilder) status() {
	w := b.value(fieldStatus)
	b.row.StatusWord = w
	if w == "" {
		b.problem(fieldStatus, "status_missing", "状態がない")
		return
	}
	s, ok := StatusOf(w)
	if !ok {
		b.problem(fieldStatus, "status_unknown", fmt.Sprintf("状態「%s」は対応表にありません（使える語: %s）。推測では取り込みません",
			w, strings.Join(StatusWords(), "・")))
		return
	}
	if b.row.Method.Valid() && !s.AppliesTo(b.row.Method) {
		b.problem(fieldStatus, "status_method", fmt.Sprintf("状態「%s」は%sのカードにはありません", w, b.row.Method.Label()))
		return
	}
	b.row.Status = s
}

func (b *rowBuilder) place() {
	v := b.value(fieldPlace)
	if utf8.RuneCountInString(v) > maxPlaceRunes {
		b.problem(fieldPlace, "place_too_long", fmt.Sprintf("保管場所が長すぎる（%d文字まで）", maxPlaceRunes))
		return
	}
	b.row.Place = v
}

// consistency refuses rows whose columns contradict each other, rather
// than choose one of them.
func (b *rowBuilder) consistency() {
	if !b.row.HandedDate.IsZero() && b.row.Status != "" && b.row.Status != card.StatusIssued {
		b.problem(fieldHandedDate, "handed_date_status",
			fmt.Sprintf("交付日（%s）があるのに状態が「%s」", b.row.HandedDate, b.row.StatusWord))
	}
	if b.row.Status == card.StatusDisposed && strings.Contains(b.row.Remarks, "保留") {
		b.problem(fieldStatus, "status_remarks_conflict", fmt.Sprintf(
			"状態は「%s」なのに備考に「%s」とある。廃棄済にすると元に戻せないため取り込みません。カードの有無を確かめて状態を直してください（廃棄の保留はカードの画面で登録できます）",
			b.row.StatusWord, b.row.Remarks))
	}
}

// personalNumbers refuses a row that carries what looks like a 個人番号 in
// a column Kofu would keep (remarks, place, address...) or in a column it
// does not know: the number must never be stored.
func (b *rowBuilder) personalNumbers() {
	for _, c := range b.p.r.Columns {
		if c.Dropped || c.field == fieldApplicationID || c.field == fieldResidentNumber || isDateField(c.field) {
			continue
		}
		if hasPersonalNumber(b.l.cell(c.Index)) {
			b.row.Problems = append(b.row.Problems, jlis.Problem{Line: b.row.Line, Column: c.Header, Code: "personal_number_suspected",
				Reason: fmt.Sprintf("%s: 列「%s」に個人番号と思われる12桁の数字がある。個人番号は保存できないため、消してから取り込んでください",
					cellName(c.Letter, b.row.Line), c.Header)})
		}
	}
}

func isDateField(f field) bool {
	switch f {
	case fieldBirthDate, fieldDeliveryDate, fieldNoticeDate, fieldHandedDate, fieldIssueDate, fieldExpiry:
		return true
	}
	return false
}

// hasPersonalNumber finds a run of exactly twelve digits (full-width
// included, hyphens and spaces inside allowed: 1234-5678-9012) with a
// valid check digit.
func hasPersonalNumber(s string) bool {
	t := jlis.NormalizeCode(s)
	if len(t) < 12 {
		return false
	}
	var run strings.Builder
	flush := func() bool {
		ok := run.Len() == 12 && jlis.LooksLikePersonalNumber(run.String())
		run.Reset()
		return ok
	}
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9':
			run.WriteRune(r)
		case (r == '-' || r == ' ') && run.Len() > 0:
		default:
			if flush() {
				return true
			}
		}
	}
	return flush()
}

func (b *rowBuilder) gaiji() {
	for _, t := range []string{b.row.Name, b.row.Kana, b.row.Address} {
		if len(moji.PUARunes(t)) > 0 {
			b.row.HasGaiji = true
		}
	}
	if b.row.HasGaiji {
		b.p.r.warn(b.row.Line, "gaiji", b.header(fieldName), "外字があります（そのまま取り込み、外字の確認一覧に載ります）")
	}
}

// keepRaw keeps the row as read, header by header, without 個人番号
// columns. A rejected row keeps nothing.
func (b *rowBuilder) keepRaw() {
	if len(b.row.Problems) > 0 {
		return
	}
	m := map[string]string{}
	for _, c := range b.p.r.Columns {
		if v := b.l.cell(c.Index); !c.Dropped && v != "" && c.Header != "" {
			m[c.Header] = v
		}
	}
	b.row.Raw, _ = json.Marshal(m)
}
