package xlsx_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/hostile"
	"github.com/kofu-oss/kofu/internal/legacy/legacytest"
	"github.com/kofu-oss/kofu/internal/xlsx"
	"github.com/kofu-oss/kofu/internal/xlsx/xlsxtest"
)

func book(tb testing.TB, b xlsxtest.Book) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// readAll reads every row of every sheet.
func readAll(content []byte, lim xlsx.Limits) ([][]xlsx.Row, error) {
	b, err := xlsx.Open(content, lim)
	if err != nil {
		return nil, err
	}
	var out [][]xlsx.Row
	for i := range b.SheetNames() {
		s, err := b.Sheet(i)
		if err != nil {
			return nil, err
		}
		var rows []xlsx.Row
		for {
			r, err := s.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				s.Close()
				return nil, err
			}
			rows = append(rows, r)
		}
		s.Close()
		out = append(out, rows)
	}
	return out, nil
}

func TestCellsAsStored(t *testing.T) {
	content := book(t, xlsxtest.Book{Sheets: []xlsxtest.Sheet{{Name: "台帳", Merges: []string{"A1:C1", "$B$2:B3"}, Rows: []xlsxtest.Row{
		{Num: 1, Cells: []xlsxtest.Cell{{Col: 1, Kind: xlsxtest.Shared, Value: "髙\u3000花子", Phonetic: "タカ\u3000ハナコ"}}},
		{Num: 2, Cells: []xlsxtest.Cell{{Col: 1, Kind: xlsxtest.Date, Value: "46314"}, {Col: 2, Kind: xlsxtest.Inline, Value: "46314"},
			{Col: 3, Kind: xlsxtest.ISODate, Value: "2026-10-19T00:00:00Z"}, {Col: 4, Kind: xlsxtest.Bool, Value: "1"},
			{Col: 28, Kind: xlsxtest.Inline, Value: "行_x000D_末 & <印>"}}},
		{Num: 7, Cells: []xlsxtest.Cell{{Col: 2, Kind: xlsxtest.Number, Value: "20261108"}}},
	}}}})
	b, err := xlsx.Open(content, xlsx.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Sheet(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Name() != "台帳" || fmt.Sprint(s.Merges()) != "[{1 1 3 1} {2 2 2 3}]" {
		t.Errorf("sheet %q merges %v", s.Name(), s.Merges())
	}
	var got []string
	for {
		r, err := s.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range r.Cells {
			got = append(got, fmt.Sprintf("%s%d=%s/%v", xlsx.ColumnName(c.Col), r.Num, c.Value, c.Text))
		}
	}
	want := "A1=髙\u3000花子/true A2=46314/false B2=46314/true C2=2026-10-19T00:00:00Z/false D2=1/false AB2=行\r末 & <印>/true B7=20261108/false"
	if strings.Join(got, " ") != want {
		t.Errorf("cells\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

// small limits keep the refusals quick to build.
func small() xlsx.Limits {
	l := xlsx.DefaultLimits()
	l.UnzippedBytes, l.SharedStrings, l.Rows, l.Sheets, l.Merges, l.Entries = 8<<20, 1<<20, 200, 3, 5, 20
	return l
}

func sheetWith(rows ...xlsxtest.Row) xlsxtest.Book {
	return xlsxtest.Book{Sheets: []xlsxtest.Sheet{{Name: "S", Rows: rows}}}
}

func TestLimitsRefuseAtOnce(t *testing.T) {
	long := strings.Repeat("あ", 32_768)
	wide, bomb := &bytes.Buffer{}, &bytes.Buffer{}
	if err := hostile.WideRows(wide, 5000); err != nil {
		t.Fatal(err)
	}
	if err := hostile.Bomb(bomb, 64<<20); err != nil {
		t.Fatal(err)
	}
	manyParts := map[string]string{}
	for i := range 30 {
		manyParts[fmt.Sprintf("docProps/p%d.xml", i)] = "<a/>"
	}
	manyMerges := sheetWith(xlsxtest.Row{Num: 1, Cells: []xlsxtest.Cell{{Col: 1, Kind: xlsxtest.Inline, Value: "x"}}})
	for i := range 6 {
		manyMerges.Sheets[0].Merges = append(manyMerges.Sheets[0].Merges, fmt.Sprintf("A%d:B%d", i+2, i+2))
	}
	cases := []struct {
		name, code, cell string
		content          []byte
	}{
		{"a cell in the last column", "xlsx_too_many_columns", "XFD122", wide.Bytes()},
		{"a sheet that unzips to 64 MB", "xlsx_unzipped_too_large", "", bomb.Bytes()},
		{"a row past the last allowed", "xlsx_too_many_rows", "", book(t, sheetWith(xlsxtest.Row{Num: 201, Cells: []xlsxtest.Cell{{Col: 1, Kind: xlsxtest.Number, Value: "1"}}}))},
		{"a long inline cell", "xlsx_cell_too_long", "B2", book(t, sheetWith(xlsxtest.Row{Num: 2, Cells: []xlsxtest.Cell{{Col: 2, Kind: xlsxtest.Inline, Value: long}}}))},
		{"a long shared string", "xlsx_cell_too_long", "", book(t, sheetWith(xlsxtest.Row{Num: 2, Cells: []xlsxtest.Cell{{Col: 2, Kind: xlsxtest.Shared, Value: long}}}))},
		{"too many sheets", "xlsx_too_many_sheets", "", book(t, xlsxtest.Book{Sheets: []xlsxtest.Sheet{{Name: "1"}, {Name: "2"}, {Name: "3"}, {Name: "4"}}})},
		{"too many zip entries", "xlsx_too_many_entries", "", book(t, xlsxtest.Book{Sheets: []xlsxtest.Sheet{{Name: "1"}}, Extra: manyParts})},
		{"too many merged areas", "xlsx_too_many_merges", "", book(t, manyMerges)},
		{"not a zip", "not_xlsx", "", []byte("申請書ID,氏名\n")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := readAll(c.content, small())
			var xe *xlsx.Error
			if !errors.As(err, &xe) || xe.Code != c.code || xe.Cell != c.cell || xe.Reason == "" {
				t.Fatalf("err %#v, want code %s cell %q", err, c.code, c.cell)
			}
			if c.cell != "" && !strings.HasPrefix(xe.Reason, c.cell+": ") {
				t.Errorf("reason %q does not name the cell", xe.Reason)
			}
		})
	}
}

// Sheets a spreadsheet program would not write are refused as broken,
// not read at any cost: comments or DTDs (which may hold '<'), nesting
// without end, a token longer than any cell.
func TestBrokenSheetsRefused(t *testing.T) {
	for name, data := range map[string]string{
		"comment":     `<row r="1"><!-- <<<< --></row>`,
		"dtd":         `<!DOCTYPE x [<!ENTITY a "aaaa">]>`,
		"pi":          `<?x <<<<?>`,
		"deep":        strings.Repeat("<a>", 100),
		"long token":  `<row r="1"><c r="A1" t="inlineStr"><is><t>` + strings.Repeat("x", 2<<20) + `</t></is></c></row>`,
		"rows back":   `<row r="5"/><row r="3"/>`,
		"bad cell":    `<row r="1"><c r="1A"><v>1</v></c></row>`,
		"bad shared":  `<row r="1"><c r="A1" t="s"><v>7</v></c></row>`,
		"duplicates":  `<row r="1">` + strings.Repeat(`<c r="A1"><v>1</v></c>`, 300) + `</row>`,
		"cut in half": `<row r="1"><c r="A1"><v>1</v>`,
	} {
		t.Run(name, func(t *testing.T) {
			b := sheetWith()
			b.Sheets[0].SheetData = func(w io.Writer) error { _, err := io.WriteString(w, data); return err }
			_, err := readAll(book(t, b), small())
			var xe *xlsx.Error
			if !errors.As(err, &xe) || (xe.Code != "xlsx_broken" && xe.Code != "xlsx_cell_too_long") {
				t.Fatalf("err %#v", err)
			}
		})
	}
}

func TestDateOf(t *testing.T) {
	for _, c := range []struct {
		serial float64
		d1904  bool
		want   string
	}{{46314, false, "2026-10-19"}, {46314.75, false, "2026-10-19"}, {1, false, "1900-01-01"}, {59, false, "1900-02-28"},
		{61, false, "1900-03-01"}, {0, true, "1904-01-01"}, {44852, true, "2026-10-19"}} {
		if got := xlsx.DateOf(c.serial, c.d1904).Format("2006-01-02"); got != c.want {
			t.Errorf("DateOf(%v, %v) = %s, want %s", c.serial, c.d1904, got, c.want)
		}
	}
}

// FuzzOpen reads whatever it is given as a workbook: it never panics,
// never goes beyond its limits, and refuses with a coded *Error.
func FuzzOpen(f *testing.F) {
	var wide, bomb bytes.Buffer
	hostile.WideRows(&wide, 300)
	hostile.Bomb(&bomb, 12<<20)
	f.Add(legacytest.Sample(f))
	f.Add(legacytest.BadLedger(f))
	f.Add(wide.Bytes())
	f.Add(bomb.Bytes())
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	lim := small()
	f.Fuzz(func(t *testing.T, content []byte) {
		sheets, err := readAll(content, lim)
		var xe *xlsx.Error
		if err != nil && (!errors.As(err, &xe) || xe.Code == "" || xe.Reason == "") {
			t.Fatalf("uncoded error %v", err)
		}
		for _, rows := range sheets {
			last := 0
			for _, r := range rows {
				if r.Num <= last || r.Num > lim.Rows || len(r.Cells) > lim.Columns {
					t.Fatalf("row %d after %d with %d cells", r.Num, last, len(r.Cells))
				}
				last = r.Num
				for _, c := range r.Cells {
					if c.Col < 1 || c.Col > lim.Columns || len([]rune(c.Value)) > lim.CellChars {
						t.Fatalf("cell %d of %d runes", c.Col, len([]rune(c.Value)))
					}
				}
			}
		}
	})
}
