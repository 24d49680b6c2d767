package ledger

import (
	"context"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// Count is one labelled number (a funnel stage, a day's issuance).
type Count struct {
	Label string
	Key   string // stable identifier: a stage code or a date
	Count int
}

// StockRow is the stock on hand in one status, by age.
type StockRow struct {
	Status card.Status
	Counts []int // per StockAges bucket
	Total  int
}

// Dashboard is the city's overview: the national funnel, stock on hand,
// what is overdue or due, and issuance over time. It holds numbers only.
type Dashboard struct {
	Today            string
	Funnel           []Count
	StockAges        []string // labels of the age buckets (days since delivery)
	Stock            []StockRow
	StockTotals      []int // per bucket
	StockTotal       int
	NoticesOverdue   int // waiting past the notice's deadline
	RenoticesDue     int
	DisposalsDue     int
	DisposalsPending int // proposed, waiting for a second staff member
	DisposalsHeld    int
	NoShowsThisMonth int
	Daily            []Count // issued per day, last DashboardDays days, oldest first
	Weekly           []Count // issued per week (Monday to Sunday), last DashboardWeeks weeks
}

// Spans of the issuance charts.
const (
	DashboardDays  = 14
	DashboardWeeks = 12
)

// funnelStages are the national progress report's stages. A card counts
// for every stage it reached, so the numbers never grow down the funnel:
// an issued card counts as booked even when its owner came without a
// booking, and a 申請時来庁 card's mailing counts as its notice.
func funnelStages() []struct {
	key, label string
	statuses   []card.Status
} {
	issued := []card.Status{card.StatusIssued}
	booked := append([]card.Status{card.StatusReserved}, issued...)
	noticed := append([]card.Status{card.StatusNoticeSent, card.StatusNoticeReturned, card.StatusMailed, card.StatusMailReturned}, booked...)
	setup := append([]card.Status{card.StatusSetupDone}, noticed...)
	return []struct {
		key, label string
		statuses   []card.Status
	}{
		{"arrived", "入荷", nil},
		{"setup_done", "交付前設定済", setup},
		{"notice_sent", "通知書発送済（郵送を含む）", noticed},
		{"booked", "予約済（交付済を含む）", booked},
		{"issued", "交付済", issued},
	}
}

// stockAges are the age buckets of stock: upper bounds in days since
// delivery (inclusive); the last bucket has no bound, then unknown.
func stockAges() ([]int, []string) {
	return []int{30, 90, 180, 365}, []string{"30日以内", "31〜90日", "91〜180日", "181〜365日", "1年超", "納品日不明"}
}

// Dashboard computes the overview as of now and records that p viewed it.
func (w *Workflows) Dashboard(ctx context.Context, p auth.Principal, m auth.Meta) (Dashboard, error) {
	var d Dashboard
	err := w.db.View(ctx, func(tx *store.Tx) error {
		ev, err := w.evaluation(ctx, tx)
		if err != nil {
			return err
		}
		d.Today = ev.today
		for _, step := range []func(context.Context, *store.Tx, evaluation, *Dashboard) error{
			w.funnel, w.stock, w.dueCounts, w.issuance, w.noShows} {
			if err := step(ctx, tx, ev, &d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Dashboard{}, err
	}
	err = w.db.Update(ctx, func(tx *store.Tx) error {
		return w.audit(ctx, tx, p, m, "dashboard.viewed", "dashboard", nil)
	})
	return d, err
}

func (w *Workflows) funnel(ctx context.Context, tx *store.Tx, _ evaluation, d *Dashboard) error {
	stages := funnelStages()
	sets := make([][]card.Status, len(stages))
	for i, s := range stages {
		sets[i] = s.statuses
	}
	counts, err := tx.FunnelCounts(ctx, sets)
	if err != nil {
		return err
	}
	for i, s := range stages {
		d.Funnel = append(d.Funnel, Count{Label: s.label, Key: s.key, Count: counts[i]})
	}
	return nil
}

func (w *Workflows) stock(ctx context.Context, tx *store.Tx, ev evaluation, d *Dashboard) error {
	var onHand []card.Status
	for _, s := range card.AllStatuses() {
		if card.OnHand(s) {
			onHand = append(onHand, s)
		}
	}
	rows, err := tx.StockByDelivery(ctx, onHand)
	if err != nil {
		return err
	}
	bounds, labels := stockAges()
	d.StockAges, d.StockTotals = labels, make([]int, len(labels))
	byStatus := map[card.Status]*StockRow{}
	for _, s := range onHand {
		d.Stock = append(d.Stock, StockRow{Status: s, Counts: make([]int, len(labels))})
	}
	for i := range d.Stock {
		byStatus[d.Stock[i].Status] = &d.Stock[i]
	}
	for _, r := range rows {
		b := ageBucket(r.DeliveryDate, ev.today, bounds)
		row := byStatus[r.Status]
		row.Counts[b] += r.Count
		row.Total += r.Count
		d.StockTotals[b] += r.Count
		d.StockTotal += r.Count
	}
	return nil
}

// ageBucket places a delivery date among the bounds (days since delivery);
// the bucket after the last bound is older, the one after that unknown.
func ageBucket(delivery, today string, bounds []int) int {
	dd, err1 := time.Parse(time.DateOnly, delivery)
	td, err2 := time.Parse(time.DateOnly, today)
	if err1 != nil || err2 != nil {
		return len(bounds) + 1
	}
	days := int(td.Sub(dd).Hours() / 24)
	for i, b := range bounds {
		if days <= b {
			return i
		}
	}
	return len(bounds)
}

func (w *Workflows) dueCounts(ctx context.Context, tx *store.Tx, ev evaluation, d *Dashboard) error {
	f := store.WorkflowFilter{Statuses: append(disposalCandidates(), card.StatusDisposalPending)}
	return tx.EachWorkflowCard(ctx, f, func(wc store.WorkflowCard) error {
		a := w.item(wc, ev).Assessment
		d.NoticesOverdue += b2i(a.NoticeOverdue)
		d.RenoticesDue += b2i(a.RenoticeDue)
		d.DisposalsDue += b2i(a.DisposalDue)
		d.DisposalsHeld += b2i(a.Held)
		d.DisposalsPending += b2i(wc.Status == card.StatusDisposalPending)
		return nil
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// issuance counts issued cards per local day and per week from Monday.
func (w *Workflows) issuance(ctx context.Context, tx *store.Tx, ev evaluation, d *Dashboard) error {
	today := time.Date(ev.now.Year(), ev.now.Month(), ev.now.Day(), 0, 0, 0, 0, w.loc)
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	firstWeek := monday.AddDate(0, 0, -7*(DashboardWeeks-1))
	firstDay := today.AddDate(0, 0, -(DashboardDays - 1))
	since := firstWeek
	if firstDay.Before(since) {
		since = firstDay
	}
	times, err := tx.StatusEventTimes(ctx, card.StatusIssued, since)
	if err != nil {
		return err
	}
	perDay := map[string]int{}
	for _, t := range times {
		perDay[t.In(w.loc).Format(time.DateOnly)]++
	}
	for i := range DashboardDays {
		day := firstDay.AddDate(0, 0, i)
		key := day.Format(time.DateOnly)
		d.Daily = append(d.Daily, Count{Label: day.Format("1/2") + weekdayLabel(day), Key: key, Count: perDay[key]})
	}
	for i := range DashboardWeeks {
		start := firstWeek.AddDate(0, 0, 7*i)
		n := 0
		for j := range 7 {
			n += perDay[start.AddDate(0, 0, j).Format(time.DateOnly)]
		}
		d.Weekly = append(d.Weekly, Count{Label: start.Format("1/2") + "〜", Key: start.Format(time.DateOnly), Count: n})
	}
	return nil
}

func weekdayLabel(t time.Time) string {
	return "（" + []string{"日", "月", "火", "水", "木", "金", "土"}[t.Weekday()] + "）"
}

func (w *Workflows) noShows(ctx context.Context, tx *store.Tx, ev evaluation, d *Dashboard) error {
	first := time.Date(ev.now.Year(), ev.now.Month(), 1, 0, 0, 0, 0, w.loc)
	n, err := tx.NoShowsSince(ctx, first)
	d.NoShowsThisMonth = n
	return err
}
