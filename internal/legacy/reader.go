package legacy

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/jlis"
)

// headerSearchRows is how far down the header is looked for: title rows,
// the city's name and a print date sit above it in real ledgers.
const headerSearchRows = 30

// Column describes one column of the ledger's header.
type Column struct {
	Index   int    // from 0
	Letter  string // Excel column letter: A, B, ... AA
	Header  string // as in the file
	field   field
	Dropped bool // a 個人番号 column: never read, never kept
}

// Ledger is a read workbook: the rows of its ledger sheet, checked.
type Ledger struct {
	Sheet     string
	HeaderRow int // Excel row number of the header
	Columns   []Column
	Rows      []Row
	Warnings  []jlis.Warning
}

// Options configure Read.
type Options struct {
	Today jlis.Date // birth and hand-over dates after it are refused
}

// fileError is a problem with the workbook as a whole.
func fileError(row int, code, reason string) error {
	fe := &jlis.FileError{Line: row, Code: code, Reason: reason}
	return apperr.Wrap(apperr.Invalid, fe.Error(), fe)
}

// Read parses an .xlsx workbook. A file that is no workbook, or has no
// sheet with a 申請書ID column, is an error wrapping a *jlis.FileError.
func Read(content []byte, opt Options) (*Ledger, error) {
	f, err := excelize.OpenReader(bytes.NewReader(content))
	if err != nil {
		return nil, fileError(0, "not_xlsx", "Excel ブック（.xlsx）として読めません。Excel で「Excel ブック (*.xlsx)」として保存し直してください")
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		s, err := openSheet(f, sheet)
		if err != nil {
			return nil, err
		}
		if s.header < 0 {
			continue
		}
		return s.read(opt)
	}
	return nil, fileError(0, "missing_column", "申請書IDの列が見つかりません（どのシートにも「申請書ID」という見出しの行がありません）")
}

// sheet is one worksheet's cells with merged cells spread out.
type sheet struct {
	f        *excelize.File
	name     string
	cells    [][]string // raw values: numbers unformatted, dates as serials
	header   int        // index into cells, -1 when none
	date1904 bool
}

func openSheet(f *excelize.File, name string) (*sheet, error) {
	cells, err := f.GetRows(name, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fileError(0, "not_xlsx", fmt.Sprintf("シート「%s」を読めません", name))
	}
	s := &sheet{f: f, name: name, cells: cells, header: -1}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		s.date1904 = *props.Date1904
	}
	if err := s.spreadMerged(); err != nil {
		return nil, err
	}
	s.header = s.findHeader()
	return s, nil
}

// cell returns the value at row i, column j (both from 0), "" outside.
func (s *sheet) cell(i, j int) string {
	if i < 0 || i >= len(s.cells) || j < 0 || j >= len(s.cells[i]) {
		return ""
	}
	return s.cells[i][j]
}

func (s *sheet) set(i, j int, v string) {
	for len(s.cells) <= i {
		s.cells = append(s.cells, nil)
	}
	for len(s.cells[i]) <= j {
		s.cells[i] = append(s.cells[i], "")
	}
	s.cells[i][j] = v
}

// spreadMerged copies the value of a merged area into its cells. Excel
// keeps it in the top-left cell only; a header merged over two rows, or a
// storage place merged down over the cards kept there, holds for every
// cell it covers. Areas spread across columns below the header (a
// "合計" banner) are left alone: they are not a value of each column.
func (s *sheet) spreadMerged() error {
	merged, err := s.f.GetMergeCells(s.name)
	if err != nil {
		return fileError(0, "not_xlsx", fmt.Sprintf("シート「%s」の結合セルを読めません", s.name))
	}
	for _, m := range merged {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil {
			continue
		}
		v := s.cell(r1-1, c1-1)
		for i := r1 - 1; i < r2; i++ {
			for j := c1 - 1; j < c2; j++ {
				if c1 == c2 || s.isAboveData(i) {
					s.set(i, j, v)
				}
			}
		}
	}
	return nil
}

// isAboveData tells whether row i is within the header search area and no
// later than the header (spreading runs before the header is known, so
// rows up to the first header-looking one count).
func (s *sheet) isAboveData(i int) bool {
	for k := 0; k < len(s.cells) && k < headerSearchRows; k++ {
		if isHeaderRow(s.cells[k]) {
			return i <= k+1 // a header merged down covers the next row too
		}
	}
	return i < headerSearchRows
}

// findHeader returns the index of the header row: the lowest row of the
// first block that names 申請書ID, so a two-row header (a group title
// merged above its sub-columns) is read by its lower row.
func (s *sheet) findHeader() int {
	for i := 0; i < len(s.cells) && i < headerSearchRows; i++ {
		if !isHeaderRow(s.cells[i]) {
			continue
		}
		if i+1 < len(s.cells) && isHeaderRow(s.cells[i+1]) {
			return i + 1
		}
		return i
	}
	return -1
}

func (s *sheet) read(opt Options) (*Ledger, error) {
	l := &Ledger{Sheet: s.name, HeaderRow: s.header + 1}
	if err := l.mapHeader(s.cells[s.header]); err != nil {
		return nil, err
	}
	p := &parser{s: s, l: l, today: opt.Today, seen: map[string]int{}}
	for i := s.header + 1; i < len(s.cells); i++ {
		p.row(i)
	}
	return l, nil
}

// mapHeader names every column; a 個人番号 column is dropped with a
// warning, a missing required column is an error.
func (l *Ledger) mapHeader(cells []string) error {
	seen := map[field]int{}
	for j, h := range cells {
		letter, _ := excelize.ColumnNumberToName(j + 1)
		c := Column{Index: j, Letter: letter, Header: strings.TrimSpace(h)}
		switch n := jlis.NormalizeHeader(h); {
		case n == "":
		case jlis.IsPersonalNumberHeader(n):
			c.Dropped = true
			l.warn(l.HeaderRow, "personal_number_dropped", c.Header,
				fmt.Sprintf("列「%s」（%s列）は個人番号の列のため読み込まず、保存もしません", c.Header, letter))
		default:
			c.field = fieldOf(h)
			if c.field == fieldUnknown {
				l.warn(l.HeaderRow, "unknown_column", c.Header, fmt.Sprintf("列「%s」（%s列）は取り込みません", c.Header, letter))
			} else if first, dup := seen[c.field]; dup {
				return fileError(l.HeaderRow, "duplicate_column",
					fmt.Sprintf("「%s」の列が2つあります（%s列と%s列）", c.field.label(), l.Columns[first].Letter, letter))
			} else {
				seen[c.field] = j
			}
		}
		l.Columns = append(l.Columns, c)
	}
	for _, f := range []field{fieldApplicationID, fieldName, fieldBirthDate, fieldStatus} {
		if _, ok := seen[f]; !ok {
			return fileError(l.HeaderRow, "missing_column", fmt.Sprintf("「%s」の列がありません（見出しは%d行目）", f.label(), l.HeaderRow))
		}
	}
	return nil
}

func (l *Ledger) warn(row int, kind, column, detail string) {
	l.Warnings = append(l.Warnings, jlis.Warning{Line: row, Kind: kind, Column: column, Detail: detail})
}

// column returns the column holding f, or nil.
func (l *Ledger) column(f field) *Column {
	for i := range l.Columns {
		if l.Columns[i].field == f && !l.Columns[i].Dropped {
			return &l.Columns[i]
		}
	}
	return nil
}

// cellName is the Excel name of a cell, e.g. O15.
func cellName(letter string, row int) string { return letter + strconv.Itoa(row) }
