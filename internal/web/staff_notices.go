package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/notice"
	"github.com/kofu-oss/kofu/internal/paper"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
)

// noticePages are the staff pages of notice batches (make, print,
// confirm), the wave planner, the notice settings and the national
// monthly report.
type noticePages struct {
	ui *UI
	n  *notice.Service
}

// RegisterNotices adds the notice pages; the dashboard shows the plan too.
func (ui *UI) RegisterNotices(rt *route.Router, n *notice.Service) {
	ui.notices = n
	p := &noticePages{ui: ui, n: n}
	rt.Handle("GET /staff/notices/batches", route.AnyStaff, p.batches)
	rt.Handle("POST /staff/notices/batches", route.Staff, p.create)
	rt.Handle("GET /staff/notices/batches/{id}", route.AnyStaff, p.batch)
	rt.Handle("POST /staff/notices/batches/{id}/sent", route.Staff, p.confirm)
	rt.Handle("GET /staff/notices/batches/{id}/letters.pdf", route.Staff, p.pdf("letters", n.Letters))
	rt.Handle("GET /staff/notices/batches/{id}/labels.pdf", route.Staff, p.pdf("labels", n.Labels))
	rt.Handle("GET /staff/notices/batches/{id}/batch.csv", route.Staff, p.csv)
	rt.Handle("GET /staff/notices/plan", route.AnyStaff, p.plan)
	rt.Handle("GET /staff/settings/notices", route.Admin, p.settings)
	rt.Handle("POST /staff/settings/notices", route.Admin, p.saveSettings)
	rt.Handle("GET /staff/reports/national", route.AnyStaff, p.national)
	rt.Handle("GET /staff/reports/national/download", route.AnyStaff, p.download)
	rt.Handle("POST /staff/reports/national/population", route.Staff, p.setPopulation)
}

// download saves the monthly report: format=xlsx, or CSV (encoding=cp932
// for Shift_JIS).
func (p *noticePages) download(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pr, _ := route.PrincipalOf(r)
	var err error
	var lw *export.LazyResponse
	if q.Get("format") == "xlsx" {
		lw = &export.LazyResponse{W: w, Headers: func(h http.Header) {
			h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			h.Set("Content-Disposition", `attachment; filename="kofu-monthly.xlsx"`)
		}}
		err = p.n.ReportExcel(r.Context(), pr, route.MetaOf(r), q.Get("from"), q.Get("to"), lw)
	} else {
		enc, ok := export.ParseEncoding(q.Get("encoding"))
		if !ok {
			enc = export.UTF8
		}
		lw = &export.LazyResponse{W: w, Headers: func(h http.Header) { export.SetHeaders(h, "kofu-monthly.csv", enc) }}
		err = p.n.ReportCSV(r.Context(), pr, route.MetaOf(r), q.Get("from"), q.Get("to"), enc, lw)
	}
	if err != nil && !lw.Started() {
		p.ui.ErrorPage(w, r, err)
	}
}

// nbList is the batch list page: the batches and the form of a new one.
type nbList struct {
	Batches []store.NoticeBatch
	Total   int
	Kinds   []string
	Form    url.Values
	Next    int // the planner's suggestion for this week
	CanAct  bool
}

func (p *noticePages) batches(w http.ResponseWriter, r *http.Request) {
	p.showBatches(w, r, http.StatusOK, view{}, url.Values{})
}

func (p *noticePages) showBatches(w http.ResponseWriter, r *http.Request, status int, v view, form url.Values) {
	bs, total, err := p.n.List(r.Context(), 50, 0)
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	data := nbList{Batches: bs, Total: total, Kinds: notice.Kinds, Form: form, CanAct: canAct(r), Next: -1}
	if pl, err := p.n.Plan(r.Context(), 0); err == nil {
		data.Next = pl.Next
	}
	if form.Get("count") == "" && data.Next > 0 {
		form.Set("count", strconv.Itoa(data.Next))
	}
	v.Title, v.Data = "通知書の発送分", data
	p.ui.render(w, r, status, "notice_batches", v)
}

func (p *noticePages) create(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	sel := notice.Selection{Kind: f.Get("kind"), DeliveredFrom: f.Get("delivered_from"), DeliveredTo: f.Get("delivered_to"),
		Box: strings.TrimSpace(f.Get("box")), Place: strings.TrimSpace(f.Get("place")), Method: card.Method(f.Get("method"))}
	sel.CardIDs = chosenCards(r) // ticked on the list of cards waiting for their notice
	if len(sel.CardIDs) == 0 {
		sel.Count, _ = strconv.Atoi(strings.TrimSpace(f.Get("count")))
		if sel.Count == 0 && f.Get("count") != "" {
			sel.Count = -1 // not a number: the service names the field
		}
	}
	pr, _ := route.PrincipalOf(r)
	b, err := p.n.Create(r.Context(), pr, route.MetaOf(r), sel)
	if err != nil {
		p.showBatches(w, r, statusFor(err), withError(view{}, err), f)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/staff/notices/batches/%d?done=created", b.ID), http.StatusSeeOther)
}

// nbDetail is a batch's page.
type nbDetail struct {
	notice.Batch
	KindLabel string
	Today     string
	CanAct    bool
	Skipped   []notice.HeldCard
	Held      []nbHeld
}

// nbHeld is a held card as the page shows it: the name with the city's
// 外字 table applied.
type nbHeld struct {
	notice.HeldCard
	DisplayName string
	Unmapped    bool
}

var batchNotices = map[string]string{
	"created": "発送分を作りました。案内文と宛名ラベルを印刷し、郵便に出したら発送日を記録してください。",
	"sent":    "発送を記録しました。各カードは「通知書発送済」になりました。",
}

func (p *noticePages) batch(w http.ResponseWriter, r *http.Request) {
	p.showBatch(w, r, http.StatusOK, view{Notice: batchNotices[r.URL.Query().Get("done")]}, nil)
}

func (p *noticePages) showBatch(w http.ResponseWriter, r *http.Request, status int, v view, skipped []notice.HeldCard) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	pr, _ := route.PrincipalOf(r)
	b, err := p.n.Get(r.Context(), pr, route.MetaOf(r), id)
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	data := nbDetail{Batch: b, KindLabel: notice.KindLabel(b.Kind), Today: p.ui.today(), CanAct: canAct(r), Skipped: skipped}
	table, _ := p.ui.Gaiji.Map(r.Context())
	for _, h := range b.HeldCards {
		shown := moji.ApplyGaiji(h.Name, table)
		data.Held = append(data.Held, nbHeld{HeldCard: h, DisplayName: shown, Unmapped: moji.HasPUA(shown)})
	}
	v.Title, v.Data = fmt.Sprintf("発送分 %d", b.ID), data
	p.ui.render(w, r, status, "notice_batch", v)
}

func (p *noticePages) confirm(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	pr, _ := route.PrincipalOf(r)
	c, err := p.n.Confirm(r.Context(), pr, route.MetaOf(r), id, r.PostFormValue("date"))
	switch {
	case err != nil:
		p.showBatch(w, r, statusFor(err), withError(view{}, err), nil)
	case len(c.Skipped) > 0:
		v := view{Error: fmt.Sprintf("%d 枚は記録できませんでした（%d 枚は記録しました）。", len(c.Skipped), c.Done)}
		p.showBatch(w, r, http.StatusOK, v, c.Skipped)
	default:
		http.Redirect(w, r, fmt.Sprintf("/staff/notices/batches/%d?done=sent", id), http.StatusSeeOther)
	}
}

type renderFn func(ctx context.Context, p auth.Principal, m auth.Meta, id int64, w io.Writer) (paper.Result, error)

func (p *noticePages) pdf(name string, fn renderFn) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		lw := &export.LazyResponse{W: w, Headers: func(h http.Header) {
			h.Set("Content-Type", "application/pdf")
			h.Set("Content-Disposition", fmt.Sprintf(`inline; filename="%s-%d.pdf"`, name, id))
			h.Set("Cache-Control", "no-store")
		}}
		pr, _ := route.PrincipalOf(r)
		if _, err := fn(r.Context(), pr, route.MetaOf(r), id, lw); err != nil && !lw.Started() {
			p.ui.ErrorPage(w, r, err)
		}
	}
}

func (p *noticePages) csv(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	enc, ok := export.ParseEncoding(r.URL.Query().Get("encoding"))
	if !ok {
		enc = export.UTF8
	}
	lw := &export.LazyResponse{W: w, Headers: func(h http.Header) { export.SetHeaders(h, fmt.Sprintf("batch-%d.csv", id), enc) }}
	pr, _ := route.PrincipalOf(r)
	if err := p.n.CSV(r.Context(), pr, route.MetaOf(r), id, enc, lw); err != nil && !lw.Started() {
		p.ui.ErrorPage(w, r, err)
	}
}

// nbPlan is the planner page.
type nbPlan struct {
	notice.Plan
	Weeks int
}

func (p *noticePages) plan(w http.ResponseWriter, r *http.Request) {
	weeks, _ := strconv.Atoi(r.URL.Query().Get("weeks"))
	pl, err := p.n.Plan(r.Context(), weeks)
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	p.ui.render(w, r, http.StatusOK, "notice_plan", view{Title: "発送の計画", Data: nbPlan{Plan: pl, Weeks: len(pl.Weeks)}})
}

// nbSettings is the settings page.
type nbSettings struct {
	notice.Settings
	Kinds        []string
	Placeholders []string
	AllColumns   []string
	Sheets       []int // the label sheets offered
}

// ItemsText is the items to bring, one a line.
func (s nbSettings) ItemsText() string { return strings.Join(s.Items, "\n") }

// HasColumn reports whether the report carries the column.
func (s nbSettings) HasColumn(c string) bool { return slices.Contains(s.ReportColumns, c) }

func (p *noticePages) settings(w http.ResponseWriter, r *http.Request) {
	st, err := p.n.Settings(r.Context())
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	v := view{}
	if r.URL.Query().Get("done") == "1" {
		v.Notice = "通知書の設定を保存しました。"
	}
	p.showSettings(w, r, http.StatusOK, v, st)
}

func (p *noticePages) showSettings(w http.ResponseWriter, r *http.Request, status int, v view, st notice.Settings) {
	v.Title = "通知書の設定"
	v.Data = nbSettings{Settings: st, Kinds: notice.Kinds, Placeholders: paper.Placeholders, AllColumns: notice.DefaultReportColumns(),
		Sheets: []int{12, 18, 21, 24}}
	p.ui.render(w, r, status, "notice_settings", v)
}

// saveSettings saves the form, or with preview=<kind> answers a sample
// letter of that kind drawn from the form as typed, without saving.
func (p *noticePages) saveSettings(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	st := settingsFromForm(r.PostForm)
	if kind := r.PostForm.Get("preview"); kind != "" {
		var buf bytes.Buffer
		if err := p.n.Preview(r.Context(), st, kind, &buf); err != nil {
			p.showSettings(w, r, statusFor(err), withError(view{}, err), st)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `inline; filename="preview.pdf"`)
		w.Write(buf.Bytes())
		return
	}
	pr, _ := route.PrincipalOf(r)
	if err := p.n.SaveSettings(r.Context(), pr, route.MetaOf(r), st); err != nil {
		p.showSettings(w, r, statusFor(err), withError(view{}, err), st)
		return
	}
	http.Redirect(w, r, "/staff/settings/notices?done=1", http.StatusSeeOther)
}

func settingsFromForm(f url.Values) notice.Settings {
	st := notice.DefaultSettings()
	num := func(name string, dst *float64) {
		if v, err := strconv.ParseFloat(strings.TrimSpace(f.Get(name)), 64); err == nil {
			*dst = v
		}
	}
	integer := func(name string, dst *int) {
		v, err := strconv.Atoi(strings.TrimSpace(f.Get(name)))
		if err != nil {
			v = 0 // reported as out of range
		}
		*dst = v
	}
	st.Paper, st.Household = f.Get("paper"), f.Get("household") == "1"
	num("window_x", &st.WindowX)
	num("window_y", &st.WindowY)
	num("window_w", &st.WindowW)
	num("window_h", &st.WindowH)
	num("offset_x", &st.OffsetX)
	num("offset_y", &st.OffsetY)
	integer("labels", &st.Labels)
	integer("deadline_days", &st.DeadlineDays)
	integer("plan_weeks", &st.PlanWeeks)
	integer("target_fill", &st.TargetFill)
	st.City, st.Contact, st.SiteURL = strings.TrimSpace(f.Get("city")), strings.TrimSpace(f.Get("contact")), strings.TrimSpace(f.Get("site_url"))
	st.Items = nil
	for _, line := range strings.Split(strings.ReplaceAll(f.Get("items"), "\r\n", "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			st.Items = append(st.Items, line)
		}
	}
	for _, kind := range notice.Kinds {
		st.Templates[kind] = notice.Template{Title: strings.TrimSpace(f.Get("title_" + kind)),
			Body: strings.ReplaceAll(f.Get("body_"+kind), "\r\n", "\n")}
	}
	st.ReportColumns = nil
	for _, c := range notice.DefaultReportColumns() {
		if slices.Contains(f["column"], c) {
			st.ReportColumns = append(st.ReportColumns, c)
		}
	}
	return st
}

// nbNational is the national report page.
type nbNational struct {
	Months     []notice.MonthFigures
	Population []store.Population
	From, To   string
	ThisMonth  string
	CanAct     bool
}

func (p *noticePages) national(w http.ResponseWriter, r *http.Request) {
	p.showNational(w, r, http.StatusOK, view{Notice: map[string]string{"1": "人口を保存しました。"}[r.URL.Query().Get("done")]})
}

func (p *noticePages) showNational(w http.ResponseWriter, r *http.Request, status int, v view) {
	q := r.URL.Query()
	this := p.ui.today()[:7]
	from, to := q.Get("from"), q.Get("to")
	if to == "" {
		to = this
	}
	if from == "" {
		from = monthsBefore(to, 11)
	}
	pr, _ := route.PrincipalOf(r)
	figs, err := p.n.Figures(r.Context(), pr, route.MetaOf(r), from, to)
	if err != nil {
		v = withError(v, err)
		from, to = monthsBefore(this, 11), this
		if figs, err = p.n.Figures(r.Context(), pr, route.MetaOf(r), from, to); err != nil {
			p.ui.ErrorPage(w, r, err)
			return
		}
	}
	pop, err := p.n.Population(r.Context())
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	v.Title, v.Data = "交付率と月次報告", nbNational{Months: figs, Population: pop, From: from, To: to, ThisMonth: this, CanAct: canAct(r)}
	p.ui.render(w, r, status, "national_report", v)
}

func monthsBefore(month string, n int) string {
	y, _ := strconv.Atoi(month[:4])
	m, _ := strconv.Atoi(month[5:7])
	t := y*12 + m - 1 - n
	return fmt.Sprintf("%04d-%02d", t/12, t%12+1)
}

func (p *noticePages) setPopulation(w http.ResponseWriter, r *http.Request) {
	residents, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("residents")), ",", ""))
	if err != nil {
		residents = 0
	}
	pr, _ := route.PrincipalOf(r)
	if err := p.n.SetPopulation(r.Context(), pr, route.MetaOf(r), r.PostFormValue("month"), residents); err != nil {
		p.showNational(w, r, statusFor(err), withError(view{}, err))
		return
	}
	http.Redirect(w, r, "/staff/reports/national?done=1", http.StatusSeeOther)
}

// today is the city's date.
func (ui *UI) today() string {
	return ui.Ledger.Today(ui.Loc).Format("2006-01-02")
}
