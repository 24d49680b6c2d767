package notice_test

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/notice"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// TestMonthlyFiguresCountTheFunnelAndTheRate seeds April and May: three
// cards set up in April (two delivered then), one issued in April and one
// in May, one imported already issued, notices mailed in May, and the
// population, and reads the
// figures, the CSV in the columns chosen and the Excel sheet.
func TestMonthlyFiguresCountTheFunnelAndTheRate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		at := func(s string) *ledger.Service {
			d, _ := time.ParseInLocation("2006-01-02 15:04", s, tokyo(t))
			return ledger.New(db, clock.NewFixed(d))
		}
		var ids []int64
		for i, delivery := range []string{"2026-04-02", "2026-04-03", "2026-03-30"} {
			rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: i + 1, Notice: "N01-00000" + string(rune('1'+i)), Delivery: delivery})
			ids = append(ids, rec.ID)
			if _, err := at("2026-04-30 23:30").Transition(ctx, staff(), meta(), rec.ID, card.StatusSetupDone, "", ""); err != nil {
				t.Fatal(err)
			}
		}
		// 00:30 on May 1st in Tokyo is still April 30th in UTC: it counts for May.
		for i, when := range []string{"2026-04-30 10:00", "2026-05-01 00:30"} {
			for _, to := range []card.Status{card.StatusNoticeSent, card.StatusIssued} {
				if _, err := at(when).Transition(ctx, staff(), meta(), ids[i], to, "", ""); err != nil {
					t.Fatal(err)
				}
			}
		}
		mustPost(t, db, ids[2], store.PostingNotice, "2026-05-10", home)
		// A card the ledger received already issued, in 2025, has no event: it counts from then.
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 9, Notice: "N01-000009", Status: card.StatusIssued})
		svc := newService(t, db, "2026-05-20")
		if err := svc.SetPopulation(ctx, staff(), meta(), "2026-04", 200); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetPopulation(ctx, staff(), meta(), "2026-13", 200); err == nil {
			t.Fatal("a month 13 was accepted")
		}
		figs, err := svc.Figures(ctx, staff(), meta(), "2026-04", "2026-05")
		if err != nil || len(figs) != 2 {
			t.Fatalf("figures %+v %v", figs, err)
		}
		apr, may := figs[0], figs[1]
		if apr.Delivered != 2 || apr.Setup != 3 || apr.Issued != 1 || apr.IssuedTotal != 2 || apr.RateText() != "1.00" {
			t.Errorf("April %+v rate %s", apr, apr.RateText())
		}
		if may.Notices != 1 || may.Issued != 1 || may.IssuedTotal != 3 || may.Population != 200 || may.RateText() != "1.50" {
			t.Errorf("May %+v rate %s", may, may.RateText())
		}

		st := notice.DefaultSettings()
		st.ReportColumns = []string{notice.ColMonth, notice.ColIssued, notice.ColRate}
		if err := svc.SaveSettings(ctx, staff(), meta(), st); err != nil {
			t.Fatal(err)
		}
		var csv bytes.Buffer
		if err := svc.ReportCSV(ctx, staff(), meta(), "2026-04", "2026-05", export.UTF8, &csv); err != nil {
			t.Fatal(err)
		}
		if want := "\uFEFF年月,交付実施済み数,交付率（%）\r\n2026-04,1,1.00\r\n2026-05,1,1.50\r\n"; csv.String() != want {
			t.Errorf("csv %q, want %q", csv.String(), want)
		}
		var xlsx bytes.Buffer
		if err := svc.ReportExcel(ctx, staff(), meta(), "2026-04", "2026-05", &xlsx); err != nil {
			t.Fatal(err)
		}
		z, err := zip.NewReader(bytes.NewReader(xlsx.Bytes()), int64(xlsx.Len()))
		if err != nil {
			t.Fatal(err)
		}
		var sheet []byte
		for _, f := range z.File {
			if f.Name == "xl/worksheets/sheet1.xml" {
				r, _ := f.Open()
				sheet, _ = io.ReadAll(r)
			}
		}
		for _, cell := range []string{`<c r="A3" t="inlineStr"><is><t xml:space="preserve">2026-05</t></is></c>`, `<c r="B3"><v>1</v></c>`, `<c r="C3"><v>1.5</v></c>`} {
			if !strings.Contains(string(sheet), cell) {
				t.Errorf("sheet lacks %s:\n%s", cell, sheet)
			}
		}
		if _, err := svc.Figures(ctx, staff(), meta(), "2026-05", "2026-04"); err == nil {
			t.Error("a range that ends before it starts was accepted")
		}
	})
}
