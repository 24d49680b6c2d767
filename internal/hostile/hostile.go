// Package hostile writes the files of issue #14 that took the server
// down, and their relatives, for the tests, the fuzz seeds and kofubench:
// a ledger with a cell in the last column of many rows, a ledger whose
// sheet unzips to a gigabyte, a CSV that is one rejection per line, and a
// form that sends a million fields before its file. Everything is
// generated, the same bytes every time.
package hostile

import (
	"bufio"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"mime/multipart"
	"strconv"
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
// the file stays small (1 GiB in under 4 MB): the sample's header, then
// the same row again and again, rows numbered by their order.
func Bomb(w io.Writer, unzipped int64) error {
	b := legacytest.SampleBook()
	var head bytes.Buffer
	head.WriteString(xlsxtest.SheetStart)
	xlsxtest.WriteRow(&head, b.Sheets[0].Rows[0], nil)
	unit := []byte(`<row><c r="P" t="inlineStr"><is><t>` + strings.Repeat("長期入院のため廃棄保留。", 300) + `</t></is></c></row>`)
	raw, err := periodic(head.Bytes(), unit, unzipped, []byte(xlsxtest.SheetEnd))
	if err != nil {
		return err
	}
	b.Sheets[0].Raw = raw
	return b.Write(w)
}

// periodic deflates head, then unit repeated until the total passes size,
// then tail, without deflating every repetition: a stream that repeats
// with a period of len(unit) is compressed the same way at every period,
// given the same 32 KB behind it. So one run of units, compressed with
// those 32 KB as its dictionary and flushed to a byte boundary, is
// written again and again.
func periodic(head, unit []byte, size int64, tail []byte) (*xlsxtest.RawPart, error) {
	const window = 32 << 10
	per := (window + len(unit) - 1) / len(unit) // units in a run: at least one window
	run := bytes.Repeat(unit, per)
	dict := run[len(run)-window:]
	var out bytes.Buffer
	deflate := func(dict, data []byte, final bool) error {
		fw, err := flate.NewWriterDict(&out, flate.BestCompression, dict)
		if err != nil {
			return err
		}
		fw.Write(data)
		if final {
			return fw.Close()
		}
		return fw.Flush()
	}
	crc := crc32.NewIEEE()
	n := int64(0)
	add := func(b []byte) { crc.Write(b); n += int64(len(b)) }
	if err := deflate(nil, append(bytes.Clone(head), run...), false); err != nil {
		return nil, err
	}
	add(head)
	add(run)
	start := out.Len()
	if err := deflate(dict, run, false); err != nil {
		return nil, err
	}
	block := bytes.Clone(out.Bytes()[start:])
	add(run)
	for n+int64(len(run)) < size {
		out.Write(block)
		add(run)
	}
	if err := deflate(dict, tail, true); err != nil {
		return nil, err
	}
	add(tail)
	return &xlsxtest.RawPart{Deflated: out.Bytes(), Size: uint64(n), CRC32: crc.Sum32()}, nil
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

// BigLedger writes a valid ledger of n rows at the size limits allow (the
// sample's rows again and again, each with its own 申請書ID and no notice
// number, a 宛名番号 of its own): the largest file an import must take,
// to measure its memory and time.
func BigLedger(w io.Writer, n int) error {
	b := legacytest.SampleBook()
	s := &b.Sheets[0]
	s.Merges = nil
	sample := s.Rows[1:]
	s.Rows = s.Rows[:1]
	for i := range n {
		r := xlsxtest.Row{Num: i + 2}
		for _, c := range sample[i%len(sample)].Cells {
			switch c.Col {
			case 1:
				c.Value = strconv.Itoa(i + 1)
			case 4: // 申請書ID
				c.Kind, c.Value = xlsxtest.Inline, fmt.Sprintf("9%022d", i+1)
			case 5: // 宛名番号: one person per card
				c.Kind, c.Value = xlsxtest.Inline, fmt.Sprintf("8%09d", i+1)
			case 11: // 交付通知書番号: unique per card, left out
				continue
			case 15: // 状態: keep every row importable
				c.Value = "通知済"
			case 13: // 交付日 goes with 交付済 only
				continue
			case 16: // 備考
				c.Value = ""
			}
			r.Cells = append(r.Cells, c)
		}
		s.Rows = append(s.Rows, r)
	}
	return b.Write(w)
}
