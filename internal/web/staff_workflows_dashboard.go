package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/kofu-oss/kofu/internal/backup"
	"github.com/kofu-oss/kofu/internal/counter"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/notice"
	"github.com/kofu-oss/kofu/internal/route"
)

// wfDashboard is the dashboard page: the numbers, and the issuance charts
// drawn on the server (no script, no CDN).
type wfDashboard struct {
	ledger.Dashboard
	Funnel []wfFunnelStep
	Daily  wfChart
	Weekly wfChart
	Backup *wfBackup    // nil when this server does not know backups
	Plan   *notice.Plan // the wave plan; nil when it cannot be made
	// DocumentsDue counts the documents past their retention; nil without
	// the documents pages.
	DocumentsDue *int
	// Queue is the counter's waits (check-in to call, call to done); nil
	// without the counter pages.
	Queue *counter.Figures
}

// wfBackup is the last backup as the dashboard shows it: a success older
// than backupMaxAge, a failure or none at all is a warning.
type wfBackup struct {
	backup.Status
	Stale bool
}

// queueFigureDays is how many days of counter waits the dashboard shows.
const queueFigureDays = 14

// backupMaxAge leaves a daily backup a couple of hours of slack.
const backupMaxAge = 26 * time.Hour

// wfFunnelStep is a funnel stage with its share of the cards that arrived.
type wfFunnelStep struct {
	Label   string
	N       int
	Percent int
}

func (p *workflowPages) dashboard(w http.ResponseWriter, r *http.Request) {
	pr, _ := route.PrincipalOf(r)
	d, err := p.wf.Dashboard(r.Context(), pr, route.MetaOf(r))
	if err != nil {
		p.ui.ErrorPage(w, r, err)
		return
	}
	data := wfDashboard{Dashboard: d, Funnel: funnelSteps(d.Funnel),
		Daily:  newChart("daily", fmt.Sprintf("日ごとの交付枚数（直近%d日）", len(d.Daily)), d.Daily),
		Weekly: newChart("weekly", fmt.Sprintf("週ごとの交付枚数（直近%d週、月曜始まり）", len(d.Weekly)), d.Weekly)}
	if p.ui.Backups != nil {
		st, err := p.ui.Backups(r.Context())
		if err != nil {
			p.ui.ErrorPage(w, r, err)
			return
		}
		data.Backup = &wfBackup{Status: st, Stale: st.Stale(p.ui.Clock.Now(), backupMaxAge)}
	}
	if p.ui.notices != nil {
		if pl, err := p.ui.notices.Plan(r.Context(), 0); err == nil {
			data.Plan = &pl
		}
	}
	if p.ui.documents != nil {
		if due, err := p.ui.documents.RetentionDue(r.Context()); err == nil {
			n := len(due)
			data.DocumentsDue = &n
		}
	}
	if p.ui.counter != nil {
		if f, err := p.ui.counter.Figures(r.Context(), queueFigureDays); err == nil {
			data.Queue = &f
		}
	}
	p.ui.render(w, r, http.StatusOK, "dashboard", view{Title: "ダッシュボード", Data: data})
}

func funnelSteps(cs []ledger.Count) []wfFunnelStep {
	out := make([]wfFunnelStep, len(cs))
	for i, c := range cs {
		out[i] = wfFunnelStep{Label: c.Label, N: c.Count}
		if cs[0].Count > 0 {
			out[i].Percent = c.Count * 100 / cs[0].Count
		}
	}
	return out
}

// b2w keeps a bar of a non-zero count visible.
func b2w(n int) int {
	if n > 0 {
		return 1
	}
	return 0
}

// wfChart is a bar chart laid out for SVG: every coordinate is computed
// here, so the template only places them.
type wfChart struct {
	ID     string
	Title  string
	Desc   string
	Width  int
	Height int
	Base   int // y of the axis
	Bars   []wfBar
	Max    int
	Total  int
	Rows   []ledger.Count // the same numbers, for the table
}

type wfBar struct {
	X, Y, W, H     int
	LabelX, LabelY int
	ValueY         int
	Label          string
	Short          string // the axis label: M/D
	Count          int
}

// shortDate writes 2025-06-02 as 6/2 for the axis.
func shortDate(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("1/2")
}

// Chart geometry, in SVG user units.
const (
	chartBarWidth = 44
	chartGap      = 12
	chartTop      = 24 // room for the value above the tallest bar
	chartPlot     = 160
	chartBottom   = 40 // room for the labels
	chartLeft     = 8
)

func newChart(id, title string, counts []ledger.Count) wfChart {
	c := wfChart{ID: id, Title: title, Rows: counts, Base: chartTop + chartPlot,
		Width: chartLeft*2 + len(counts)*(chartBarWidth+chartGap), Height: chartTop + chartPlot + chartBottom}
	for _, n := range counts {
		c.Max, c.Total = max(c.Max, n.Count), c.Total+n.Count
	}
	for i, n := range counts {
		h := 0
		if c.Max > 0 {
			h = max(n.Count*chartPlot/c.Max, b2w(n.Count))
		}
		x := chartLeft + i*(chartBarWidth+chartGap) + chartGap/2
		c.Bars = append(c.Bars, wfBar{X: x, Y: c.Base - h, W: chartBarWidth, H: h, LabelX: x + chartBarWidth/2,
			LabelY: c.Base + 18, ValueY: c.Base - h - 6, Label: n.Label, Short: shortDate(n.Key), Count: n.Count})
	}
	c.Desc = fmt.Sprintf("合計%d枚、最大%d枚。数値は下の表にもあります。", c.Total, c.Max)
	return c
}
