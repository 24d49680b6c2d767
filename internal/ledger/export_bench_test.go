package ledger_test

import (
	"io"
	"testing"

	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// BenchmarkExport20k writes the CSV export of 20,000 cards on each
// engine; rows/s is the figure kofubench compares with a raw SELECT
// written by encoding/csv.
func BenchmarkExport20k(b *testing.B) {
	const cards = 20_000
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			db := storetest.MustOpen(b, e)
			if err := ledgertest.SeedCards(ctx, db, cards); err != nil {
				b.Fatal(err)
			}
			svc := ledger.New(db, clock.System{})
			admin := staff()
			for b.Loop() {
				if err := svc.Export(ctx, admin, meta(), ledger.Query{}, export.UTF8, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cards*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
