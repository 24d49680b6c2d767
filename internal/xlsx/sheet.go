package xlsx

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Cell is one cell of a row.
type Cell struct {
	Col   int    // from 1
	Value string // as stored: numbers unformatted, dates as serial numbers
	Text  bool   // stored as text (a shared or inline string, a formula's text)
}

// Row is a row of a sheet with its non-empty cells in file order.
type Row struct {
	Num   int // Excel row number, from 1
	Cells []Cell
}

// Range is a merged area, corners included, counted from 1.
type Range struct{ Col1, Row1, Col2, Row2 int }

// maxExcelColumn and maxExcelRow are the sheet size of the file format.
const (
	maxExcelColumn = 16384
	maxExcelRow    = 1048576
)

// Sheet reads one worksheet row by row. Close it when done.
type Sheet struct {
	b      *Book
	name   string
	part   string
	rc     io.ReadCloser
	d      *xml.Decoder
	depth  int
	last   int // number of the last row read
	merges []Range
	done   bool
}

// Sheet opens the i-th worksheet (from 0): its merged areas are read
// first (Excel writes them after the cells), then its rows stream.
func (b *Book) Sheet(i int) (*Sheet, error) {
	ref := b.sheets[i]
	s := &Sheet{b: b, name: ref.name, part: ref.part}
	var err error
	if s.merges, err = b.scanMerges(ref.part); err != nil {
		return nil, err
	}
	if s.rc, err = b.open(ref.part, 0, ""); err != nil {
		return nil, err
	}
	s.d = decoder(s.rc)
	return s, nil
}

// Name is the sheet's name as shown on its tab.
func (s *Sheet) Name() string { return s.name }

// Merges lists the sheet's merged areas.
func (s *Sheet) Merges() []Range { return s.merges }

// Close releases the sheet's stream.
func (s *Sheet) Close() error {
	if s.rc == nil {
		return nil
	}
	err := s.rc.Close()
	s.rc = nil
	return err
}

// token returns the next XML token, keeping count of the nesting.
func (s *Sheet) token() (xml.Token, error) {
	tok, err := s.d.RawToken()
	if err == io.EOF {
		return nil, broken(s.part, io.ErrUnexpectedEOF)
	}
	if err != nil {
		return nil, broken(s.part, err)
	}
	switch tok.(type) {
	case xml.StartElement:
		if s.depth++; s.depth > maxDepth {
			return nil, broken(s.part, errDepth)
		}
	case xml.EndElement:
		s.depth--
	}
	return tok, nil
}

// Next returns the next row, io.EOF after the last one.
func (s *Sheet) Next() (Row, error) {
	for !s.done {
		tok, err := s.token()
		if err != nil {
			return Row{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "row" {
				return s.row(t)
			}
		case xml.EndElement:
			if t.Name.Local == "sheetData" {
				s.done = true
			}
		}
	}
	return Row{}, io.EOF
}

func (s *Sheet) row(se xml.StartElement) (Row, error) {
	num := s.last + 1
	if v := attr(se, "r"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxExcelRow {
			return Row{}, broken(s.part, fmt.Errorf("row %q", v))
		}
		num = n
	}
	if num <= s.last {
		return Row{}, broken(s.part, fmt.Errorf("row %d after row %d", num, s.last))
	}
	if num > s.b.lim.Rows {
		return Row{}, &Error{Code: "xlsx_too_many_rows", Row: num, Reason: fmt.Sprintf(
			"%d 行目: 取り込めるのは %d 行目までです。ファイルを分けて取り込んでください", num, s.b.lim.Rows)}
	}
	s.last = num
	row := Row{Num: num}
	col := 0
	for {
		tok, err := s.token()
		if err != nil {
			return Row{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "c" {
				continue
			}
			c, err := s.cell(t, num, &col)
			if err != nil {
				return Row{}, err
			}
			if c.Value == "" {
				continue
			}
			if len(row.Cells) >= s.b.lim.Columns {
				return Row{}, broken(s.part, fmt.Errorf("row %d has more cells than columns", num))
			}
			row.Cells = append(row.Cells, c)
		case xml.EndElement:
			if t.Name.Local == "row" {
				return row, nil
			}
		}
	}
}

// cell reads one <c> element; col is the column of the previous cell.
func (s *Sheet) cell(se xml.StartElement, rowNum int, col *int) (Cell, error) {
	c := *col + 1
	if ref := attr(se, "r"); ref != "" {
		var ok bool
		if c, ok = columnOf(ref); !ok {
			return Cell{}, broken(s.part, fmt.Errorf("cell %q", ref))
		}
	}
	name := ColumnName(c) + strconv.Itoa(rowNum)
	if c > maxExcelColumn {
		return Cell{}, broken(s.part, fmt.Errorf("cell %q", name))
	}
	if c > s.b.lim.Columns {
		return Cell{}, cellError("xlsx_too_many_columns", name, rowNum, fmt.Sprintf(
			"取り込めるのは %d 列目（%s 列）までです。右の方にある不要なセルを消してから取り込んでください", s.b.lim.Columns, ColumnName(s.b.lim.Columns)))
	}
	*col = c
	typ := attr(se, "t")
	var v strings.Builder
	var t text
	inV := false
	tooLong := func() error {
		return cellError("xlsx_cell_too_long", name, rowNum, fmt.Sprintf("セルの文字が %d 文字を超えています（1 つのセルに入る文字数の上限）", s.b.lim.CellChars))
	}
	for {
		tok, err := s.token()
		if err != nil {
			return Cell{}, err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if e.Name.Local == "v" {
				inV = true
			} else {
				t.start(e.Name.Local)
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "v":
				inV = false
			case "c":
				out, err := s.value(typ, v.String(), &t, name, rowNum)
				if err == nil && utf8.RuneCountInString(out.Value) > s.b.lim.CellChars {
					return Cell{}, tooLong()
				}
				out.Col = c
				return out, err
			default:
				t.end(e.Name.Local)
			}
		case xml.CharData:
			if inV {
				v.Write(e)
			} else if !t.add(e, s.b.lim.CellChars) {
				return Cell{}, tooLong()
			}
			if v.Len() > s.b.lim.CellChars*utf8.UTFMax {
				return Cell{}, tooLong()
			}
		}
	}
}

// value turns a cell's stored parts into its value, by the cell's type.
func (s *Sheet) value(typ, v string, t *text, name string, rowNum int) (Cell, error) {
	switch typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= s.b.sst.len() {
			return Cell{}, cellError("xlsx_broken", name, rowNum, "共有文字列の番号が正しくないため読めません。Excel で開いて保存し直してください")
		}
		return Cell{Value: s.b.sst.at(i), Text: true}, nil
	case "inlineStr":
		return Cell{Value: t.String(), Text: true}, nil
	case "str":
		return Cell{Value: unescape(v), Text: true}, nil
	}
	return Cell{Value: strings.TrimSpace(v)}, nil
}

// columnOf reads the column of a cell name: B12 → 2.
func columnOf(ref string) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref) && i < 4; i++ {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
	}
	if i == 0 || i > 3 {
		return 0, false
	}
	for _, d := range []byte(ref[i:]) {
		if d < '0' || d > '9' {
			return 0, false
		}
	}
	return col, true
}

// ColumnName is the Excel letter of column n (from 1): A, Z, AA, XFD.
func ColumnName(n int) string {
	var b []byte
	for ; n > 0; n = (n - 1) / 26 {
		b = append([]byte{byte('A' + (n-1)%26)}, b...)
	}
	return string(b)
}

// ParseRange reads "A1:C3" or "B2".
func ParseRange(ref string) (Range, bool) {
	a, b, found := strings.Cut(ref, ":")
	if !found {
		b = a
	}
	c1, r1, ok1 := cellCoords(a)
	c2, r2, ok2 := cellCoords(b)
	if !ok1 || !ok2 || c2 < c1 || r2 < r1 {
		return Range{}, false
	}
	return Range{Col1: c1, Row1: r1, Col2: c2, Row2: r2}, true
}

func cellCoords(ref string) (col, row int, ok bool) {
	ref = strings.ReplaceAll(ref, "$", "")
	col, ok = columnOf(ref)
	if !ok {
		return 0, 0, false
	}
	i := strings.IndexAny(ref, "0123456789")
	if i < 0 {
		return 0, 0, false
	}
	row, err := strconv.Atoi(ref[i:])
	return col, row, err == nil && row >= 1 && row <= maxExcelRow && col <= maxExcelColumn
}

// scanMerges finds the <mergeCell ref="..."/> elements of a sheet part
// with a byte scan, without parsing the cells.
func (b *Book) scanMerges(part string) ([]Range, error) {
	rc, err := b.open(part, 0, "")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	var out []Range
	for {
		_, err := br.ReadSlice('<')
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, broken(part, err)
		}
		head, _ := br.Peek(24)
		if i := bytes.IndexByte(head, ':'); i >= 0 && i < 12 {
			head = head[i+1:] // a namespace prefix: <x:mergeCell
		}
		if !bytes.HasPrefix(head, []byte("mergeCell")) || len(head) < 10 || !isSpace(head[9]) {
			continue
		}
		tag, err := br.ReadSlice('>')
		if err != nil {
			return nil, broken(part, err)
		}
		r, ok := ParseRange(refAttr(tag))
		if !ok {
			continue
		}
		if len(out) >= b.lim.Merges {
			return nil, &Error{Code: "xlsx_too_many_merges", Reason: fmt.Sprintf(
				"シートの結合セルが多すぎます（%d か所まで）。不要な結合を解除してから取り込んでください", b.lim.Merges)}
		}
		out = append(out, r)
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// refAttr finds ref="..." (or ref='...') in a tag.
func refAttr(tag []byte) string {
	for i := 0; ; {
		j := bytes.Index(tag[i:], []byte("ref"))
		if j < 0 {
			return ""
		}
		i += j
		before := i == 0 || isSpace(tag[i-1])
		rest := bytes.TrimLeft(tag[i+3:], " \t\r\n")
		i += 3
		if !before || len(rest) < 2 || rest[0] != '=' {
			continue
		}
		rest = bytes.TrimLeft(rest[1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			continue
		}
		if k := bytes.IndexByte(rest[1:], rest[0]); k >= 0 {
			return string(rest[1 : 1+k])
		}
		return ""
	}
}
