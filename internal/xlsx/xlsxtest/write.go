// Package xlsxtest writes .xlsx workbooks byte by byte, the way programs
// other than Excel write them: inline or shared strings, Excel dates as
// styled numbers, phonetic (furigana) runs, merged cells. Tests and the
// hostile-file generator use it; the output is deterministic.
package xlsxtest

import (
	"archive/zip"
	"bufio"
	"fmt"
	"html"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/xlsx"
)

// Kind is how a cell is stored.
type Kind int

// Cell kinds.
const (
	Number  Kind = iota // <v>46314</v>, t omitted
	Date                // a number with the yyyy-mm-dd style
	Inline              // t="inlineStr"
	Shared              // t="s", from the shared strings table
	ISODate             // t="d"
	Bool                // t="b"
)

// Cell is one cell; Col counts from 1.
type Cell struct {
	Col      int
	Kind     Kind
	Value    string
	Phonetic string // furigana kept in an <rPh> run of a shared string
}

// Row is a row of cells; Num counts from 1.
type Row struct {
	Num   int
	Cells []Cell
}

// Sheet is one worksheet. SheetData, when set, writes the content of
// <sheetData> itself (hostile files); Raw, when set, is the whole part
// already compressed. Rows is ignored then.
type Sheet struct {
	Name      string
	Rows      []Row
	Merges    []string // "A1:J1"
	SheetData func(w io.Writer) error
	Raw       *RawPart
}

// RawPart is a zip entry's deflated content with the size and checksum of
// what it inflates to.
type RawPart struct {
	Deflated []byte
	Size     uint64
	CRC32    uint32
}

// Book is a workbook.
type Book struct {
	Sheets   []Sheet
	Date1904 bool
	// Extra parts written as they are (name → content), e.g. a large
	// docProps/custom.xml.
	Extra map[string]string
}

// part is one zip entry and what writes it.
type part struct {
	name  string
	write func(io.Writer) error
}

// modified is the fixed time of every zip entry, so output is stable.
var modified = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

// Write writes the workbook as .xlsx.
func (b Book) Write(w io.Writer) error {
	z := zip.NewWriter(w)
	sst := newSharedStrings(b)
	parts := []part{
		{"[Content_Types].xml", b.contentTypes(sst)},
		{"_rels/.rels", text(rootRels)},
		{"xl/workbook.xml", b.workbook},
		{"xl/_rels/workbook.xml.rels", b.workbookRels(sst)},
		{"xl/styles.xml", text(styles)},
	}
	if len(sst.list) > 0 {
		parts = append(parts, part{"xl/sharedStrings.xml", sst.write})
	}
	for i, s := range b.Sheets {
		if s.Raw == nil {
			parts = append(parts, part{fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), s.writer(sst)})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(b.Extra)) {
		parts = append(parts, part{name, text(b.Extra[name])})
	}
	for i, s := range b.Sheets {
		if s.Raw == nil {
			continue
		}
		fw, err := z.CreateRaw(&zip.FileHeader{Name: fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), Method: zip.Deflate, Modified: modified,
			CRC32: s.Raw.CRC32, CompressedSize64: uint64(len(s.Raw.Deflated)), UncompressedSize64: s.Raw.Size})
		if err != nil {
			return err
		}
		if _, err := fw.Write(s.Raw.Deflated); err != nil {
			return err
		}
	}
	for _, p := range parts {
		fw, err := z.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(fw, 64<<10)
		if err := p.write(bw); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
	}
	return z.Close()
}

func text(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
const nsRel = `xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`

const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`

// styles has the default style (0) and yyyy-mm-dd (1).
const styles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet ` + ns + `><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`

func (b Book) contentTypes(sst *sharedStrings) func(io.Writer) error {
	var s strings.Builder
	s.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>`)
	if len(sst.list) > 0 {
		s.WriteString(`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`)
	}
	for i := range b.Sheets {
		fmt.Fprintf(&s, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
	}
	s.WriteString(`</Types>`)
	return text(s.String())
}

func (b Book) workbook(w io.Writer) error {
	var s strings.Builder
	s.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n<workbook " + ns + " " + nsRel + ">")
	if b.Date1904 {
		s.WriteString(`<workbookPr date1904="1"/>`)
	} else {
		s.WriteString(`<workbookPr/>`)
	}
	s.WriteString(`<sheets>`)
	for i, sh := range b.Sheets {
		fmt.Fprintf(&s, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, html.EscapeString(sh.Name), i+1, i+1)
	}
	s.WriteString(`</sheets></workbook>`)
	_, err := io.WriteString(w, s.String())
	return err
}

func (b Book) workbookRels(sst *sharedStrings) func(io.Writer) error {
	var s strings.Builder
	s.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for i := range b.Sheets {
		fmt.Fprintf(&s, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, i+1)
	}
	n := len(b.Sheets)
	fmt.Fprintf(&s, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`, n+1)
	if len(sst.list) > 0 {
		fmt.Fprintf(&s, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`, n+2)
	}
	s.WriteString(`</Relationships>`)
	return text(s.String())
}

// sharedStrings is the table of Shared cells, in first-use order.
type sharedStrings struct {
	index map[[2]string]int
	list  [][2]string // value, phonetic
}

func newSharedStrings(b Book) *sharedStrings {
	s := &sharedStrings{index: map[[2]string]int{}}
	for _, sh := range b.Sheets {
		for _, r := range sh.Rows {
			for _, c := range r.Cells {
				if c.Kind == Shared {
					s.add(c.Value, c.Phonetic)
				}
			}
		}
	}
	return s
}

func (s *sharedStrings) add(v, ph string) int {
	k := [2]string{v, ph}
	if i, ok := s.index[k]; ok {
		return i
	}
	s.index[k] = len(s.list)
	s.list = append(s.list, k)
	return len(s.list) - 1
}

func (s *sharedStrings) write(w io.Writer) error {
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<sst %s count="%d" uniqueCount="%d">`, ns, len(s.list), len(s.list))
	for _, e := range s.list {
		if e[1] == "" {
			fmt.Fprintf(w, `<si><t xml:space="preserve">%s</t></si>`, esc(e[0]))
			continue
		}
		// Japanese Excel keeps the reading of a name in <rPh>: not part of the value.
		fmt.Fprintf(w, `<si><r><t>%s</t></r><rPh sb="0" eb="%d"><t>%s</t></rPh><phoneticPr fontId="1"/></si>`,
			esc(e[0]), len([]rune(e[0])), esc(e[1]))
	}
	_, err := io.WriteString(w, `</sst>`)
	return err
}

func esc(s string) string { return html.EscapeString(s) }

// SheetStart and SheetEnd are what a worksheet part holds before and
// after its rows (without merged cells).
const (
	SheetStart = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n<worksheet " + ns + " " + nsRel + `><sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/><sheetData>`
	SheetEnd   = `</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`
)

func (sh Sheet) writer(sst *sharedStrings) func(io.Writer) error {
	return func(w io.Writer) error {
		io.WriteString(w, SheetStart)
		if sh.SheetData != nil {
			if err := sh.SheetData(w); err != nil {
				return err
			}
		} else {
			for _, r := range sh.Rows {
				WriteRow(w, r, sst)
			}
		}
		io.WriteString(w, `</sheetData>`)
		if len(sh.Merges) > 0 {
			fmt.Fprintf(w, `<mergeCells count="%d">`, len(sh.Merges))
			for _, m := range sh.Merges {
				fmt.Fprintf(w, `<mergeCell ref="%s"/>`, m)
			}
			io.WriteString(w, `</mergeCells>`)
		}
		_, err := io.WriteString(w, `<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`)
		return err
	}
}

// WriteRow writes one <row>. Shared cells need the table (nil: written
// inline instead).
func WriteRow(w io.Writer, r Row, sst *sharedStrings) {
	fmt.Fprintf(w, `<row r="%d">`, r.Num)
	for _, c := range r.Cells {
		ref := xlsx.ColumnName(c.Col) + strconv.Itoa(r.Num)
		switch c.Kind {
		case Number:
			fmt.Fprintf(w, `<c r="%s"><v>%s</v></c>`, ref, c.Value)
		case Date:
			fmt.Fprintf(w, `<c r="%s" s="1" t="n"><v>%s</v></c>`, ref, c.Value)
		case ISODate:
			fmt.Fprintf(w, `<c r="%s" s="1" t="d"><v>%s</v></c>`, ref, c.Value)
		case Bool:
			fmt.Fprintf(w, `<c r="%s" t="b"><v>%s</v></c>`, ref, c.Value)
		case Shared:
			if sst != nil {
				fmt.Fprintf(w, `<c r="%s" t="s"><v>%d</v></c>`, ref, sst.add(c.Value, c.Phonetic))
				continue
			}
			fallthrough
		default:
			if c.Value == "" {
				fmt.Fprintf(w, `<c r="%s" t="inlineStr"></c>`, ref)
			} else {
				fmt.Fprintf(w, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, esc(c.Value))
			}
		}
	}
	io.WriteString(w, `</row>`)
}
