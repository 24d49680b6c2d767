package legacy

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/jlis"
)

// SampleLedger returns shared/samples/ledger.xlsx. The sample is part of
// the test: a missing file fails, never skips.
func mustSample(tb testing.TB) []byte {
	tb.Helper()
	for _, dir := range []string{"../../../shared/samples", "../../shared/samples"} {
		if b, err := os.ReadFile(filepath.Join(dir, "ledger.xlsx")); err == nil {
			return b
		}
	}
	tb.Fatal("shared/samples/ledger.xlsx not found")
	return nil
}

var today = jlis.Date{Year: 2026, Month: 12, Day: 31}

func mustRead(tb testing.TB, b []byte) *Ledger {
	tb.Helper()
	l, err := Read(b, Options{Today: today})
	if err != nil {
		tb.Fatalf("Read: %v", err)
	}
	return l
}

func TestSampleLedgerRows(t *testing.T) {
	l := mustRead(t, mustSample(t))
	if len(l.Rows) != 120 || l.HeaderRow != 1 {
		t.Fatalf("rows %d header %d, want 120 and 1", len(l.Rows), l.HeaderRow)
	}
	first := l.Rows[0]
	want := Row{Line: 2, ApplicationID: "74218096792908100339075", NoticeNumber: "QU9-004816", ResidentNumber: "1799609893",
		Name: "三輪\u3000隆", BirthDate: jlis.Date{Year: 2013, Month: 1, Day: 26}, DeliveryDate: jlis.Date{Year: 2026, Month: 10, Day: 19},
		NoticeDate: jlis.Date{Year: 2026, Month: 10, Day: 24}, HandedDate: jlis.Date{Year: 2026, Month: 11, Day: 8},
		Box: "261019-04", Place: "キャビネット1-1段", Status: card.StatusIssued}
	got := Row{Line: first.Line, ApplicationID: first.ApplicationID, NoticeNumber: first.NoticeNumber, ResidentNumber: first.ResidentNumber,
		Name: first.Name, BirthDate: first.BirthDate, DeliveryDate: first.DeliveryDate, NoticeDate: first.NoticeDate,
		HandedDate: first.HandedDate, Box: first.Box, Place: first.Place, Status: first.Status}
	if !equalRows(got, want) {
		t.Errorf("first row\n got %+v\nwant %+v", got, want)
	}
	counts := map[card.Status]int{}
	for _, r := range l.Rows {
		counts[r.Status]++
	}
	if counts[card.StatusIssued] != 52 || counts[card.StatusNoticeSent] != 34 || counts[card.StatusNoticeReturned] != 17 {
		t.Errorf("status counts %v", counts)
	}
}

func equalRows(a, b Row) bool {
	return a.Line == b.Line && a.ApplicationID == b.ApplicationID && a.NoticeNumber == b.NoticeNumber &&
		a.ResidentNumber == b.ResidentNumber && a.Name == b.Name && a.BirthDate == b.BirthDate &&
		a.DeliveryDate == b.DeliveryDate && a.NoticeDate == b.NoticeDate && a.HandedDate == b.HandedDate &&
		a.Box == b.Box && a.Place == b.Place && a.Status == b.Status
}

func TestSampleLedgerRareKanjiKept(t *testing.T) {
	l := mustRead(t, mustSample(t))
	var names string
	for _, r := range l.Rows {
		names += r.Name
	}
	for _, k := range []string{"髙", "﨑", "德"} {
		if !strings.Contains(names, k) {
			t.Errorf("%s lost", k)
		}
	}
}

// The sample's row 15 says 廃棄 with the remark 長期入院のため廃棄保留: the
// card may still be in the cabinet, so it is refused, not marked disposed.
func TestSampleLedgerDisposalOnHoldRefused(t *testing.T) {
	l := mustRead(t, mustSample(t))
	var bad []jlis.Problem
	for _, r := range l.Rows {
		bad = append(bad, r.Problems...)
	}
	if len(bad) != 1 || bad[0].Line != 15 || bad[0].Code != "status_remarks_conflict" || bad[0].Column != "状態" {
		t.Fatalf("problems %+v, want the one on row 15", bad)
	}
}

// badLedger is a workbook written the way a person keeps a ledger: a
// merged title, a two-row header, full-width digits, odd hyphens, a blank
// row, a totals row, and the mistakes the import must name.
func badLedger(tb testing.TB) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := "Sheet1"
	f.SetSheetName(sh, "管理簿")
	sh = "管理簿"
	set := func(cell string, v any) {
		if err := f.SetCellValue(sh, cell, v); err != nil {
			tb.Fatal(err)
		}
	}
	set("A1", "マイナンバーカード管理簿（令和8年度）")
	f.MergeCell(sh, "A1", "J1")
	for i, h := range []string{"申請書ID", "氏名", "生年月日", "交付通知書番号", "日付", "", "状態", "保管場所", "備考", "個人番号"} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		set(col+"2", h)
	}
	f.MergeCell(sh, "E2", "F2")
	set("E3", "納品日")
	set("F3", "交付日")
	for _, c := range []string{"A", "B", "C", "D", "G", "H", "I", "J"} {
		f.MergeCell(sh, c+"2", c+"3")
	}
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	rows := [][]any{
		// row 4: fine, full-width ID digits, a 和暦 text birth date, ー in the notice number
		{"１２３４５６７８９０１２３４５６７８９０１２３", "𠮷田\u3000\ue000子", "昭和45年3月1日", "ab1ー123456", 46314.0, 46330.0, "交付済", "キャビネット1-1段", "", "123456789018"},
		// row 5: unknown status word
		{"00000000000000000000005", "鈴木\u3000一郎", 20272.0, "", 46314.0, nil, "保管中", "キャビネット2-1段", "", ""},
		// row 6: a date that does not exist
		{"00000000000000000000006", "佐藤\u3000花子", "2026/2/30", "", 46314.0, nil, "通知済", "", "", ""},
		// row 7: a 個人番号 written in the remarks
		{"00000000000000000000007", "高橋\u3000健", 20272.0, "", 46314.0, nil, "返戻", "", "番号 1234 5678 9018 を確認", ""},
		{},
		// row 9: fine, merged place written once for rows 9-10
		{"00000000000000000000009", "田中\u3000一", "H2.4.1", "XYZ-000001", 46314.0, nil, "通知済", "金庫", "", ""},
		{"00000000000000000000010", "田中\u3000二", "R1.5.1", "", 46314.0, nil, "通知済", nil, "", ""},
		{"合計", nil, nil, nil, nil, nil, "7件"},
	}
	for i, r := range rows {
		for j, v := range r {
			if v == nil {
				continue
			}
			col, _ := excelize.ColumnNumberToName(j + 1)
			cell := col + itoa(i+4)
			set(cell, v)
			if _, ok := v.(float64); ok && (j == 2 || j == 4 || j == 5) {
				f.SetCellStyle(sh, cell, cell, dateStyle)
			}
		}
	}
	f.MergeCell(sh, "H9", "H10")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestBadLedgerProblemsNameRowAndColumn(t *testing.T) {
	l := mustRead(t, badLedger(t))
	if l.HeaderRow != 3 {
		t.Errorf("header row %d, want 3 (the lower row of a two-row header)", l.HeaderRow)
	}
	type key struct {
		line         int
		column, code string
	}
	var got []key
	for _, r := range l.Rows {
		for _, p := range r.Problems {
			got = append(got, key{p.Line, p.Column, p.Code})
			if !strings.Contains(p.Reason, itoa(p.Line)+":") {
				t.Errorf("reason %q does not name the cell", p.Reason)
			}
		}
	}
	want := []key{{5, "状態", "status_unknown"}, {6, "生年月日", "birth_date_invalid"}, {7, "備考", "personal_number_suspected"}}
	if !slices.Equal(got, want) {
		t.Errorf("problems\n got %v\nwant %v", got, want)
	}
	if len(l.Rows) != 6 {
		t.Errorf("%d rows, want 6 (blank and totals rows skipped)", len(l.Rows))
	}
}

func TestBadLedgerGoodRows(t *testing.T) {
	l := mustRead(t, badLedger(t))
	r := l.Rows[0]
	if r.ApplicationID != "12345678901234567890123" || r.NoticeNumber != "AB1-123456" || r.BirthDate != (jlis.Date{Year: 1970, Month: 3, Day: 1}) {
		t.Errorf("row 4 read as %+v", r)
	}
	if r.Name != "𠮷田\u3000\ue000子" || !r.HasGaiji {
		t.Errorf("name %q gaiji %v: characters lost", r.Name, r.HasGaiji)
	}
	if r.HandedDate != (jlis.Date{Year: 2026, Month: 11, Day: 4}) || r.Status != card.StatusIssued {
		t.Errorf("handed %v status %v", r.HandedDate, r.Status)
	}
	if bytes.Contains(r.Raw, []byte("123456789018")) {
		t.Errorf("raw row keeps the 個人番号 column: %s", r.Raw)
	}
	if l.Rows[5].Place != "金庫" || l.Rows[4].Place != "金庫" {
		t.Errorf("merged place not read for both rows: %q %q", l.Rows[4].Place, l.Rows[5].Place)
	}
	var kinds []string
	for _, w := range l.Warnings {
		kinds = append(kinds, w.Kind)
	}
	if !slices.Contains(kinds, "personal_number_dropped") || !slices.Contains(kinds, "skipped_row") {
		t.Errorf("warnings %v", kinds)
	}
}

func TestNotAWorkbook(t *testing.T) {
	_, err := Read([]byte("申請書ID,氏名\n"), Options{Today: today})
	var fe *jlis.FileError
	if !errorsAs(err, &fe) || fe.Code != "not_xlsx" {
		t.Fatalf("err %v", err)
	}
}

func TestUnknownStatusWordsNotGuessed(t *testing.T) {
	for _, w := range []string{"交付", "保管中", "廃", "返戻?", "済"} {
		if s, ok := StatusOf(w); ok {
			t.Errorf("%q guessed as %s", w, s)
		}
	}
	for w, want := range map[string]card.Status{"交付済": card.StatusIssued, "通知済": card.StatusNoticeSent, "返戻": card.StatusNoticeReturned,
		"廃棄": card.StatusDisposed, "交付 済み": card.StatusIssued, "ﾍﾝﾚｲ": ""} {
		if s, _ := StatusOf(w); s != want {
			t.Errorf("%q → %q, want %q", w, s, want)
		}
	}
}
