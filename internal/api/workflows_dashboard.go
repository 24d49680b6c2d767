package api

import (
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger"
)

type wfCountJSON struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

type wfStockRowJSON struct {
	Status card.Status `json:"status"`
	Label  string      `json:"label"`
	Counts []int       `json:"counts"`
	Total  int         `json:"total"`
}

type wfStockJSON struct {
	Ages   []string         `json:"ages"` // labels of the counts, by days since delivery
	Rows   []wfStockRowJSON `json:"rows"`
	Totals []int            `json:"totals"`
	Total  int              `json:"total"`
}

type wfDashboardJSON struct {
	Today            string        `json:"today"`
	Funnel           []wfCountJSON `json:"funnel"`
	Stock            wfStockJSON   `json:"stock"`
	NoticesOverdue   int           `json:"notices_overdue"`
	RenoticesDue     int           `json:"renotices_due"`
	DisposalsDue     int           `json:"disposals_due"`
	DisposalsPending int           `json:"disposals_pending"`
	DisposalsHeld    int           `json:"disposals_held"`
	NoShowsThisMonth int           `json:"no_shows_this_month"`
	IssuedDaily      []wfCountJSON `json:"issued_daily"`  // key: the date
	IssuedWeekly     []wfCountJSON `json:"issued_weekly"` // key: the Monday of the week
}

func wfDashboardJSONOf(d ledger.Dashboard) wfDashboardJSON {
	out := wfDashboardJSON{Today: d.Today, Funnel: wfCountsJSON(d.Funnel),
		Stock:          wfStockJSON{Ages: d.StockAges, Totals: d.StockTotals, Total: d.StockTotal, Rows: make([]wfStockRowJSON, len(d.Stock))},
		NoticesOverdue: d.NoticesOverdue, RenoticesDue: d.RenoticesDue, DisposalsDue: d.DisposalsDue,
		DisposalsPending: d.DisposalsPending, DisposalsHeld: d.DisposalsHeld, NoShowsThisMonth: d.NoShowsThisMonth,
		IssuedDaily: wfCountsJSON(d.Daily), IssuedWeekly: wfCountsJSON(d.Weekly)}
	for i, r := range d.Stock {
		out.Stock.Rows[i] = wfStockRowJSON{Status: r.Status, Label: r.Status.Label(), Counts: r.Counts, Total: r.Total}
	}
	return out
}

func wfCountsJSON(cs []ledger.Count) []wfCountJSON {
	out := make([]wfCountJSON, len(cs))
	for i, c := range cs {
		out[i] = wfCountJSON{Key: c.Key, Label: c.Label, Count: c.Count}
	}
	return out
}
