package legacy

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/jlis"
	"github.com/kofu-oss/kofu/internal/xlsx"
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

// Header is what the ledger's sheet and header say.
type Header struct {
	Sheet     string
	HeaderRow int // Excel row number of the header
	Columns   []Column
}

// Ledger is a whole read workbook: the rows of its ledger sheet, checked.
type Ledger struct {
	Header
	Rows     []Row
	Warnings []jlis.Warning
}

// Options configure a Reader.
type Options struct {
	Today  jlis.Date   // birth and hand-over dates after it are refused
	Limits xlsx.Limits // zero: xlsx.DefaultLimits()
}

// fileError is a problem with the workbook as a whole.
func fileError(row int, code, reason string) error {
	fe := &jlis.FileError{Line: row, Code: code, Reason: reason}
	return apperr.Wrap(apperr.Invalid, fe.Error(), fe)
}

// fromXLSX turns the workbook reader's refusal into a file error; its
// reason already names the row or the cell.
func fromXLSX(err error) error {
	var xe *xlsx.Error
	if errors.As(err, &xe) {
		return fileError(0, xe.Code, xe.Reason)
	}
	return err
}

// Reader reads the ledger sheet of a workbook row by row, in memory that
// does not grow with the sheet (but for the application IDs seen, to find
// duplicates).
type Reader struct {
	Header
	sheet  *xlsx.Sheet
	p      *parser
	ahead  []line // rows read while looking for the header, after it
	merges []xlsx.Range
	starts map[int][]xlsx.Range // merged areas running down one column, by first row
	down   map[int]downValue    // column → the merged area spreading down it now
	warns  jlis.WarningList
}

// NewReader opens the workbook and finds the ledger: the first sheet with
// a 申請書ID header within its first rows. A file that is no workbook,
// goes beyond a limit, or has no such sheet is an error wrapping a
// *jlis.FileError.
func NewReader(content []byte, opt Options) (*Reader, error) {
	book, err := xlsx.Open(content, opt.limits())
	if err != nil {
		return nil, fromXLSX(err)
	}
	for i := range book.SheetNames() {
		r, err := openLedger(book, i, opt)
		if err != nil || r != nil {
			return r, err
		}
	}
	return nil, fileError(0, "missing_column", "申請書IDの列が見つかりません（どのシートにも「申請書ID」という見出しの行がありません）")
}

// Load reads a sent workbook into memory, refusing one larger than the
// limits as soon as it has read past them.
func Load(r io.Reader, opt Options) ([]byte, error) {
	lim := opt.limits()
	content, err := io.ReadAll(io.LimitReader(r, lim.FileBytes+1))
	if err != nil {
		return nil, err
	}
	if err := lim.CheckSize(int64(len(content))); err != nil {
		return nil, fromXLSX(err)
	}
	return content, nil
}

func (o Options) limits() xlsx.Limits {
	if o.Limits == (xlsx.Limits{}) {
		return xlsx.DefaultLimits()
	}
	return o.Limits
}

// Read reads the whole ledger into memory: for tests and small files.
func Read(content []byte, opt Options) (*Ledger, error) {
	r, err := NewReader(content, opt)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	l := &Ledger{Header: r.Header}
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		l.Rows = append(l.Rows, row)
	}
	l.Warnings = r.Warnings()
	return l, nil
}

// openLedger reads the top of sheet i; nil when it has no header there.
func openLedger(book *xlsx.Book, i int, opt Options) (*Reader, error) {
	s, err := book.Sheet(i)
	if err != nil {
		return nil, fromXLSX(err)
	}
	r := &Reader{sheet: s, merges: s.Merges(), starts: map[int][]xlsx.Range{}, down: map[int]downValue{}}
	for _, m := range r.merges {
		if m.Col1 == m.Col2 && m.Col1 <= maxColumns && m.Row2 > m.Row1 {
			r.starts[m.Row1] = append(r.starts[m.Row1], m)
		}
	}
	r.Header.Sheet = s.Name()
	window, err := r.top()
	if err != nil || !r.findHeader(window) {
		s.Close()
		return nil, err
	}
	if err := r.mapHeader(window[r.HeaderRow-1].cells); err != nil {
		s.Close()
		return nil, err
	}
	r.ahead = append(window[r.HeaderRow:], r.ahead...)
	for i := range r.ahead { // the columns the header maps, as for the rows to come
		r.ahead[i].cells = r.ahead[i].cells[:min(len(r.ahead[i].cells), len(r.Columns))]
		r.ahead[i].text = r.ahead[i].text[:min(len(r.ahead[i].text), len(r.Columns))]
	}
	r.p = &parser{r: r, today: opt.Today, date1904: book.Date1904(), seen: map[string]int{}}
	return r, nil
}

// line is one sheet row with its cells spread into columns (from 0).
type line struct {
	num   int
	cells []string
	text  []bool // stored as text
}

func (l line) cell(j int) string {
	if j < len(l.cells) {
		return l.cells[j]
	}
	return ""
}

func (l *line) set(j int, v string, text bool) {
	for len(l.cells) <= j {
		l.cells = append(l.cells, "")
		l.text = append(l.text, false)
	}
	l.cells[j], l.text[j] = v, text
}

// top reads the first headerSearchRows rows (one line per row number,
// blank ones included) and spreads merged cells over them.
func (r *Reader) top() ([]line, error) {
	window := make([]line, headerSearchRows)
	for i := range window {
		window[i].num = i + 1
	}
	for {
		row, err := r.sheet.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fromXLSX(err)
		}
		if row.Num > headerSearchRows {
			r.ahead = []line{r.lineOf(row, -1)} // the first row below the window
			break
		}
		window[row.Num-1] = r.lineOf(row, -1)
	}
	r.spreadTop(window)
	return window, nil
}

// lineOf spreads a row's cells into columns, up to width columns (-1: all).
func (r *Reader) lineOf(row xlsx.Row, width int) line {
	l := line{num: row.Num}
	for _, c := range row.Cells {
		if width < 0 || c.Col <= width {
			l.set(c.Col-1, c.Value, c.Text)
		}
	}
	return l
}

// spreadTop copies the value of each merged area into its cells within the
// window. Excel keeps it in the top-left cell only; a header merged over
// two rows holds for every cell it covers. Areas spread across columns
// below the header (a "合計" banner) are left alone: they are not a value
// of each column.
func (r *Reader) spreadTop(window []line) {
	aboveData := headerSearchRows
	for _, l := range window {
		if isHeaderRow(l.cells) {
			aboveData = l.num + 1 // a header merged down covers the next row too
			break
		}
	}
	for _, m := range r.merges {
		if m.Row1 > headerSearchRows {
			continue
		}
		v := window[m.Row1-1].cell(m.Col1 - 1)
		text := m.Col1-1 < len(window[m.Row1-1].text) && window[m.Row1-1].text[m.Col1-1]
		for row := m.Row1; row <= min(m.Row2, headerSearchRows); row++ {
			if m.Col1 != m.Col2 && row > aboveData {
				continue
			}
			for col := m.Col1; col <= min(m.Col2, maxColumns); col++ {
				window[row-1].set(col-1, v, text)
			}
		}
	}
}

// maxColumns bounds the columns a merged area is spread over (the
// workbook reader refuses cells further right).
const maxColumns = 256

// downValue is the value of a merged area running down a column, from
// the row below its first to its last.
type downValue struct {
	value      string
	from, last int
}

// spread fills the cells of a data row that lie under a merged area
// running down one column (a storage place written once for the cards
// kept there). It costs one step per column being spread, however many
// merged areas the sheet has.
func (r *Reader) spread(l line) line {
	for _, m := range r.starts[l.num] {
		r.down[m.Col1] = downValue{value: l.cell(m.Col1 - 1), from: m.Row1, last: m.Row2}
	}
	for col, d := range r.down {
		switch {
		case l.num > d.last:
			delete(r.down, col)
		case l.num > d.from && col <= len(r.Columns):
			l.set(col-1, d.value, true)
		}
	}
	return l
}

// findHeader sets the header row: the lowest row of the first block that
// names 申請書ID, so a two-row header (a group title merged above its
// sub-columns) is read by its lower row.
func (r *Reader) findHeader(window []line) bool {
	for i, l := range window {
		if !isHeaderRow(l.cells) {
			continue
		}
		r.HeaderRow = l.num
		if i+1 < len(window) && isHeaderRow(window[i+1].cells) {
			r.HeaderRow++
		}
		return true
	}
	return false
}

// Next returns the next ledger row, io.EOF after the last one. Blank rows
// and rows without a name, birth date or ID (totals, notes) are skipped.
func (r *Reader) Next() (Row, error) {
	for {
		l, err := r.nextLine()
		if err != nil {
			return Row{}, err
		}
		if row, ok := r.p.row(l); ok {
			return row, nil
		}
	}
}

func (r *Reader) nextLine() (line, error) {
	if len(r.ahead) > 0 {
		l := r.ahead[0]
		r.ahead = r.ahead[1:]
		return r.spread(l), nil
	}
	row, err := r.sheet.Next()
	if err != nil {
		return line{}, fromXLSX(err)
	}
	return r.spread(r.lineOf(row, len(r.Columns))), nil
}

// Warnings returns the first jlis.MaxWarnings warnings so far: header
// warnings after NewReader, row warnings as rows are read.
func (r *Reader) Warnings() []jlis.Warning { return r.warns.Listed() }

// WarningCounts counts all the warnings so far by kind, listed or not.
func (r *Reader) WarningCounts() map[string]int { return r.warns.Counts() }

// Close releases the sheet.
func (r *Reader) Close() error { return r.sheet.Close() }

// mapHeader names every column; a 個人番号 column is dropped with a
// warning, a missing required column is an error.
func (r *Reader) mapHeader(cells []string) error {
	seen := map[field]int{}
	for j, h := range cells {
		letter := xlsx.ColumnName(j + 1)
		c := Column{Index: j, Letter: letter, Header: strings.TrimSpace(h)}
		switch n := jlis.NormalizeHeader(h); {
		case n == "":
		case jlis.IsPersonalNumberHeader(n):
			c.Dropped = true
			r.warn(r.HeaderRow, "personal_number_dropped", c.Header,
				fmt.Sprintf("列「%s」（%s列）は個人番号の列のため読み込まず、保存もしません", c.Header, letter))
		default:
			c.field = fieldOf(h)
			if c.field == fieldUnknown {
				r.warn(r.HeaderRow, "unknown_column", c.Header, fmt.Sprintf("列「%s」（%s列）は取り込みません", c.Header, letter))
			} else if first, dup := seen[c.field]; dup {
				return fileError(r.HeaderRow, "duplicate_column",
					fmt.Sprintf("「%s」の列が2つあります（%s列と%s列）", c.field.label(), r.Columns[first].Letter, letter))
			} else {
				seen[c.field] = j
			}
		}
		r.Columns = append(r.Columns, c)
	}
	for _, f := range []field{fieldApplicationID, fieldName, fieldBirthDate, fieldStatus} {
		if _, ok := seen[f]; !ok {
			return fileError(r.HeaderRow, "missing_column", fmt.Sprintf("「%s」の列がありません（見出しは%d行目）", f.label(), r.HeaderRow))
		}
	}
	return nil
}

func (r *Reader) warn(row int, kind, column, detail string) {
	r.warns.Add(jlis.Warning{Line: row, Kind: kind, Column: column, Detail: detail})
}

// column returns the column holding f, or nil.
func (h *Header) column(f field) *Column {
	for i := range h.Columns {
		if h.Columns[i].field == f && !h.Columns[i].Dropped {
			return &h.Columns[i]
		}
	}
	return nil
}

// cellName is the Excel name of a cell, e.g. O15.
func cellName(letter string, row int) string { return letter + strconv.Itoa(row) }
