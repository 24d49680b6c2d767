package jlis

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/moji"
)

const (
	appID1 = "12345678901234567890123"
	appID2 = "22345678901234567890123"
	appID3 = "32345678901234567890123"
)

var testToday = Date{2026, 4, 1}

// mustCP932 encodes a test file; it fails on characters CP932 cannot hold.
func mustCP932(tb testing.TB, s string) []byte {
	tb.Helper()
	b, bad := moji.EncodeCP932(s)
	if len(bad) > 0 {
		tb.Fatalf("test input not encodable: %q", bad)
	}
	return b
}

// lines joins CSV lines with CRLF, as Windows writes them.
func lines(ls ...string) string { return strings.Join(ls, "\r\n") + "\r\n" }

func mustReadString(tb testing.TB, s string, opt Options) ([]Row, *Reader) {
	tb.Helper()
	if opt.Today.IsZero() {
		opt.Today = testToday
	}
	return mustReadAll(tb, []byte(s), opt)
}

// mustFileError checks that err is an invalid apperr wrapping a FileError
// with the given code, and returns the FileError.
func mustFileError(tb testing.TB, err error, code string) *FileError {
	tb.Helper()
	var fe *FileError
	if !errors.As(err, &fe) {
		tb.Fatalf("error %v, want a *FileError %s", err, code)
	}
	if fe.Code != code {
		tb.Errorf("FileError code %q (%s), want %q", fe.Code, fe.Reason, code)
	}
	if apperr.CodeOf(err) != apperr.Invalid || apperr.MessageOf(err) != fe.Error() {
		tb.Errorf("apperr code %q, message %q; want invalid with %q", apperr.CodeOf(err), apperr.MessageOf(err), fe.Error())
	}
	return fe
}

func codes(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

func warningsOf(rd *Reader, kind string) []Warning {
	var out []Warning
	for _, w := range rd.Warnings() {
		if w.Kind == kind {
			out = append(out, w)
		}
	}
	return out
}

func TestHeaderMatching(t *testing.T) {
	tests := []struct {
		name   string
		header string
	}{
		{"reference names", "申請書ID,氏名,生年月日"},
		{"full-width letters", "申請書ＩＤ,氏名,生年月日"},
		{"spaces around and inside", " 申請書 ID ,　氏　名　,生年月日 "},
		{"other aliases", "申請書番号,漢字氏名,生年月日"},
		{"full-width brackets", "申請書番号,氏名（漢字）,生年月日"},
		{"half-width brackets", "申請書番号,氏名(漢字),生年月日"},
		{"other order", "生年月日,氏名,申請書ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cells := strings.Split(tt.header, ",")
			values := map[string]string{"申請書ID": appID1, "氏名": "山田　太郎", "生年月日": "19700301"}
			var rec []string
			for _, c := range cells {
				rec = append(rec, values[fieldOfHeader(t, c).Label()])
			}
			rows, rd := mustReadString(t, lines(tt.header, strings.Join(rec, ",")), Options{})
			if len(rows) != 1 || len(rows[0].Problems) > 0 {
				t.Fatalf("rows %+v", rows)
			}
			r := rows[0]
			if r.ApplicationID != appID1 || r.Name != "山田　太郎" || r.BirthDate != (Date{1970, 3, 1}) {
				t.Errorf("row %+v", r)
			}
			if w := rd.Warnings(); len(w) > 0 {
				t.Errorf("warnings %+v", w)
			}
		})
	}
}

// fieldOfHeader maps one header cell the way the Reader does.
func fieldOfHeader(tb testing.TB, h string) Field {
	tb.Helper()
	fields, err := headerFields(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return fields[NormalizeHeader(h)]
}

func TestEveryAliasIsRecognised(t *testing.T) {
	for _, f := range importedFields() {
		for _, a := range f.Aliases() {
			if got := fieldOfHeader(t, a); got != f {
				t.Errorf("header %q maps to %v, want %v", a, got, f)
			}
		}
	}
}

func TestAllColumns(t *testing.T) {
	header := "申請書ID,交付通知書番号,宛名番号,氏名,氏名カナ,生年月日,性別,郵便番号,住所,発行日,有効期限,電子証明書,交付方式,納品日,箱番号"
	row := appID1 + ",a1b123456,０１２３,山田　太郎,ﾔﾏﾀﾞ ﾀﾛｳ,S45.3.1,女,6691595,三田市1-2,R8.3.1,2036/3/1,無,申請時来庁,20260305,B-01"
	rows, rd := mustReadString(t, lines(header, row), Options{})
	want := Row{
		Line: 2, Raw: []byte(row),
		ApplicationID: appID1, NoticeNumber: "A1B-123456", ResidentNumber: "0123",
		Name: "山田　太郎", Kana: "ﾔﾏﾀﾞ ﾀﾛｳ", KanaNormalized: "ヤマダ　タロウ",
		BirthDate: Date{1970, 3, 1}, Sex: SexFemale, PostalCode: "669-1595", Address: "三田市1-2",
		IssueDate: Date{2026, 3, 1}, Expiry: Date{2036, 3, 1}, DeliveryDate: Date{2026, 3, 5},
		Method: MethodAtApplication, Box: "B-01",
		Notes: []Warning{{Line: 2, Kind: "halfwidth_kana", Column: "氏名カナ", Detail: "氏名カナに半角カナがあります（検索では全角と同じに扱います）"}},
	}
	got := rows[0]
	if got.Certificate == nil || *got.Certificate {
		t.Errorf("Certificate = %v, want false", got.Certificate)
	}
	got.Certificate = nil
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("row\n got %+v\nwant %+v", got, want)
	}
	cols := rd.Columns()
	if len(cols) != 15 || cols[0].Field != FieldApplicationID || cols[14].Field != FieldBox || cols[14].Header != "箱番号" {
		t.Errorf("columns %+v", cols)
	}
}

func TestProfile(t *testing.T) {
	profile := Profile{"受付番号": FieldApplicationID, "ＢＤ": FieldBirthDate, "メモ": FieldIgnore, "住所": FieldBox}
	rows, rd := mustReadString(t, lines("受付番号,氏名,BD,メモ,住所", appID1+",山田　太郎,H1.1.8,電話済,A-3"), Options{Profile: profile})
	r := rows[0]
	if r.ApplicationID != appID1 || r.BirthDate != (Date{1989, 1, 8}) || r.Box != "A-3" || r.Address != "" {
		t.Errorf("row %+v", r)
	}
	if w := rd.Warnings(); len(w) > 0 {
		t.Errorf("an ignored column must not warn: %+v", w)
	}
	if _, err := NewReader(strings.NewReader("a\r\n"), Options{Profile: Profile{"a": Field(99)}}); err == nil {
		t.Errorf("a profile naming no field was accepted")
	} else {
		mustFileError(t, err, "invalid_profile")
	}
}

func TestUnknownColumnsWarn(t *testing.T) {
	_, rd := mustReadString(t, lines("申請書ID,氏名,備考,生年月日,", appID1+",山田　太郎,メモ,19700301,x"), Options{})
	got := warningsOf(rd, "unknown_column")
	if len(got) != 2 || got[0].Line != 1 || got[0].Column != "備考" || !strings.Contains(got[0].Detail, "備考") {
		t.Fatalf("warnings %+v", got)
	}
	if !strings.Contains(got[1].Detail, "5列目") {
		t.Errorf("header-less column warning %+v", got[1])
	}
}

func TestMissingRequiredColumn(t *testing.T) {
	tests := []struct {
		header  string
		missing []string
	}{
		{"氏名,生年月日", []string{"申請書ID"}},
		{"申請書ID,生年月日", []string{"氏名"}},
		{"申請書ID,氏名カナ,氏名", []string{"生年月日"}},
		{"通知書番号,住所", []string{"申請書ID", "氏名", "生年月日"}},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(lines(tt.header)), Options{})
			fe := mustFileError(t, err, "missing_column")
			for _, m := range tt.missing {
				if !strings.Contains(fe.Reason, "「"+m) && !strings.Contains(fe.Reason, m+"」") {
					t.Errorf("reason %q does not name %s", fe.Reason, m)
				}
			}
			if fe.Line != 1 {
				t.Errorf("line %d, want 1", fe.Line)
			}
		})
	}
}

func TestDuplicateColumnRefused(t *testing.T) {
	_, err := NewReader(strings.NewReader(lines("申請書ID,氏名,漢字氏名,生年月日")), Options{})
	fe := mustFileError(t, err, "duplicate_column")
	if !strings.Contains(fe.Reason, "氏名") || !strings.Contains(fe.Reason, "漢字氏名") {
		t.Errorf("reason %q", fe.Reason)
	}
}

func TestPersonalNumberColumnDropped(t *testing.T) {
	const number = "123456789018" // a valid check digit
	for _, h := range []string{"個人番号", "マイナンバー", "個人番号（12桁）", "個人番号(12桁)", " 個人番号 ", "ﾏｲﾅﾝﾊﾞｰ"} {
		t.Run(h, func(t *testing.T) {
			header := "申請書ID," + h + ",氏名,生年月日"
			data := lines(header, appID1+","+number+",山田　太郎,19700301", appID2+",\""+number+"\",鈴木　花子,19800101")
			// A profile cannot bring the column back.
			rows, rd := mustReadString(t, data, Options{Profile: Profile{h: FieldResidentNumber}})
			w := warningsOf(rd, "personal_number_dropped")
			if len(w) != 1 || w[0].Line != 1 || w[0].Column != h || !strings.Contains(w[0].Detail, h) {
				t.Errorf("warnings %+v", rd.Warnings())
			}
			if got := rows[0].Raw; string(got) != appID1+",,山田　太郎,19700301" {
				t.Errorf("Raw = %q", got)
			}
			if got := rows[1].Raw; string(got) != appID2+",,鈴木　花子,19800101" {
				t.Errorf("quoted Raw = %q", got)
			}
			assertNowhere(t, number, rows, rd)
			if cols := rd.Columns(); !cols[1].Dropped || cols[1].Field != FieldUnknown {
				t.Errorf("column %+v", cols[1])
			}
		})
	}
}

// assertNowhere checks that s appears in no row, problem or warning.
func assertNowhere(t *testing.T, s string, rows []Row, rd *Reader) {
	t.Helper()
	for _, r := range rows {
		if strings.Contains(fmt.Sprintf("%+v %s", r, r.Raw), s) {
			t.Errorf("line %d holds %s: %+v", r.Line, s, r)
		}
	}
	if strings.Contains(fmt.Sprintf("%+v", rd.Warnings()), s) {
		t.Errorf("warnings hold %s", s)
	}
}

func TestPersonalNumberCardColumnsAreNotDropped(t *testing.T) {
	_, rd := mustReadString(t, lines("申請書ID,氏名,生年月日,個人番号カード交付日", appID1+",山田　太郎,19700301,20260101"), Options{})
	if len(warningsOf(rd, "personal_number_dropped")) > 0 || len(warningsOf(rd, "unknown_column")) != 1 {
		t.Errorf("warnings %+v", rd.Warnings())
	}
}

func TestPersonalNumberValuesInUnknownColumn(t *testing.T) {
	const number = "123456789018"
	data := lines("申請書ID,番号,氏名,生年月日",
		appID1+",1234,山田　太郎,19700301",
		appID2+","+number+",鈴木　花子,19800101",
		appID3+",１２３４５６７８９０１８,佐藤　一郎,19900101")
	rows, rd := mustReadString(t, data, Options{})
	if string(rows[0].Raw) != appID1+",1234,山田　太郎,19700301" {
		t.Errorf("ordinary value blanked: %q", rows[0].Raw)
	}
	if string(rows[1].Raw) != appID2+",,鈴木　花子,19800101" || string(rows[2].Raw) != appID3+",,佐藤　一郎,19900101" {
		t.Errorf("Raw %q / %q", rows[1].Raw, rows[2].Raw)
	}
	if w := warningsOf(rd, "personal_number_suspected"); len(w) != 1 || w[0].Line != 3 || w[0].Column != "番号" {
		t.Errorf("warnings %+v", rd.Warnings())
	}
	assertNowhere(t, number, rows, rd)
}

func TestLooksLikePersonalNumber(t *testing.T) {
	tests := map[string]bool{
		"123456789018":  true,
		"123456789010":  false,
		"12345678901":   false,
		"1234567890180": false,
		"12345678901a":  false,
		"000000000000":  true, // sum 0: check digit 0
	}
	for in, want := range tests {
		if got := looksLikePersonalNumber(in); got != want {
			t.Errorf("looksLikePersonalNumber(%q) = %v", in, got)
		}
	}
}

func TestEncodings(t *testing.T) {
	text := lines("申請書ID,氏名,氏名カナ,生年月日", appID1+",髙橋　﨑子,ﾀｶﾊｼ ｻｷｺ,昭和45年3月1日")
	tests := []struct {
		name string
		data []byte
		enc  moji.Encoding
	}{
		{"UTF-8", []byte(text), moji.UTF8},
		{"UTF-8 with BOM", []byte(moji.BOM + text), moji.UTF8BOM},
		{"CP932", mustCP932(t, text), moji.CP932},
		{"UTF-8 with LF", []byte(strings.ReplaceAll(text, "\r\n", "\n")), moji.UTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, rd := mustReadAll(t, tt.data, Options{Today: testToday})
			if rd.Encoding() != tt.enc {
				t.Errorf("encoding %v, want %v", rd.Encoding(), tt.enc)
			}
			r := rows[0]
			if r.Name != "髙橋　﨑子" || r.KanaNormalized != "タカハシ　サキコ" || r.BirthDate != (Date{1970, 3, 1}) {
				t.Errorf("row %+v", r)
			}
		})
	}
}

func TestRefusedFiles(t *testing.T) {
	utf16 := []byte{0xFF, 0xFE}
	for _, r := range "申請書ID,氏名,生年月日\r\n" {
		utf16 = append(utf16, byte(r), byte(r>>8))
	}
	tests := []struct {
		name string
		data []byte
		code string
		text string
	}{
		{"UTF-16", utf16, "encoding_utf16", "UTF-16"},
		{"empty", nil, "empty_file", "空"},
		{"blank lines only", []byte("\r\n\r\n"), "no_header", "ヘッダー"},
		{"xlsx", []byte("PK\x03\x04rest"), "encoding_excel", "Excel"},
		{"neither UTF-8 nor CP932", []byte("申請書ID,氏名,生年月日\r\n\xff\xfe\xfd\r\n"), "encoding_unknown_encoding", "文字コード"},
		{"broken header quotes", []byte("申請書ID,\"氏名,生年月日\r\n"), "header_syntax", "引用符"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader(bytes.NewReader(tt.data), Options{})
			fe := mustFileError(t, err, tt.code)
			if !strings.Contains(fe.Reason, tt.text) {
				t.Errorf("reason %q, want it to mention %q", fe.Reason, tt.text)
			}
		})
	}
}

func TestQuotedFieldWithNewlineKeepsPhysicalLines(t *testing.T) {
	data := "申請書ID,氏名,住所,生年月日\r\n" +
		appID1 + ",山田　太郎,\"三田市\r\n1-2\",19700301\r\n" +
		"\r\n" + // a blank line the CSV parser skips
		appID2 + ",鈴木　花子,\"三田市\"\"西\"\"\",19800101\r\n" +
		appID3 + ",,三田市,20300101\r\n"
	rows, _ := mustReadString(t, data, Options{})
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	wantLines := []int{2, 5, 6}
	for i, r := range rows {
		if r.Line != wantLines[i] {
			t.Errorf("row %d at line %d, want %d", i, r.Line, wantLines[i])
		}
	}
	if rows[0].Address != "三田市\n1-2" || string(rows[0].Raw) != appID1+",山田　太郎,\"三田市\r\n1-2\",19700301" {
		t.Errorf("row 0: address %q raw %q", rows[0].Address, rows[0].Raw)
	}
	if rows[1].Address != `三田市"西"` || string(rows[1].Raw) != appID2+`,鈴木　花子,"三田市""西""",19800101` {
		t.Errorf("row 1: address %q raw %q", rows[1].Address, rows[1].Raw)
	}
	if got := codes(rows[2].Problems); !slices.Equal(got, []string{"name_missing", "birth_date_future"}) {
		t.Errorf("row 2 problems %v", got)
	}
	if p := rows[2].Problems[0]; p.Line != 6 || p.Column != "氏名" {
		t.Errorf("problem %+v", p)
	}
}

func TestRowProblems(t *testing.T) {
	header := "申請書ID,交付通知書番号,宛名番号,氏名,生年月日,性別,郵便番号,発行日,有効期限,電子証明書,交付方式,納品日"
	tests := []struct {
		name   string
		row    string // {id} stands for a fresh application ID
		codes  []string
		reason string
	}{
		{"valid", "{id},,,山田　太郎,19700301,,,,,,,", nil, ""},
		{"id missing", ",,,山田　太郎,19700301,,,,,,,", []string{"application_id_missing"}, "申請書IDがない"},
		{"id too short", "1234,,,山田　太郎,19700301,,,,,,,", []string{"application_id_format"}, "申請書IDが23桁でない（4桁）"},
		{"id with letters", "1234567890123456789012A,,,山田　太郎,19700301,,,,,,,", []string{"application_id_format"}, "申請書IDが23桁でない"},
		{"id with hyphens", "1234-5678-9012-3456-7890,,,山田　太郎,19700301,,,,,,,", []string{"application_id_format"}, "申請書IDが23桁でない"},
		{"notice wrong form", "{id},AB-12345,,山田　太郎,19700301,,,,,,,", []string{"notice_number_format"}, "交付通知書番号の形式が違う"},
		{"notice lower case letters", "{id},ab1-1234567,,山田　太郎,19700301,,,,,,,", []string{"notice_number_format"}, "交付通知書番号の形式が違う"},
		{"resident number not digits", "{id},,A12,山田　太郎,19700301,,,,,,,", []string{"resident_number_format"}, "宛名番号が数字でない"},
		{"name missing", "{id},,,　,19700301,,,,,,,", []string{"name_missing"}, "氏名がない"},
		{"birth date missing", "{id},,,山田　太郎,,,,,,,,", []string{"birth_date_missing"}, "生年月日がない"},
		{"birth date unreadable", "{id},,,山田　太郎,昭和ごろ,,,,,,,", []string{"birth_date_format"}, "生年月日が日付として読めない（「昭和ごろ」）"},
		{"birth date nonexistent", "{id},,,山田　太郎,令和2年2月30日,,,,,,,", []string{"birth_date_invalid"}, "生年月日が存在しない日付"},
		{"birth date outside era", "{id},,,山田　太郎,昭和64年1月8日,,,,,,,", []string{"birth_date_invalid"}, "昭和は1989年1月7日まで"},
		{"birth date in the future", "{id},,,山田　太郎,2026/4/2,,,,,,,", []string{"birth_date_future"}, "生年月日が未来の日付（2026-04-02）"},
		{"born today", "{id},,,山田　太郎,R8.4.1,,,,,,,", nil, ""},
		{"sex unknown word", "{id},,,山田　太郎,19700301,X,,,,,,", []string{"sex_invalid"}, "性別が読めない"},
		{"postal code short", "{id},,,山田　太郎,19700301,,669-159,,,,,", []string{"postal_code_format"}, "郵便番号が7桁でない"},
		{"issue date nonexistent", "{id},,,山田　太郎,19700301,,,2026/2/30,,,,", []string{"issue_date_invalid"}, "発行日が存在しない日付"},
		{"expiry unreadable", "{id},,,山田　太郎,19700301,,,,いつか,,,", []string{"expiry_format"}, "有効期限が日付として読めない"},
		{"delivery date nonexistent", "{id},,,山田　太郎,19700301,,,,,,,20261301", []string{"delivery_date_invalid"}, "納品日が存在しない日付"},
		{"certificate unknown", "{id},,,山田　太郎,19700301,,,,,未定,,", []string{"certificate_invalid"}, "電子証明書の有無が読めない"},
		{"method unknown", "{id},,,山田　太郎,19700301,,,,,,郵送,", []string{"method_unknown"}, "交付方式が読めない"},
		{"too few columns", "{id},,,山田　太郎,19700301", []string{"column_count"}, "ヘッダーは12列、この行は5列"},
		{"several problems at once", ",XX,,,,男,,,,,,", []string{"application_id_missing", "notice_number_format", "name_missing", "birth_date_missing"}, "申請書IDがない"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("%023d", i+1)
			rows, _ := mustReadString(t, lines(header, strings.ReplaceAll(tt.row, "{id}", id)), Options{})
			r := rows[0]
			if !slices.Equal(codes(r.Problems), tt.codes) {
				t.Fatalf("problems %+v, want codes %v", r.Problems, tt.codes)
			}
			if tt.reason != "" && !strings.Contains(r.Problems[0].Reason, tt.reason) {
				t.Errorf("reason %q, want it to contain %q", r.Problems[0].Reason, tt.reason)
			}
			for _, p := range r.Problems {
				if p.Line != 2 {
					t.Errorf("problem %+v not on line 2", p)
				}
			}
		})
	}
}

func TestProblemColumnIsTheFileHeader(t *testing.T) {
	rows, _ := mustReadString(t, lines("申請書ＩＤ,漢字氏名,生年月日", "1,山田　太郎,19700301"), Options{})
	if p := rows[0].Problems[0]; p.Column != "申請書ＩＤ" {
		t.Errorf("column %q, want the header as in the file", p.Column)
	}
}

func TestDuplicateInFile(t *testing.T) {
	data := lines("申請書ID,氏名,生年月日",
		appID1+",山田　太郎,19700301",
		appID2+",鈴木　花子,19800101",
		"１２３４５６７８９０１２３４５６７８９０１２３,山田　太郎,19700301", // appID1 in full-width digits
		appID1+",山田　太郎,19700301")
	rows, _ := mustReadString(t, data, Options{})
	for _, i := range []int{2, 3} {
		r := rows[i]
		if !slices.Equal(codes(r.Problems), []string{"duplicate_in_file"}) || !strings.Contains(r.Problems[0].Reason, "2行目") {
			t.Errorf("line %d problems %+v, want a duplicate of line 2", r.Line, r.Problems)
		}
	}
	if len(rows[0].Problems)+len(rows[1].Problems) > 0 {
		t.Errorf("first occurrences rejected: %+v %+v", rows[0].Problems, rows[1].Problems)
	}
}

func TestValueNormalisation(t *testing.T) {
	header := "申請書ID,交付通知書番号,氏名,氏名カナ,生年月日,性別,郵便番号,電子証明書,交付方式"
	yes, no := true, false
	tests := []struct {
		name string
		row  string
		want func(Row) bool
	}{
		{"notice full-width with hyphen", "{id},Ａ１Ｂ－１２３４５６,山田,,19700301,,,,", func(r Row) bool { return r.NoticeNumber == "A1B-123456" }},
		{"notice lower case without hyphen", "{id},a1b123456,山田,,19700301,,,,", func(r Row) bool { return r.NoticeNumber == "A1B-123456" }},
		{"notice with long vowel mark as hyphen", "{id},A1Bー123456,山田,,19700301,,,,", func(r Row) bool { return r.NoticeNumber == "A1B-123456" }},
		{"name trimmed, inner space kept", "{id},,　山田　太郎 ,,19700301,,,,", func(r Row) bool { return r.Name == "山田　太郎" }},
		{"half-width kana", "{id},,山田,ｻｲﾄｳ ｼﾞｭﾝ,19700301,,,,", func(r Row) bool {
			return r.Kana == "ｻｲﾄｳ ｼﾞｭﾝ" && r.KanaNormalized == "サイトウ　ジュン"
		}},
		{"sex 男", "{id},,山田,,19700301,男,,,", func(r Row) bool { return r.Sex == SexMale }},
		{"sex 2", "{id},,山田,,19700301,２,,,", func(r Row) bool { return r.Sex == SexFemale }},
		{"sex empty", "{id},,山田,,19700301,,,,", func(r Row) bool { return r.Sex == "" }},
		{"postal with full-width hyphen", "{id},,山田,,19700301,,〒６６９－１５９５,,", func(r Row) bool { return r.PostalCode == "669-1595" }},
		{"certificate あり", "{id},,山田,,19700301,,,あり,", func(r Row) bool { return r.Certificate != nil && *r.Certificate == yes }},
		{"certificate 0", "{id},,山田,,19700301,,,0,", func(r Row) bool { return r.Certificate != nil && *r.Certificate == no }},
		{"certificate empty", "{id},,山田,,19700301,,,,", func(r Row) bool { return r.Certificate == nil }},
		{"method default", "{id},,山田,,19700301,,,,", func(r Row) bool { return r.Method == MethodCounter }},
		{"method 交付時来庁方式", "{id},,山田,,19700301,,,,交付時来庁方式", func(r Row) bool { return r.Method == MethodCounter }},
		{"method 申請時来庁", "{id},,山田,,19700301,,,,申請時来庁", func(r Row) bool { return r.Method == MethodAtApplication }},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("%023d", i+1)
			rows, _ := mustReadString(t, lines(header, strings.ReplaceAll(tt.row, "{id}", id)), Options{})
			if r := rows[0]; len(r.Problems) > 0 || !tt.want(r) {
				t.Errorf("row %+v", r)
			}
		})
	}
}

func TestMethodColumnAbsentMeansCounter(t *testing.T) {
	rows, _ := mustReadString(t, lines("申請書ID,氏名,生年月日", appID1+",山田　太郎,19700301"), Options{})
	if rows[0].Method != MethodCounter {
		t.Errorf("method %q", rows[0].Method)
	}
}

func TestGaijiFlagged(t *testing.T) {
	data := append(mustCP932(t, "申請書ID,氏名,氏名カナ,住所,生年月日\r\n"+appID1+",山田　太郎,ﾔﾏﾀﾞ,三田市"), 0xF0, 0x41)
	data = append(data, mustCP932(t, "町,19700301\r\n"+appID2+",")...)
	data = append(data, 0xF9, 0xFC)
	data = append(data, mustCP932(t, "　花子,,三田市,19800101\r\n")...)
	rows, rd := mustReadAll(t, data, Options{Today: testToday})
	if rows[0].Address != "三田市\uE001町" || !rows[0].HasGaiji || rows[1].Name != "\uE757　花子" || !rows[1].HasGaiji {
		t.Fatalf("rows %+v", rows)
	}
	w := warningsOf(rd, "gaiji")
	if len(w) != 2 || w[0].Line != 2 || w[0].Column != "住所" || !strings.Contains(w[0].Detail, "U+E001") ||
		w[1].Line != 3 || w[1].Column != "氏名" || !strings.Contains(w[1].Detail, "U+E757") {
		t.Errorf("warnings %+v", w)
	}
}

func TestReplacementCharacterWarned(t *testing.T) {
	_, rd := mustReadString(t, lines("申請書ID,氏名,生年月日", appID1+",山\uFFFD　太郎,19700301"), Options{})
	if w := warningsOf(rd, "replacement_character"); len(w) != 1 || !strings.Contains(w[0].Detail, "氏名") {
		t.Errorf("warnings %+v", rd.Warnings())
	}
}

func TestCSVSyntaxErrorRejectsTheRowOnly(t *testing.T) {
	data := lines("申請書ID,氏名,生年月日",
		appID1+",山田 \"太郎\",19700301",
		appID2+",鈴木　花子,19800101")
	rows, _ := mustReadString(t, data, Options{})
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	if r := rows[0]; r.Line != 2 || !slices.Equal(codes(r.Problems), []string{"csv_syntax"}) || !strings.Contains(r.Problems[0].Reason, "引用符") {
		t.Errorf("row %+v", r)
	}
	if r := rows[1]; r.Line != 3 || len(r.Problems) > 0 || r.Name != "鈴木　花子" {
		t.Errorf("row %+v", r)
	}
}

func TestEmptyRowsSkipped(t *testing.T) {
	rows, rd := mustReadString(t, lines("申請書ID,氏名,生年月日", appID1+",山田　太郎,19700301", ",,", " , ,　"), Options{})
	if len(rows) != 1 || len(warningsOf(rd, "empty_row")) != 2 {
		t.Errorf("rows %+v warnings %+v", rows, rd.Warnings())
	}
}

func TestHeaderOnly(t *testing.T) {
	rows, _ := mustReadString(t, "申請書ID,氏名,生年月日", Options{})
	if len(rows) != 0 {
		t.Errorf("rows %+v", rows)
	}
}

func TestTodayDefaultsToNow(t *testing.T) {
	rows, _ := mustReadAll(t, []byte(lines("申請書ID,氏名,生年月日", appID1+",山田　太郎,2999/1/1", appID2+",山田　花子,1999/1/1")), Options{})
	if !slices.Equal(codes(rows[0].Problems), []string{"birth_date_future"}) || len(rows[1].Problems) > 0 {
		t.Errorf("rows %+v", rows)
	}
}

// asciiRows returns n ASCII-only data rows, to push real text past the
// detection window.
func asciiRows(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%023d,YAMADA TARO,19700301\r\n", i+1)
	}
	return b.String()
}

func TestEncodingDecidedAfterLongASCIIStart(t *testing.T) {
	const header = "ID,NAME,BIRTH\r\n"
	profile := Profile{"ID": FieldApplicationID, "NAME": FieldName, "BIRTH": FieldBirthDate}
	start := header + asciiRows(2000) // about 90 KiB, beyond the 64 KiB window
	late := "99999999999999999999999,山田　太郎,昭和45年3月1日\r\n"
	for _, tt := range []struct {
		name string
		data []byte
		enc  moji.Encoding
	}{
		{"CP932", append([]byte(start), mustCP932(t, late)...), moji.CP932},
		{"UTF-8", []byte(start + late), moji.UTF8},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if len(start) <= detectBytes {
				t.Fatalf("test data too short: %d bytes", len(start))
			}
			rows, rd := mustReadAll(t, tt.data, Options{Profile: profile, Today: testToday})
			last := rows[len(rows)-1]
			if rd.Encoding() != tt.enc || last.Name != "山田　太郎" || last.Line != 2002 {
				t.Errorf("encoding %v, last row %+v", rd.Encoding(), last)
			}
		})
	}
}

// readUntilError reads rows until an error other than io.EOF.
func readUntilError(t *testing.T, rd *Reader) (int, error) {
	t.Helper()
	for n := 0; ; n++ {
		_, err := rd.Next()
		if err == io.EOF {
			t.Fatalf("read %d rows without an error", n)
		}
		if err != nil {
			return n, err
		}
	}
}

func TestNonASCIIOnlyInLastLine(t *testing.T) {
	profile := Profile{"ID": FieldApplicationID, "NAME": FieldName, "BIRTH": FieldBirthDate}
	name := strings.Repeat("山", 40)
	last := appID1 + "," + name + ",19700301" // no line feed at the end
	for _, tt := range []struct {
		name     string
		head     string
		straddle bool
	}{
		{"short file", "ID,NAME,BIRTH\r\n", false},
		// The kanji start inside the 64 KiB window, the line ends after it.
		{"line across the detection window", "ID,NAME,BIRTH\r\n" + asciiRows(1423), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := append([]byte(tt.head), mustCP932(t, last)...)
			firstKanji := len(tt.head) + len(appID1) + 1
			if tt.straddle && (firstKanji >= detectBytes || len(data) <= detectBytes) {
				t.Fatalf("the last line does not straddle the window: kanji at %d, end %d", firstKanji, len(data))
			}
			rows, rd := mustReadAll(t, data, Options{Profile: profile, Today: testToday})
			if got := rows[len(rows)-1]; got.Name != name || rd.Encoding() != moji.CP932 {
				t.Errorf("last row %+v in %v", got, rd.Encoding())
			}
		})
	}
}

func TestEncodingChangeMidFileStops(t *testing.T) {
	// UTF-8 throughout the detection window, then a CP932 line.
	start := "申請書ID,氏名,生年月日\r\n" + strings.ReplaceAll(asciiRows(2000), "YAMADA TARO", "山田　太郎")
	data := append([]byte(start), mustCP932(t, appID2+",鈴木　花子,19800101\r\n")...)
	rd, err := NewReader(bytes.NewReader(data), Options{Today: testToday})
	if err != nil {
		t.Fatal(err)
	}
	n, err := readUntilError(t, rd)
	fe := mustFileError(t, err, "encoding")
	if n != 2000 || fe.Line != 2002 || !strings.Contains(err.Error(), "2002行目") {
		t.Errorf("error %v after %d rows, want it at line 2002", err, n)
	}
	if _, again := rd.Next(); again != err {
		t.Errorf("error not sticky: %v", again)
	}
}

func TestUnknownEncodingOnShortFile(t *testing.T) {
	data := append([]byte(lines("申請書ID,氏名,生年月日", appID1+",山田　太郎,19700301")),
		mustCP932(t, appID2+",鈴木　花子,19800101\r\n")...)
	_, err := NewReader(bytes.NewReader(data), Options{Today: testToday})
	mustFileError(t, err, "encoding_unknown_encoding")
}

func TestNULInLaterLineStops(t *testing.T) {
	data := "ID,NAME,BIRTH\r\n" + asciiRows(2000) + appID1 + ",YAMA\x00DA,19700301\r\n"
	rd, err := NewReader(strings.NewReader(data), Options{
		Profile: Profile{"ID": FieldApplicationID, "NAME": FieldName, "BIRTH": FieldBirthDate}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = readUntilError(t, rd)
	if fe := mustFileError(t, err, "binary"); fe.Line != 2002 {
		t.Errorf("line %d", fe.Line)
	}
}

func TestLineTooLongStops(t *testing.T) {
	data := "申請書ID,氏名,生年月日\r\n" + strings.Repeat("a", maxLineBytes+1)
	rd, err := NewReader(strings.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = rd.Next()
	mustFileError(t, err, "line_too_long")
}

// countingReader produces rows on demand and counts the bytes handed out.
type countingReader struct {
	header, row []byte
	rows, sent  int
	pending     []byte
	bytesRead   int
}

func (c *countingReader) Read(p []byte) (int, error) {
	for len(c.pending) == 0 {
		if c.sent > c.rows {
			return 0, io.EOF
		}
		if c.sent == 0 {
			c.pending = c.header
		} else {
			c.pending = fmt.Appendf(nil, "%023d%s", c.sent, c.row)
		}
		c.sent++
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	c.bytesRead += n
	return n, nil
}

// TestReaderStreams checks that the reader does not read the whole file
// ahead: after the first row it has consumed only its detection window
// and buffers.
func TestReaderStreams(t *testing.T) {
	src := &countingReader{
		header: mustCP932(t, "申請書ID,氏名,氏名カナ,生年月日\r\n"),
		row:    mustCP932(t, ",山田　太郎,ﾔﾏﾀﾞ ﾀﾛｳ,S45.3.1\r\n"),
		rows:   50000,
	}
	rd, err := NewReader(src, Options{Today: testToday})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rd.Next(); err != nil {
		t.Fatal(err)
	}
	if limit := detectBytes + 16<<10; src.bytesRead > limit {
		t.Errorf("read %d bytes for the first row, want at most %d", src.bytesRead, limit)
	}
	n := 1
	for {
		_, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		if len(rd.src.lines) > 200 {
			t.Fatalf("%d raw lines held at row %d", len(rd.src.lines), n)
		}
	}
	if n != src.rows {
		t.Errorf("%d rows, want %d", n, src.rows)
	}
}

func noteKinds(r Row) []string {
	var out []string
	for _, n := range r.Notes {
		out = append(out, n.Kind)
	}
	return out
}

func TestRowNotesFlagWhatStaffShouldSee(t *testing.T) {
	data := append(mustCP932(t, "申請書ID,交付通知書番号,氏名,氏名カナ,生年月日\r\n"+
		appID1+",A1B-123456,山田　太郎,ヤマダ　タロウ,19700301\r\n"+
		appID2+",,鈴木　花子,ｽｽﾞｷ ﾊﾅｺ,19800101\r\n"+
		appID3+",C3D-654321,"), 0xF9, 0xFC)
	data = append(data, mustCP932(t, "　一郎,サトウ　イチロウ,19900101\r\n")...)
	rows, rd := mustReadAll(t, data, Options{Today: testToday})
	if len(rows) != 3 {
		t.Fatalf("rows %+v", rows)
	}
	if got := noteKinds(rows[0]); len(got) != 0 {
		t.Errorf("a plain row has notes %v", got)
	}
	if got := noteKinds(rows[1]); !slices.Equal(got, []string{"halfwidth_kana", "notice_number_missing"}) {
		t.Errorf("half-width kana and no notice number: notes %v", got)
	}
	if n := rows[1].Notes[0]; n.Line != 3 || n.Column != "氏名カナ" || !strings.Contains(n.Detail, "半角カナ") {
		t.Errorf("note %+v", n)
	}
	if got := noteKinds(rows[2]); !slices.Equal(got, []string{"gaiji"}) || !strings.Contains(rows[2].Notes[0].Detail, "U+E757") {
		t.Errorf("外字 row: notes %+v", rows[2].Notes)
	}
	// Only the 外字 is also a reader warning: notes of ordinary deliveries
	// must not crowd the warnings out.
	if len(warningsOf(rd, "gaiji")) != 1 || len(warningsOf(rd, "halfwidth_kana")) != 0 || len(warningsOf(rd, "notice_number_missing")) != 0 {
		t.Errorf("warnings %+v", rd.Warnings())
	}
}

func TestNoticeNumberInWrongFormatIsAProblemNotANote(t *testing.T) {
	rows, _ := mustReadString(t, lines("申請書ID,交付通知書番号,氏名,生年月日", appID1+",12,山田　太郎,19700301"), Options{})
	if r := rows[0]; !slices.Equal(codes(r.Problems), []string{"notice_number_format"}) || len(r.Notes) != 0 {
		t.Errorf("row %+v", r)
	}
}
