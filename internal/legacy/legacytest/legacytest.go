// Package legacytest writes the card ledgers the tests read: a clean
// ledger laid out as another program exports it (Sample), one written the
// way a person keeps a ledger with the mistakes the import must name
// (BadLedger), and small ones from rows (Build). Everything is generated
// here, the same bytes every time: no test reads a file from outside the
// repository.
package legacytest

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/xlsx/xlsxtest"
)

// write renders a book, failing the test on error.
func write(tb testing.TB, b xlsxtest.Book) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// Serial is the Excel date serial of a day.
func Serial(y int, m time.Month, d int) string {
	days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
	return strconv.Itoa(int(days))
}

// BadLedger is a workbook written the way a person keeps a ledger: a
// merged title, a two-row header, full-width digits, odd hyphens, a blank
// row, a totals row, and the mistakes the import must name (rows 5, 6 and
// 7); rows 4, 9 and 10 are fine.
func BadLedger(tb testing.TB) []byte {
	tb.Helper()
	return write(tb, BadLedgerBook())
}

// BadLedgerBook is the book BadLedger writes.
func BadLedgerBook() xlsxtest.Book {
	s := xlsxtest.Sheet{Name: "管理簿", Merges: []string{"A1:J1", "E2:F2", "H9:H10"}}
	s.Rows = append(s.Rows, xlsxtest.Row{Num: 1, Cells: []xlsxtest.Cell{{Col: 1, Kind: xlsxtest.Shared, Value: "マイナンバーカード管理簿（令和8年度）"}}})
	header := xlsxtest.Row{Num: 2}
	for i, h := range []string{"申請書ID", "氏名", "生年月日", "交付通知書番号", "日付", "", "状態", "保管場所", "備考", "個人番号"} {
		if h != "" {
			header.Cells = append(header.Cells, xlsxtest.Cell{Col: i + 1, Kind: xlsxtest.Shared, Value: h})
		}
	}
	s.Rows = append(s.Rows, header, xlsxtest.Row{Num: 3, Cells: []xlsxtest.Cell{
		{Col: 5, Kind: xlsxtest.Shared, Value: "納品日"}, {Col: 6, Kind: xlsxtest.Shared, Value: "交付日"}}})
	for _, c := range []string{"A", "B", "C", "D", "G", "H", "I", "J"} {
		s.Merges = append(s.Merges, c+"2:"+c+"3")
	}
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
		s.Rows = append(s.Rows, row(i+4, r, func(col int) bool { return col == 3 || col == 5 || col == 6 }))
	}
	return xlsxtest.Book{Sheets: []xlsxtest.Sheet{s}}
}

// row turns values into cells the way Excel stores what is typed: strings
// as shared strings, numbers as numbers (dates where isDate says so).
func row(num int, values []any, isDate func(col int) bool) xlsxtest.Row {
	r := xlsxtest.Row{Num: num}
	for j, v := range values {
		c := xlsxtest.Cell{Col: j + 1}
		switch v := v.(type) {
		case nil:
			continue
		case string:
			if v == "" {
				continue
			}
			c.Kind, c.Value = xlsxtest.Shared, v
		case float64:
			c.Kind, c.Value = xlsxtest.Number, strconv.FormatFloat(v, 'f', -1, 64)
			if isDate(j + 1) {
				c.Kind = xlsxtest.Date
			}
		case int:
			c.Kind, c.Value = xlsxtest.Number, strconv.Itoa(v)
		default:
			panic(fmt.Sprintf("legacytest: value %T", v))
		}
		r.Cells = append(r.Cells, c)
	}
	return r
}

// Build writes a one-sheet workbook: the header on row 1, then the rows.
// float64 values in columns whose header ends in 日 are Excel dates.
func Build(tb testing.TB, header []string, rows ...[]any) []byte {
	tb.Helper()
	s := xlsxtest.Sheet{Name: "Sheet1"}
	hv := make([]any, len(header))
	for i, h := range header {
		hv[i] = h
	}
	s.Rows = append(s.Rows, row(1, hv, func(int) bool { return false }))
	for i, r := range rows {
		s.Rows = append(s.Rows, row(i+2, r, func(col int) bool { return strings.HasSuffix(header[col-1], "日") }))
	}
	return write(tb, xlsxtest.Book{Sheets: []xlsxtest.Sheet{s}})
}

// The sample ledger's facts that tests check.
const (
	SampleRows         = 120 // data rows, on Excel rows 2 to 121
	SampleFirstID      = "74218096792908100339075"
	SampleReturnedID   = "11465697778188049170317" // a 返戻 row
	SampleDisposedID   = "33639532275014217743668" // a 廃棄 row
	SampleRareKanjiID  = "66928868323151080402717" // 髙　花子
	SampleOnHoldRow    = 15                        // 廃棄 with the remark 長期入院のため廃棄保留: refused
	SampleMergedPlace  = 30                        // 保管場所 merged over rows 30 and 31
	SampleIssued       = 52
	SampleNoticeSent   = 34
	SampleReturned     = 17
	SampleDisposed     = 17
	SampleOnHoldRemark = "長期入院のため廃棄保留"
)

// Sample is a clean card ledger as another program exports it: one sheet,
// the header on row 1, inline strings, dates as Excel dates with a
// yyyy-mm-dd style, names as shared strings carrying their furigana. It
// holds the traps a reader must get right and that must import without a
// problem: status words spelled several ways (交付済み, 通知書発送済,
// 廃棄済...), 和暦 and full-width text dates, an ISO date cell, a
// YYYYMMDD date typed as a number, full-width digits in an ID, an odd
// hyphen in a notice number, a 宛名番号 and a remark that look like a
// 個人番号 but are not one, a storage place merged over two rows, the rare
// kanji 髙, 﨑 and 德; and one row that must be refused: row 15, 廃棄 with
// the remark 長期入院のため廃棄保留.
func Sample(tb testing.TB) []byte {
	tb.Helper()
	return write(tb, SampleBook())
}

var sampleHeader = []string{"No", "納品日", "箱番号", "申請書ID", "宛名番号", "氏名", "氏名カナ", "生年月日", "性別", "住所",
	"交付通知書番号", "通知書発送日", "交付日", "保管場所", "状態", "備考"}

// Columns of the sample, from 1.
const (
	colNo = iota + 1
	colDelivery
	colBox
	colID
	colResident
	colName
	colKana
	colBirth
	colSex
	colAddress
	colNotice
	colNoticeDate
	colHanded
	colPlace
	colStatus
	colRemarks
)

type person struct{ family, given, kanaF, kanaG, sex string }

var families = []person{{"三輪", "", "ミワ", "", ""}, {"西村", "", "ニシムラ", "", ""}, {"山田", "", "ヤマダ", "", ""}, {"井上", "", "イノウエ", "", ""},
	{"前田", "", "マエダ", "", ""}, {"山﨑", "", "ヤマサキ", "", ""}, {"德永", "", "トクナガ", "", ""}, {"中川", "", "ナカガワ", "", ""},
	{"小林", "", "コバヤシ", "", ""}, {"藤原", "", "フジワラ", "", ""}}

var givens = []person{{"", "隆", "", "タカシ", "男"}, {"", "直美", "", "ナオミ", "女"}, {"", "誠", "", "マコト", "男"}, {"", "幸子", "", "サチコ", "女"},
	{"", "翔太", "", "ショウタ", "男"}, {"", "恵子", "", "ケイコ", "女"}, {"", "健一", "", "ケンイチ", "男"}, {"", "美咲", "", "ミサキ", "女"}}

var towns = []string{"東本庄", "西山", "ゆりのき台", "学園", "横山町", "南が丘", "富士が丘", "すずかけ台"}

// statusWords spells each status the ways ledgers write it (all in the
// import's table).
var statusWords = map[string][]string{
	"交付済": {"交付済", "交付済", "交付済み", "交付 済"},
	"通知済": {"通知済", "通知済み", "通知書発送済"},
	"返戻":  {"返戻", "通知書返戻"},
	"廃棄":  {"廃棄", "廃棄済"},
}

// SampleBook is the sample ledger as a book, for tests that add to it.
func SampleBook() xlsxtest.Book {
	rnd := rand.New(rand.NewPCG(2026, 1101))
	statuses := make([]string, 0, SampleRows)
	for _, s := range []struct {
		word string
		n    int
	}{{"交付済", SampleIssued}, {"通知済", SampleNoticeSent}, {"返戻", SampleReturned}, {"廃棄", SampleDisposed}} {
		for range s.n {
			statuses = append(statuses, s.word)
		}
	}
	rnd.Shuffle(len(statuses), func(i, j int) { statuses[i], statuses[j] = statuses[j], statuses[i] })
	fix := func(line int, word string) { // put word on the row, keeping the counts
		i := line - 2
		for j := range statuses {
			if j != i && statuses[j] == word && !pinned(j+2) {
				statuses[i], statuses[j] = statuses[j], statuses[i]
				return
			}
		}
	}
	for _, line := range slices.Sorted(maps.Keys(pinnedStatus)) { // map order would change the book from run to run
		if word := pinnedStatus[line]; statuses[line-2] != word {
			fix(line, word)
		}
	}
	s := xlsxtest.Sheet{Name: "カード管理簿", Merges: []string{fmt.Sprintf("N%d:N%d", SampleMergedPlace, SampleMergedPlace+1)}}
	header := xlsxtest.Row{Num: 1}
	for i, h := range sampleHeader {
		header.Cells = append(header.Cells, xlsxtest.Cell{Col: i + 1, Kind: xlsxtest.Inline, Value: h})
	}
	s.Rows = append(s.Rows, header)
	seen := map[string]bool{}
	for i := range SampleRows {
		s.Rows = append(s.Rows, sampleRow(rnd, i+2, statuses[i], seen))
	}
	return xlsxtest.Book{Sheets: []xlsxtest.Sheet{s}}
}

// pinnedStatus are the rows whose status the tests rely on.
var pinnedStatus = map[int]string{2: "交付済", SampleOnHoldRow: "廃棄", 20: "返戻", 40: "廃棄", 113: "廃棄"}

func pinned(line int) bool { _, ok := pinnedStatus[line]; return ok }

func sampleRow(rnd *rand.Rand, line int, status string, seen map[string]bool) xlsxtest.Row {
	i := line - 2
	f, g := families[rnd.IntN(len(families))], givens[rnd.IntN(len(givens))]
	delivery := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rnd.IntN(45))
	birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rnd.IntN(80*365))
	v := map[int]xlsxtest.Cell{
		colNo:         {Kind: xlsxtest.Number, Value: strconv.Itoa(i + 1)},
		colID:         {Kind: xlsxtest.Inline, Value: uniqueDigits(rnd, 23, seen)},
		colResident:   {Kind: xlsxtest.Inline, Value: uniqueDigits(rnd, 10, seen)},
		colName:       {Kind: xlsxtest.Shared, Value: f.family + "\u3000" + g.given, Phonetic: f.kanaF + "\u3000" + g.kanaG},
		colKana:       {Kind: xlsxtest.Inline, Value: f.kanaF + "\u3000" + g.kanaG},
		colBirth:      dateCell(birth),
		colSex:        {Kind: xlsxtest.Inline, Value: g.sex},
		colAddress:    {Kind: xlsxtest.Inline, Value: fmt.Sprintf("兵庫県三田市%s%d丁目%d番%d号", towns[rnd.IntN(len(towns))], 1+rnd.IntN(5), 1+rnd.IntN(40), 1+rnd.IntN(30))},
		colDelivery:   dateCell(delivery),
		colBox:        {Kind: xlsxtest.Inline, Value: fmt.Sprintf("%s-%02d", delivery.Format("060102"), 1+rnd.IntN(5))},
		colNotice:     {Kind: xlsxtest.Inline, Value: noticeNumber(rnd, seen)},
		colNoticeDate: dateCell(delivery.AddDate(0, 0, 5)),
		colPlace:      {Kind: xlsxtest.Inline, Value: fmt.Sprintf("キャビネット%d-%d段", 1+rnd.IntN(4), 1+rnd.IntN(20))},
		colStatus:     {Kind: xlsxtest.Inline, Value: statusWords[status][i%len(statusWords[status])]},
	}
	if status == "交付済" {
		v[colHanded] = dateCell(delivery.AddDate(0, 0, 20))
	}
	trap(line, v)
	r := xlsxtest.Row{Num: line}
	for col := 1; col <= len(sampleHeader); col++ {
		if c, ok := v[col]; ok {
			c.Col = col
			r.Cells = append(r.Cells, c)
		} else if col == colRemarks || col == colNotice {
			r.Cells = append(r.Cells, xlsxtest.Cell{Col: col, Kind: xlsxtest.Inline}) // an empty text cell, as the exporter writes it
		}
	}
	return r
}

func dateCell(t time.Time) xlsxtest.Cell {
	return xlsxtest.Cell{Kind: xlsxtest.Date, Value: Serial(t.Year(), t.Month(), t.Day())}
}

// trap sets the pinned rows and the traps of the sample.
func trap(line int, v map[int]xlsxtest.Cell) {
	inline := func(s string) xlsxtest.Cell { return xlsxtest.Cell{Kind: xlsxtest.Inline, Value: s} }
	switch line {
	case 2: // the row the tests read field by field
		v[colDelivery], v[colBox], v[colID], v[colResident] = dateCell(time.Date(2026, 10, 19, 0, 0, 0, 0, time.UTC)), inline("261019-04"), inline(SampleFirstID), inline("1799609893")
		v[colName] = xlsxtest.Cell{Kind: xlsxtest.Shared, Value: "三輪\u3000隆", Phonetic: "ミワ\u3000タカシ"}
		v[colBirth], v[colNotice] = dateCell(time.Date(2013, 1, 26, 0, 0, 0, 0, time.UTC)), inline("QU9-004816")
		v[colNoticeDate], v[colHanded] = dateCell(time.Date(2026, 10, 24, 0, 0, 0, 0, time.UTC)), dateCell(time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC))
		v[colPlace], v[colStatus] = inline("キャビネット1-1段"), inline("交付済")
	case 3:
		v[colBirth] = inline("昭和45年3月1日")
	case 4:
		v[colBirth] = inline("Ｈ２．４．１")
	case 5:
		v[colNoticeDate] = inline("２０２６/１０/２５")
	case 6:
		v[colDelivery] = xlsxtest.Cell{Kind: xlsxtest.ISODate, Value: "2026-10-19T00:00:00Z"}
	case 7:
		v[colBirth] = xlsxtest.Cell{Kind: xlsxtest.Number, Value: "19800401"} // YYYYMMDD typed as a number
	case 8:
		v[colResident] = inline("123456789018") // a 宛名番号 with a 個人番号's check digit: kept
	case 9:
		v[colRemarks] = inline("予備の番号 123456789010 あり") // twelve digits, not a 個人番号 (check digit)
	case 10:
		v[colID] = inline(toFullWidth(v[colID].Value))
	case 11:
		v[colNotice] = inline(strings.ToLower(v[colNotice].Value[:3]) + "ー" + v[colNotice].Value[4:])
	case SampleOnHoldRow:
		v[colRemarks] = inline(SampleOnHoldRemark)
		delete(v, colNotice)
	case 20:
		v[colID] = inline(SampleReturnedID)
	case 40:
		v[colID] = inline(SampleDisposedID)
	case 76:
		v[colName] = xlsxtest.Cell{Kind: xlsxtest.Shared, Value: "德永\u3000恵子", Phonetic: "トクナガ\u3000ケイコ"}
	case 107:
		v[colName] = xlsxtest.Cell{Kind: xlsxtest.Shared, Value: "山﨑\u3000翔太", Phonetic: "ヤマサキ\u3000ショウタ"}
	case 113:
		v[colID] = inline(SampleRareKanjiID)
		v[colName] = xlsxtest.Cell{Kind: xlsxtest.Shared, Value: "髙\u3000花子", Phonetic: "タカ\u3000ハナコ"}
	case SampleMergedPlace + 1:
		delete(v, colPlace) // under the merged area
	}
	v[colKana] = inline(v[colName].Phonetic)
}

func toFullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r - '0' + '０'
		}
		return r
	}, s)
}

func uniqueDigits(rnd *rand.Rand, n int, seen map[string]bool) string {
	for {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rnd.IntN(10))
		}
		if b[0] != '0' && !seen[string(b)] {
			seen[string(b)] = true
			return string(b)
		}
	}
}

func noticeNumber(rnd *rand.Rand, seen map[string]bool) string {
	const alnum = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
	for {
		s := fmt.Sprintf("%c%c%c-%06d", alnum[rnd.IntN(24)], alnum[rnd.IntN(len(alnum))], alnum[rnd.IntN(len(alnum))], rnd.IntN(1000000))
		if !seen[s] {
			seen[s] = true
			return s
		}
	}
}
