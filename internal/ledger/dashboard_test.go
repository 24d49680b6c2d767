package ledger_test

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestDashboardNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// Three cards reach the counter; two are issued on different days.
		for i := 1; i <= 3; i++ {
			ledgertest.MustCard(t, db, ledgertest.Seed{App: i, Status: card.StatusSetupDone, Delivery: "2025-05-20"})
		}
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 4, Status: card.StatusArrived, Delivery: "2024-01-01"})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 5, Status: card.StatusCancelled})
		mustSend(t, wfAt(t, db, "2025-02-01"), "2025-02-01", 1, 2, 3)
		issue := func(day string, id int64) {
			if _, err := wfAt(t, db, day).Transition(ctx, staff(), meta(), id, card.StatusIssued, "", ""); err != nil {
				t.Fatal(err)
			}
		}
		issue("2025-05-30", 1) // a Friday, in the week of 5/26
		issue("2025-06-02", 2) // the Monday of this week
		d, err := wfAt(t, db, "2025-06-03").Dashboard(ctx, staff(), meta())
		if err != nil {
			t.Fatal(err)
		}
		funnel := []int{}
		for _, c := range d.Funnel {
			funnel = append(funnel, c.Count)
		}
		if !slices.Equal(funnel, []int{5, 3, 3, 2, 2}) || d.Funnel[0].Label != "入荷" || d.Funnel[4].Label != "交付済" {
			t.Errorf("funnel %+v", d.Funnel)
		}
		// Card 3 waits past its deadline (5/2) and its re-notice is due (from 5/16).
		if d.NoticesOverdue != 1 || d.RenoticesDue != 1 || d.DisposalsDue != 1 || d.DisposalsPending != 0 || d.NoShowsThisMonth != 0 {
			t.Errorf("due counts %+v", d)
		}
		// On hand: card 3 (notice_sent, 14 days), card 4 (arrived, over a year), card 5 (cancelled, no date).
		if d.StockTotal != 3 || !slices.Equal(d.StockTotals, []int{1, 0, 0, 0, 1, 1}) || len(d.StockAges) != 6 {
			t.Errorf("stock %d %v", d.StockTotal, d.StockTotals)
		}
		for _, row := range d.Stock {
			if row.Status == card.StatusIssued || (row.Status == card.StatusNoticeSent && row.Total != 1) {
				t.Errorf("stock row %+v", row)
			}
		}
		if len(d.Daily) != ledger.DashboardDays || d.Daily[13].Key != "2025-06-03" || d.Daily[12].Count != 1 || d.Daily[9].Count != 1 ||
			d.Daily[12].Label != "6/2（月）" {
			t.Errorf("daily %+v", d.Daily)
		}
		weeks := d.Weekly
		if len(weeks) != ledger.DashboardWeeks || weeks[11].Key != "2025-06-02" || weeks[11].Count != 1 || weeks[10].Count != 1 ||
			weeks[10].Label != "5/26〜" {
			t.Errorf("weekly %+v", weeks)
		}
		if e := auditEntries(t, db, "dashboard.viewed"); len(e) != 1 || e[0].Actor != "tanaka" {
			t.Errorf("audit %+v", e)
		}
	})
}

func TestExportAndPrintAreRecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "A1B-123456", Name: "\ue000田　花子", Status: card.StatusSetupDone})
		mustSend(t, wfAt(t, db, "2025-01-10"), "2025-01-10", rec.ID)
		cancelled := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Status: card.StatusCancelled, Name: "=HYPERLINK()"})
		wf := wfAt(t, db, "2025-06-02")
		var out bytes.Buffer
		if err := wf.ExportList(ctx, staff(), meta(), ledger.ListRenotices, export.UTF8, &out); err != nil {
			t.Fatal(err)
		}
		text := out.String()
		if !strings.Contains(text, "再通知の対象日") || !strings.Contains(text, "A1B-123456") || !strings.Contains(text, "2025-04-24") {
			t.Errorf("renotice csv %q", text)
		}
		out.Reset()
		if err := wf.ExportList(ctx, staff(), meta(), ledger.ListDisposals, export.UTF8, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "'=HYPERLINK()") || !strings.Contains(out.String(), "廃止されたカード,即時") {
			t.Errorf("disposal csv %q", out.String())
		}
		printed, err := wf.PrintDisposals(ctx, staff(), meta())
		if err != nil || !slices.Equal(itemIDs(printed), []int64{cancelled.ID}) {
			t.Errorf("print %v %v", itemIDs(printed), err)
		}
		for action, id := range map[string]int64{"card.renotices_exported": rec.ID, "card.disposals_exported": cancelled.ID,
			"card.disposals_printed": cancelled.ID} {
			e := auditEntries(t, db, action)
			if len(e) != 1 || !strings.Contains(e[0].Detail, `"card_ids":[`+strconv.FormatInt(id, 10)+`]`) {
				t.Errorf("%s: %+v", action, e)
			}
		}
	})
}

// TestDashboardCountsHandoversAsTheIssuedListDoes: the charts and the
// day's issued list count the same thing, a handover, on the city's local
// day. A card that entered the ledger already issued (a ledger import) was
// handed over some other day and counts in neither.
func TestDashboardCountsHandoversAsTheIssuedListDoes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		handed := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusNoticeSent})
		imported := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Status: card.StatusIssued})
		err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.InsertCardEvent(ctx, &store.CardEvent{CardID: imported.ID, At: time.Date(2025, 6, 3, 1, 0, 0, 0, time.UTC),
				Actor: "import", Kind: store.EventImport, ToStatus: card.StatusIssued})
		})
		if err != nil {
			t.Fatal(err)
		}
		// 00:30 in Tokyo on 6/3 is still 6/2 in UTC.
		early := ledger.NewWorkflows(ledger.New(db, clock.NewFixed(time.Date(2025, 6, 2, 15, 30, 0, 0, time.UTC))), tokyo(t))
		if _, err := early.Transition(ctx, staff(), meta(), handed.ID, card.StatusIssued, "", ""); err != nil {
			t.Fatal(err)
		}
		wf := wfAt(t, db, "2025-06-03")
		d, err := wf.Dashboard(ctx, staff(), meta())
		if err != nil {
			t.Fatal(err)
		}
		if last := d.Daily[len(d.Daily)-1]; last.Key != "2025-06-03" || last.Count != 1 || d.Daily[len(d.Daily)-2].Count != 0 {
			t.Errorf("daily %+v", d.Daily)
		}
		if week := d.Weekly[len(d.Weekly)-1]; week.Key != "2025-06-02" || week.Count != 1 {
			t.Errorf("weekly %+v", d.Weekly)
		}
		list, err := wf.IssuedOn(ctx, staff(), meta(), "2025-06-03")
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Cards) != 1 || list.Cards[0].ID != handed.ID {
			t.Errorf("issued list %+v", list.Cards)
		}
	})
}
