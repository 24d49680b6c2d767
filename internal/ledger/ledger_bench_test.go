package ledger_test

import (
	"slices"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
)

// BenchmarkLedgerSearch1M is BenchmarkSearch1M (internal/store) through
// the service, as the API calls it: input normalisation, the search and
// the audit entry written for it.
func BenchmarkLedgerSearch1M(b *testing.B) {
	svc := ledger.New(ledgertest.OpenBenchDB(b, 1_000_000), clock.System{})
	queries := []string{"サトウ", "ﾀｶﾊｼ", "ヤマ", "ミヤ", "なかむら", "佐藤", "山田", "直美", "田中", "高橋"}
	var durs []time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		if _, err := svc.Search(ctx, staff(), meta(), ledger.Query{Q: queries[i%len(queries)]}); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(start))
		i++
	}
	slices.Sort(durs)
	b.ReportMetric(float64(durs[len(durs)*95/100].Microseconds())/1000, "p95-ms")
}
