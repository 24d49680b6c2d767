// Package export writes spreadsheets staff open in Excel: CSV in UTF-8
// with a BOM (the default) or in CP932, with cells that Excel would run as
// formulas neutralised and no character ever silently replaced.
package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/kofu-oss/kofu/internal/moji"
)

// Encoding of an export.
type Encoding string

// The encodings staff can choose.
const (
	UTF8  Encoding = "utf-8"
	CP932 Encoding = "cp932"
)

// ParseEncoding reads the encoding query parameter ("" is UTF-8).
func ParseEncoding(s string) (Encoding, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "utf-8", "utf8":
		return UTF8, true
	case "cp932", "shift_jis", "sjis", "windows-31j":
		return CP932, true
	}
	return "", false
}

// Writer writes CSV rows. In CP932 each row ends with a column that names
// the characters CP932 cannot hold (written as 〓), so nothing is lost
// without a trace.
type Writer struct {
	w   io.Writer
	enc Encoding
	buf strings.Builder
	csv *csv.Writer
	err error
}

// NewWriter starts an export; UTF-8 output begins with a BOM for Excel.
func NewWriter(w io.Writer, enc Encoding) *Writer {
	x := &Writer{w: w, enc: enc}
	x.csv = csv.NewWriter(&x.buf)
	x.csv.UseCRLF = true
	if enc == UTF8 {
		_, x.err = io.WriteString(w, moji.BOM)
	}
	return x
}

// Header writes the column names (plus the report column in CP932).
func (x *Writer) Header(cols []string) error {
	if x.enc == CP932 {
		cols = append(cols, "出力できなかった文字")
	}
	return x.write(cols)
}

// Row writes one record.
func (x *Writer) Row(cells []string) error {
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = Neutralize(c)
	}
	if x.enc == CP932 {
		var lost []rune
		for _, c := range row {
			_, bad := moji.EncodeCP932(c)
			lost = append(lost, bad...)
		}
		row = append(row, describe(lost))
	}
	return x.write(row)
}

func (x *Writer) write(row []string) error {
	if x.err != nil {
		return x.err
	}
	x.buf.Reset()
	x.csv.Write(row)
	x.csv.Flush()
	if x.err = x.csv.Error(); x.err != nil {
		return x.err
	}
	out := []byte(x.buf.String())
	if x.enc == CP932 {
		out, _ = moji.EncodeCP932(x.buf.String())
	}
	_, x.err = x.w.Write(out)
	return x.err
}

func describe(lost []rune) string {
	if len(lost) == 0 {
		return ""
	}
	parts := make([]string, len(lost))
	for i, r := range lost {
		parts[i] = fmt.Sprintf("%c(U+%04X)", r, r)
	}
	return strings.Join(parts, " ") + " を〓で出力"
}

// Neutralize keeps a spreadsheet from reading a cell as a formula. A
// negative integer ("-1000", a refund in a fee report) is left alone: it is
// a number to Excel, and a quote would keep it from adding up.
func Neutralize(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) && !negativeInteger(v) {
		return "'" + v
	}
	return v
}

func negativeInteger(v string) bool {
	if len(v) < 2 || v[0] != '-' {
		return false
	}
	for _, c := range v[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// SetHeaders marks an HTTP response as a CSV download in enc.
func SetHeaders(h http.Header, name string, enc Encoding) {
	charset := "utf-8"
	if enc == CP932 {
		charset = "shift_jis"
	}
	h.Set("Content-Type", "text/csv; charset="+charset)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
}
