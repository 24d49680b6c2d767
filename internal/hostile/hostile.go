// Package hostile writes the files of issue #14 that took the server
// down, and their relatives, for the tests, the fuzz seeds and kofubench:
// a ledger with a cell in the last column of many rows, a ledger whose
// sheet unzips to a gigabyte, a CSV that is one rejection per line, and a
// form that sends a million fields before its file. Everything is
// generated, the same bytes every time.
package hostile

import (
	"bufio"
	"fmt"
	"io"
	"mime/multipart"
	"strings"

	"github.com/kofu-oss/kofu/internal/legacy/legacytest"
	"github.com/kofu-oss/kofu/internal/xlsx/xlsxtest"
)

// WideRows writes the sample ledger plus n rows, each holding one cell in
// the last column Excel has (<c r="XFD200"><v>1</v></c>): a reader that
// pads rows to their last cell allocates 16,384 cells a row.
func WideRows(w io.Writer, n int) error {
	b := legacytest.SampleBook()
	s := &b.Sheets[0]
	next := s.Rows[len(s.Rows)-1].Num + 1
	for i := range n {
		s.Rows = append(s.Rows, xlsxtest.Row{Num: next + i, Cells: []xlsxtest.Cell{{Col: 16384, Kind: xlsxtest.Number, Value: "1"}}})
	}
	return b.Write(w)
}

// Bomb writes a ledger whose sheet unzips to about unzipped bytes while
// the file stays small: the sample's header, then the same row again and
// again (deflate shrinks it about 500 times).
func Bomb(w io.Writer, unzipped int64) error {
	b := legacytest.SampleBook()
	header := b.Sheets[0].Rows[0]
	b.Sheets[0].SheetData = func(w io.Writer) error {
		xlsxtest.WriteRow(w, header, nil)
		cw := &countWriter{w: w}
		for num := 2; cw.n < unzipped; num++ {
			// a row of one long text cell: the same bytes every time
			fmt.Fprintf(cw, `<row r="%d"><c r="P%d" t="inlineStr"><is><t>%s</t></is></c></row>`, num, num, padding)
			if cw.err != nil {
				return cw.err
			}
		}
		return nil
	}
	return b.Write(w)
}

var padding = strings.Repeat("長期入院のため廃棄保留。", 300)

type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	if err != nil {
		c.err = err
	}
	return n, err
}

// RejectCSV writes a UTF-8 J-LIS delivery list of rows data lines, every
// one of them refused (its birth date cannot be read): a report that
// lists every rejection grows with the file.
func RejectCSV(w io.Writer, rows int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintln(bw, "申請書ID,交付通知書番号,氏名,氏名カナ,生年月日,性別,住所")
	for i := range rows {
		fmt.Fprintf(bw, "%023d,,山田\u3000太郎,ヤマダ\u3000タロウ,不明,男,兵庫県三田市三輪2丁目1番1号\n", i+1)
	}
	return bw.Flush()
}

// FieldFlood writes a multipart/form-data body of n small fields before
// its file part; it returns the body's content type.
func FieldFlood(w io.Writer, n int, file []byte) (string, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	mw := multipart.NewWriter(bw)
	mw.SetBoundary("kofu-hostile-field-flood")
	for i := range n {
		if err := mw.WriteField(fmt.Sprintf("f%d", i), "x"); err != nil {
			return "", err
		}
	}
	fw, err := mw.CreateFormFile("file", "ledger.xlsx")
	if err != nil {
		return "", err
	}
	fw.Write(file)
	if err := mw.Close(); err != nil {
		return "", err
	}
	return mw.FormDataContentType(), bw.Flush()
}
