package jlis

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/moji"
)

// Options configure a Reader.
type Options struct {
	// Profile holds the city's own header spellings, on top of the
	// built-in aliases.
	Profile Profile
	// Today is the date against which birth dates in the future are
	// refused. The zero Date means today in Japan.
	Today Date
}

// Column describes one column of the file's header.
type Column struct {
	Index   int    // from 0
	Header  string // as in the file
	Field   Field  // FieldUnknown if not recognised
	Dropped bool   // a 個人番号 column: its values are never read
}

// Reader reads a delivery list record by record, in flat memory except for
// the set of application IDs seen (to find duplicates within the file).
type Reader struct {
	src      *lineSource
	csv      *csv.Reader
	columns  []Column
	index    [FieldIgnore + 1]int // column index per field; -1 if absent
	dropped  []int                // 個人番号 columns
	unknown  []int                // columns not imported, guarded for 個人番号 values
	guarded  map[int]bool         // unknown columns already warned about
	today    Date
	seen     map[string]int // application ID → line of first occurrence
	warnings WarningList
	fatal    error
}

// jst is Japan Standard Time; Japan has no daylight saving time, so a fixed
// zone is exact and needs no tzdata.
func jst() *time.Location { return time.FixedZone("JST", 9*60*60) }

// NewReader detects the encoding of r, reads and maps the header, and is
// then ready to return rows with Next. A file it cannot read (unknown
// encoding, no header, missing required column) is an error wrapping a
// *FileError.
func NewReader(r io.Reader, opt Options) (*Reader, error) {
	src, err := newLineSource(r)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = -1 // counts are checked per row, as a problem
	cr.ReuseRecord = true
	rd := &Reader{src: src, csv: cr, today: opt.Today, seen: make(map[string]int), guarded: make(map[int]bool)}
	if rd.today.IsZero() {
		rd.today = DateOf(clock.System{}.Now().In(jst())) // a caller that names no date: today
	}
	header, line, err := rd.readHeader()
	if err != nil {
		return nil, err
	}
	if err := rd.mapHeader(header, line, opt.Profile); err != nil {
		return nil, err
	}
	return rd, nil
}

func (rd *Reader) readHeader() ([]string, int, error) {
	header, err := rd.csv.Read()
	if fatal := rd.src.fatal(); fatal != nil {
		return nil, 0, fatal
	}
	var pe *csv.ParseError
	switch {
	case err == io.EOF:
		return nil, 0, fileError(0, "no_header", "ヘッダー行がありません")
	case errors.As(err, &pe):
		return nil, 0, fileError(pe.StartLine, "header_syntax", "ヘッダー行をCSVとして読めません（"+csvReason(pe)+"）")
	case err != nil:
		return nil, 0, err
	}
	line, _ := rd.csv.FieldPos(0)
	rd.src.claim(rd.csv.InputOffset(), line)
	return slices.Clone(header), line, nil
}

// mapHeader finds the field of each column and refuses headers that lack a
// required column or name one field twice.
func (rd *Reader) mapHeader(header []string, line int, profile Profile) error {
	for i := range rd.index {
		rd.index[i] = -1
	}
	fields, err := headerFields(profile)
	if err != nil {
		return err
	}
	for i, h := range header {
		col := rd.classify(i, h, line, fields)
		if f := col.Field; f != FieldUnknown && f != FieldIgnore {
			if j := rd.index[f]; j >= 0 {
				return fileError(line, "duplicate_column", fmt.Sprintf(
					"列「%s」と列「%s」がどちらも%sを表しています。どちらかを取り除くか、取込設定を見直してください",
					header[j], h, f.Label()))
			}
			rd.index[f] = i
		}
		rd.columns = append(rd.columns, col)
	}
	return rd.checkRequired(line)
}

// headerFields combines the built-in aliases with the city's profile, all
// keyed by their normalised form.
func headerFields(profile Profile) (map[string]Field, error) {
	fields := make(map[string]Field)
	for _, f := range importedFields() {
		for _, a := range f.info().aliases {
			fields[NormalizeHeader(a)] = f
		}
	}
	for h, f := range profile {
		if f <= FieldUnknown || f > FieldIgnore {
			return nil, fileError(0, "invalid_profile", fmt.Sprintf("取込設定の列「%s」の項目が正しくありません", h))
		}
		fields[NormalizeHeader(h)] = f
	}
	return fields, nil
}

// classify maps one header cell. 個人番号 columns are dropped before any
// alias or profile is consulted, so no setting can import them.
func (rd *Reader) classify(i int, h string, line int, fields map[string]Field) Column {
	n := NormalizeHeader(h)
	col := Column{Index: i, Header: h}
	switch f, ok := fields[n]; {
	case isPersonalNumberHeader(n):
		col.Dropped = true
		rd.dropped = append(rd.dropped, i)
		rd.warn(line, "personal_number_dropped", h,
			fmt.Sprintf("列「%s」は個人番号のため読み込まず、元データからも消去しました", h))
	case ok:
		col.Field = f
	case n == "":
		rd.unknown = append(rd.unknown, i)
		rd.warn(line, "unknown_column", h, fmt.Sprintf("%d列目は見出しがないため取り込みません", i+1))
	default:
		rd.unknown = append(rd.unknown, i)
		rd.warn(line, "unknown_column", h, fmt.Sprintf("列「%s」は取り込みません", h))
	}
	return col
}

func (rd *Reader) checkRequired(line int) error {
	var missing []string
	for _, f := range requiredFields() {
		if rd.index[f] < 0 {
			missing = append(missing, f.Label())
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fileError(line, "missing_column", fmt.Sprintf(
		"必須の列「%s」がありません。見出しの名前を確かめるか、取込設定で列を指定してください",
		strings.Join(missing, "」「")))
}

// Next returns the next row, io.EOF after the last one, or an error that
// stops reading (for example a line that does not fit the encoding). Rows
// with problems are returned like any other; check Row.Problems.
func (rd *Reader) Next() (Row, error) {
	if rd.fatal != nil {
		return Row{}, rd.fatal
	}
	for {
		rec, err := rd.csv.Read()
		if err != nil {
			return rd.readError(err)
		}
		line, _ := rd.csv.FieldPos(0)
		raw := rd.src.claim(rd.csv.InputOffset(), line)
		if isBlankRecord(rec) {
			rd.warn(line, "empty_row", "", "空の行を読み飛ばしました")
			continue
		}
		b := rowBuilder{r: rd, rec: rec, row: Row{Line: line}}
		row := b.build()
		row.Raw = rd.redact(raw, rec, line)
		return row, nil
	}
}

// readError turns a failed csv.Read into either the end, a row carrying a
// syntax problem, or a fatal error.
func (rd *Reader) readError(err error) (Row, error) {
	if fatal := rd.src.fatal(); fatal != nil {
		rd.fatal = fatal
		return Row{}, fatal
	}
	var pe *csv.ParseError
	switch {
	case err == io.EOF:
		return Row{}, io.EOF
	case errors.As(err, &pe):
		raw := rd.src.claim(rd.csv.InputOffset(), pe.StartLine)
		if len(rd.dropped) > 0 {
			raw = nil // cannot be split into fields, so 個人番号 cannot be blanked
		}
		return Row{Line: pe.StartLine, Raw: raw, Problems: []Problem{{
			Line: pe.StartLine, Code: "csv_syntax", Reason: "CSVの形式が正しくない（" + csvReason(pe) + "）",
		}}}, nil
	}
	rd.fatal = err
	return Row{}, err
}

func csvReason(pe *csv.ParseError) string {
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return fmt.Sprintf("%d行目%d文字目: 引用符（\"）で囲まれていない項目の中に引用符がある", pe.Line, pe.Column)
	case errors.Is(pe.Err, csv.ErrQuote):
		return fmt.Sprintf("%d行目%d文字目: 引用符（\"）が閉じられていないか、閉じた後に余分な文字がある", pe.Line, pe.Column)
	}
	return fmt.Sprintf("%d行目", pe.Line)
}

func isBlankRecord(rec []string) bool {
	for _, v := range rec {
		if trimValue(v) != "" {
			return false
		}
	}
	return true
}

// Warnings returns the first MaxWarnings warnings so far: header warnings
// after NewReader, row warnings as rows are read.
func (rd *Reader) Warnings() []Warning { return slices.Clone(rd.warnings.Listed()) }

// WarningCounts counts all the warnings so far by kind, listed or not.
func (rd *Reader) WarningCounts() map[string]int { return rd.warnings.Counts() }

// Columns returns how the header was mapped, in file order.
func (rd *Reader) Columns() []Column { return slices.Clone(rd.columns) }

// Encoding returns the detected encoding. A file that has shown only ASCII
// so far reports UTF-8.
func (rd *Reader) Encoding() moji.Encoding { return rd.src.encoding() }

func (rd *Reader) warn(line int, kind, column, detail string) {
	rd.warnings.Add(Warning{Line: line, Kind: kind, Column: column, Detail: detail})
}
