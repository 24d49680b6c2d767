// Package xlsx reads .xlsx workbooks as a stream of rows, within limits
// that hold whatever the file contains: the zip is checked before anything
// is unzipped (entries, declared sizes), every XML token is bounded while
// it is read, and rows, columns, cells and merged areas are counted as
// they come. Memory stays flat whatever the sheet's size, and no temporary
// file is ever written: the workbook is read from memory.
//
// It reads what an import needs and no more: the sheet names, the shared
// strings, each cell's value as stored (numbers unformatted, dates as
// serials) and whether it was stored as text, and the merged areas.
package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strings"
)

// Limits bound what a workbook may hold. A workbook beyond any of them is
// refused at once with an *Error naming the limit.
type Limits struct {
	FileBytes     int64 // the .xlsx as sent (compressed)
	UnzippedBytes int64 // all parts together, as the zip declares them
	Entries       int   // files inside the zip
	SharedStrings int64 // bytes of xl/sharedStrings.xml unzipped
	Sheets        int
	Rows          int // highest row number read
	Columns       int // highest column read
	CellChars     int // characters of one cell (Excel's own limit is 32,767)
	Merges        int // merged areas of one sheet
}

// DefaultLimits fit a city's card ledger with room to spare (100,000 rows
// of 30 columns unzip to about 100 MB) and keep an import's memory under
// about 100 MB whatever is sent.
func DefaultLimits() Limits {
	return Limits{
		FileBytes:     32 << 20,
		UnzippedBytes: 160 << 20,
		Entries:       1000,
		SharedStrings: 32 << 20,
		Sheets:        64,
		Rows:          100_000,
		Columns:       256,
		CellChars:     32_767,
		Merges:        10_000,
	}
}

const (
	// metaBytes bounds the small parts read whole: relationships and
	// workbook.xml.
	metaBytes = 4 << 20
	// tokenBytes bounds one XML token (a tag or a text): a cell of 32,767
	// characters written as character references fits.
	tokenBytes = 1 << 20
	// maxDepth bounds the nesting of XML elements (a sheet needs 7).
	maxDepth = 64
)

// Book is an opened workbook.
type Book struct {
	lim      Limits
	parts    map[string]*zip.File // by lower-case name
	sheets   []sheetRef
	sst      sharedStrings
	date1904 bool
}

type sheetRef struct {
	name string
	part string
}

// Open checks the zip and reads the workbook's sheet list and shared
// strings. Content is the whole file: nothing is written to disk.
func Open(content []byte, lim Limits) (*Book, error) {
	if err := lim.CheckSize(int64(len(content))); err != nil {
		return nil, err
	}
	// Each entry has one central directory header that starts with this
	// signature: counting it bounds the entries before the zip reader
	// allocates one record per entry.
	if n := bytes.Count(content, []byte("PK\x01\x02")); n > lim.Entries {
		return nil, &Error{Code: "xlsx_too_many_entries", Reason: fmt.Sprintf(
			"Excel ブックの中のファイルが多すぎます（%d 個まで）。Excel ブック（.xlsx）として保存し直してください", lim.Entries)}
	}
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return nil, notXLSX()
	}
	b := &Book{lim: lim, parts: map[string]*zip.File{}}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(lim.UnzippedBytes) || f.UncompressedSize64 > uint64(lim.UnzippedBytes) {
			return nil, &Error{Code: "xlsx_unzipped_too_large", Reason: fmt.Sprintf(
				"Excel ブックを展開すると %s を超えます（%s まで）。シートを分けて取り込んでください", mb(lim.UnzippedBytes), mb(lim.UnzippedBytes))}
		}
		name := strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, "\\", "/"), "/"))
		if _, dup := b.parts[name]; !dup {
			b.parts[name] = f
		}
	}
	if err := b.readWorkbook(); err != nil {
		return nil, err
	}
	if err := b.readSharedStrings(); err != nil {
		return nil, err
	}
	return b, nil
}

// CheckSize refuses a file of n bytes larger than the limit.
func (lim Limits) CheckSize(n int64) error {
	if n <= lim.FileBytes {
		return nil
	}
	return &Error{Code: "xlsx_too_large", Reason: fmt.Sprintf(
		"ファイルが大きすぎます（Excel ブックは %s まで）。シートを分けるか、不要な画像やシートを消してから取り込んでください", mb(lim.FileBytes))}
}

func notXLSX() error {
	return &Error{Code: "not_xlsx", Reason: "Excel ブック（.xlsx）として読めません。Excel で「Excel ブック (*.xlsx)」として保存し直してください"}
}

func mb(n int64) string { return fmt.Sprintf("%d MB", (n+(1<<20)-1)>>20) }

// SheetNames lists the worksheets in workbook order.
func (b *Book) SheetNames() []string {
	names := make([]string, len(b.sheets))
	for i, s := range b.sheets {
		names[i] = s.name
	}
	return names
}

// Date1904 tells whether the workbook counts dates from 1904 (old Mac
// Excel) rather than 1900.
func (b *Book) Date1904() bool { return b.date1904 }

// open returns a part's content as a guarded stream; limit bounds its
// declared size (0: the book's own limit, checked at Open).
func (b *Book) open(name string, limit int64, code string) (io.ReadCloser, error) {
	f, ok := b.parts[strings.ToLower(name)]
	if !ok {
		return nil, errMissing(name)
	}
	if limit > 0 && f.UncompressedSize64 > uint64(limit) {
		return nil, &Error{Code: code, Reason: fmt.Sprintf("Excel ブックの %s が大きすぎます（展開して %s まで）", name, mb(limit))}
	}
	rc, err := f.Open()
	if err != nil {
		return nil, broken(name, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{&guard{r: rc, part: name}, rc}, nil
}

func errMissing(name string) error {
	return &Error{Code: "not_xlsx", Reason: fmt.Sprintf("Excel ブック（.xlsx）として読めません（%s がありません）。Excel で「Excel ブック (*.xlsx)」として保存し直してください", name)}
}

// decoder returns an XML decoder that only reads UTF-8 and treats
// anything else as broken.
func decoder(r io.Reader) *xml.Decoder {
	d := xml.NewDecoder(r)
	d.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "utf-8") {
			return input, nil
		}
		return nil, fmt.Errorf("charset %q", label)
	}
	return d
}

// relationships reads a .rels part: ID → target part name, and the type.
func (b *Book) relationships(name string) (map[string]rel, error) {
	rc, err := b.open(name, metaBytes, "xlsx_unzipped_too_large")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	base := path.Dir(path.Dir(name)) // xl/_rels/workbook.xml.rels → xl
	out := map[string]rel{}
	err = eachStart(decoder(rc), name, func(d *xml.Decoder, se xml.StartElement) error {
		if se.Name.Local != "Relationship" || len(out) >= b.lim.Entries {
			return nil
		}
		target := attr(se, "Target")
		if strings.HasPrefix(target, "/") {
			target = strings.TrimPrefix(target, "/")
		} else {
			target = path.Join(base, target)
		}
		out[attr(se, "Id")] = rel{target: target, kind: path.Base(attr(se, "Type"))}
		return nil
	})
	return out, err
}

type rel struct{ target, kind string }

// readWorkbook finds the workbook part and lists its worksheets.
func (b *Book) readWorkbook() error {
	wb := "xl/workbook.xml"
	if rels, err := b.relationships("_rels/.rels"); err == nil {
		for _, r := range rels {
			if r.kind == "officeDocument" {
				wb = r.target
			}
		}
	} else if e, ok := err.(*Error); !ok || e.Code != "not_xlsx" {
		return err
	}
	rels, err := b.relationships(path.Join(path.Dir(wb), "_rels", path.Base(wb)+".rels"))
	if err != nil {
		return err
	}
	rc, err := b.open(wb, metaBytes, "xlsx_unzipped_too_large")
	if err != nil {
		return err
	}
	defer rc.Close()
	return eachStart(decoder(rc), wb, func(d *xml.Decoder, se xml.StartElement) error {
		switch se.Name.Local {
		case "workbookPr":
			v := attr(se, "date1904")
			b.date1904 = v == "1" || v == "true"
		case "sheet":
			r, ok := rels[attr(se, "id")]
			if !ok || r.kind != "worksheet" {
				return nil // a chart sheet or a dialog sheet: no cells
			}
			if len(b.sheets) >= b.lim.Sheets {
				return &Error{Code: "xlsx_too_many_sheets", Reason: fmt.Sprintf(
					"Excel ブックのシートが多すぎます（%d 枚まで）。カード管理簿のシートだけのブックにして取り込んでください", b.lim.Sheets)}
			}
			b.sheets = append(b.sheets, sheetRef{name: attr(se, "name"), part: r.target})
		}
		return nil
	})
}

// attr returns the value of the attribute with the local name, whatever
// its namespace prefix.
func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// eachStart calls fn for every start element of a part, bounding the
// nesting depth.
func eachStart(d *xml.Decoder, part string, fn func(*xml.Decoder, xml.StartElement) error) error {
	depth := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return broken(part, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth++; depth > maxDepth {
				return broken(part, errDepth)
			}
			if err := fn(d, t); err != nil {
				return err
			}
		case xml.EndElement:
			depth--
		}
	}
}
