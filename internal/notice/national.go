package notice

import (
	"context"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/store"
)

// The columns the monthly report can carry. 総務省 publishes the national
// funnel as 申請受付数・発送枚数・交付前設定実施済み数・交付実施済み数 and
// the 交付率 against the 住民基本台帳人口 (総務省自治行政局住民制度課「マイナンバーカードの
// 普及・利活用について」平成30年7月2日 資料2); no public source gives the
// exact layout of the form municipalities return each month, so the
// columns and their order are a setting (report_columns).
const (
	ColMonth        = "年月"
	ColApplications = "申請受付数"
	ColDelivered    = "発送枚数（カード到着）"
	ColSetup        = "交付前設定実施済み数"
	ColNotices      = "交付通知書発送数"
	ColIssued       = "交付実施済み数"
	ColIssuedTotal  = "交付実施済み数（累計）"
	ColPopulation   = "住民基本台帳人口"
	ColRate         = "交付率（%）"
)

// DefaultReportColumns are every column, in funnel order.
func DefaultReportColumns() []string {
	return []string{ColMonth, ColApplications, ColDelivered, ColSetup, ColNotices, ColIssued, ColIssuedTotal, ColPopulation, ColRate}
}

func reportColumn(name string) (func(MonthFigures) string, bool) {
	cols := map[string]func(MonthFigures) string{
		ColMonth:        func(f MonthFigures) string { return f.Month },
		ColApplications: func(f MonthFigures) string { return strconv.Itoa(f.Applications) },
		ColDelivered:    func(f MonthFigures) string { return strconv.Itoa(f.Delivered) },
		ColSetup:        func(f MonthFigures) string { return strconv.Itoa(f.Setup) },
		ColNotices:      func(f MonthFigures) string { return strconv.Itoa(f.Notices) },
		ColIssued:       func(f MonthFigures) string { return strconv.Itoa(f.Issued) },
		ColIssuedTotal:  func(f MonthFigures) string { return strconv.Itoa(f.IssuedTotal) },
		ColPopulation:   func(f MonthFigures) string { return blankZero(f.Population) },
		ColRate:         func(f MonthFigures) string { return f.RateText() },
	}
	fn, ok := cols[name]
	return fn, ok
}

func blankZero(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// MonthFigures are one month's counts.
type MonthFigures struct {
	Month        string // YYYY-MM
	Applications int
	Delivered    int
	Setup        int
	Notices      int
	Issued       int
	IssuedTotal  int // cards issued up to the month's end
	Population   int // 0: not entered
}

// Rate is the 交付率: cards issued up to the month's end ÷ population; -1
// when the population is unknown.
func (f MonthFigures) Rate() float64 {
	if f.Population <= 0 {
		return -1
	}
	return float64(f.IssuedTotal) / float64(f.Population)
}

// RateText is the 交付率 in percent with two decimals, "" when unknown.
func (f MonthFigures) RateText() string {
	r := f.Rate()
	if r < 0 {
		return ""
	}
	return strconv.FormatFloat(math.Round(r*10000)/100, 'f', 2, 64)
}

// Figures counts the months from..to (YYYY-MM, inclusive; at most 60).
func (s *Service) Figures(ctx context.Context, p auth.Principal, m auth.Meta, from, to string) ([]MonthFigures, error) {
	first, last, err := s.monthRange(from, to)
	if err != nil {
		return nil, err
	}
	var out []MonthFigures
	err = s.db.View(ctx, func(tx *store.Tx) error {
		out, err = s.figures(ctx, tx, first, last)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, s.db.Update(ctx, func(tx *store.Tx) error {
		return s.audit(ctx, tx, p, m, "report.national_viewed", "report:national", map[string]any{"from": from, "to": to})
	})
}

func (s *Service) monthRange(from, to string) (time.Time, time.Time, error) {
	now := s.now()
	if to == "" {
		to = now.Format("2006-01")
	}
	if from == "" {
		from = to
	}
	first, err1 := time.ParseInLocation("2006-01", from, s.loc)
	last, err2 := time.ParseInLocation("2006-01", to, s.loc)
	var fields apperr.Fields
	if err1 != nil {
		fields.Add("from", "年月は 2026-04 の形で指定してください。")
	}
	if err2 != nil {
		fields.Add("to", "年月は 2026-04 の形で指定してください。")
	}
	if len(fields) == 0 && (last.Before(first) || last.After(first.AddDate(5, 0, 0))) {
		fields.Add("to", "期間は開始の月から 60 か月以内で指定してください。")
	}
	if len(fields) > 0 {
		return first, last, apperr.WithFields(fields[0].Message, fields)
	}
	return first, last, nil
}

func (s *Service) figures(ctx context.Context, tx *store.Tx, first, last time.Time) ([]MonthFigures, error) {
	end := last.AddDate(0, 1, 0)
	fromDay, toDay := first.Format(time.DateOnly), end.AddDate(0, 0, -1).Format(time.DateOnly)
	notices, err := tx.PostingsByMonth(ctx, "notice", fromDay, toDay)
	if err != nil {
		return nil, err
	}
	delivered, err := tx.DeliveriesByMonth(ctx, fromDay, toDay)
	if err != nil {
		return nil, err
	}
	moved := map[string]map[string]int{"setup_done": {}, "issued": {}}
	err = tx.EachStatusEventTime(ctx, []string{"setup_done", "issued"}, first, end, func(status string, at time.Time) {
		moved[status][at.In(s.loc).Format("2006-01")]++
	})
	if err != nil {
		return nil, err
	}
	pop, err := tx.PopulationSeries(ctx)
	if err != nil {
		return nil, err
	}
	var out []MonthFigures
	for mo := first; !mo.After(last); mo = mo.AddDate(0, 1, 0) {
		key := mo.Format("2006-01")
		f := MonthFigures{Month: key, Delivered: delivered[key], Setup: moved["setup_done"][key],
			Notices: notices[key], Issued: moved["issued"][key], Population: populationAt(pop, key)}
		if f.Applications, err = tx.ApplicationsBetween(ctx, mo, mo.AddDate(0, 1, 0)); err != nil {
			return nil, err
		}
		if f.IssuedTotal, err = tx.IssuedBefore(ctx, mo.AddDate(0, 1, 0)); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// populationAt is the population of the month, or of the latest month
// entered before it.
func populationAt(series []store.Population, month string) int {
	n := 0
	for _, p := range series {
		if p.Month <= month {
			n = p.Residents
		}
	}
	return n
}

// Population lists the months entered.
func (s *Service) Population(ctx context.Context) ([]store.Population, error) {
	var out []store.Population
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { out, err = tx.PopulationSeries(ctx); return err })
	return out, err
}

// SetPopulation enters a month's population (住民基本台帳人口), audited.
func (s *Service) SetPopulation(ctx context.Context, p auth.Principal, m auth.Meta, month string, residents int) error {
	var fields apperr.Fields
	if _, err := time.Parse("2006-01", month); err != nil {
		fields.Add("month", "年月は 2026-04 の形で入力してください。")
	}
	if residents < 1 || residents > 50_000_000 {
		fields.Add("residents", "人口は 1 以上の整数で入力してください。")
	}
	if len(fields) > 0 {
		return apperr.WithFields(fields[0].Message, fields)
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.PutPopulation(ctx, store.Population{Month: month, Residents: residents, UpdatedAt: s.clock.Now(), UpdatedBy: p.Username}); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "report.population_set", "population:"+month, map[string]any{"residents": residents})
	})
}

// reportTable is the report as header and rows of text, in the columns of
// the settings.
func (s *Service) reportTable(ctx context.Context, p auth.Principal, m auth.Meta, from, to string) ([]string, [][]string, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, nil, err
	}
	figs, err := s.Figures(ctx, p, m, from, to)
	if err != nil {
		return nil, nil, err
	}
	cols := st.ReportColumns
	if len(cols) == 0 {
		cols = DefaultReportColumns()
	}
	rows := make([][]string, len(figs))
	for i, f := range figs {
		for _, c := range cols {
			fn, _ := reportColumn(c)
			rows[i] = append(rows[i], fn(f))
		}
	}
	return cols, rows, nil
}

// ReportCSV writes the monthly report as CSV.
func (s *Service) ReportCSV(ctx context.Context, p auth.Principal, m auth.Meta, from, to string, enc export.Encoding, w io.Writer) error {
	cols, rows, err := s.reportTable(ctx, p, m, from, to)
	if err != nil {
		return err
	}
	x := export.NewWriter(w, enc)
	if err := x.Header(cols); err != nil {
		return err
	}
	for _, r := range rows {
		if err := x.Row(r); err != nil {
			return err
		}
	}
	return nil
}

// ReportExcel writes the monthly report as an .xlsx workbook, counts as
// numbers so that the sheet adds them up.
func (s *Service) ReportExcel(ctx context.Context, p auth.Principal, m auth.Meta, from, to string, w io.Writer) error {
	cols, rows, err := s.reportTable(ctx, p, m, from, to)
	if err != nil {
		return err
	}
	cellRows := make([][]any, len(rows))
	for i, r := range rows {
		cellRows[i] = cells(r)
	}
	return export.WriteXLSX(w, "月次報告", cols, cellRows)
}

// cells types a report row for the sheet: counts and rates are numbers.
func cells(texts []string) []any {
	out := make([]any, len(texts))
	for i, t := range texts {
		out[i] = t
		if n, err := strconv.Atoi(t); err == nil {
			out[i] = n
		} else if x, err := strconv.ParseFloat(t, 64); err == nil {
			out[i] = x
		}
	}
	return out
}
