// Package legacytest gives tests the sample ledger and a generated one
// with bad rows.
package legacytest

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Sample returns shared/samples/ledger.xlsx, located next to the checkout
// like the J-LIS samples. A missing file fails, never skips.
func Sample(tb testing.TB) []byte {
	tb.Helper()
	for _, dir := range []string{"../../../shared/samples", "../../shared/samples", "../../../../shared/samples"} {
		if b, err := os.ReadFile(filepath.Join(dir, "ledger.xlsx")); err == nil {
			return b
		}
	}
	tb.Fatal("shared/samples/ledger.xlsx not found next to the repository")
	return nil
}

// BadLedger is a workbook written the way a person keeps a ledger: a
// merged title, a two-row header, full-width digits, odd hyphens, a blank
// row, a totals row, and the mistakes the import must name.
func BadLedger(tb testing.TB) []byte {
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
			cell := col + strconv.Itoa(i+4)
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

// Build writes a one-sheet workbook: the header on row 1, then the rows.
// float64 values in columns whose header ends in 日 are Excel dates.
func Build(tb testing.TB, header []string, rows ...[]any) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	put := func(col, row int, v any) {
		cell, _ := excelize.CoordinatesToCellName(col, row)
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			tb.Fatal(err)
		}
		if _, ok := v.(float64); ok && strings.HasSuffix(header[col-1], "日") {
			f.SetCellStyle("Sheet1", cell, cell, dateStyle)
		}
	}
	for j, h := range header {
		put(j+1, 1, h)
	}
	for i, r := range rows {
		for j, v := range r {
			if v != nil {
				put(j+1, i+2, v)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
