package store_test

import (
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
)

// benchCards is the ledger size of BenchmarkSearch1M; KOFU_BENCH_CARDS
// changes it for a quick look at the query plans.
func benchCards(b *testing.B) int {
	if v := os.Getenv("KOFU_BENCH_CARDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("KOFU_BENCH_CARDS: %v", err)
		}
		return n
	}
	return 1_000_000
}

// BenchmarkSearch1M measures the searches staff type at the counter on a
// SQLite ledger of 1,000,000 cards: a kana prefix and a 2-character kanji
// name, each returning the first page of 50 and the total. The target is
// under 100 ms at the 95th percentile (reported as p95-ms).
func BenchmarkSearch1M(b *testing.B) {
	db := ledgertest.OpenBenchDB(b, benchCards(b))
	groups := []struct {
		name    string
		queries []string
	}{
		{"kana_prefix", []string{"サトウ", "ﾀｶﾊｼ", "ヤマ", "ミヤ", "イシカワ", "なかむら", "フジ", "コバヤシ", "ミワ", "キタ"}},
		{"kanji_2char", []string{"佐藤", "山田", "直美", "田中", "高橋", "宮本", "健太", "藤原", "三輪", "北川"}},
	}
	for _, g := range groups {
		b.Run(g.name, func(b *testing.B) {
			var durs []time.Duration
			totals := map[string]int{}
			i := 0
			for b.Loop() {
				q := g.queries[i%len(g.queries)]
				i++
				start := time.Now()
				totals[q] = mustBenchSearch(b, db, store.CardFilter{Query: q, Limit: 50})
				durs = append(durs, time.Since(start))
			}
			reportPercentiles(b, durs)
			b.Logf("matches per query: %v", totals)
		})
	}
}

func mustBenchSearch(b *testing.B, db *store.DB, f store.CardFilter) int {
	var total int
	err := db.View(ctx, func(tx *store.Tx) (err error) { _, total, err = tx.SearchCards(ctx, f); return err })
	if err != nil {
		b.Fatal(err)
	}
	return total
}

func reportPercentiles(b *testing.B, durs []time.Duration) {
	slices.Sort(durs)
	at := func(p float64) float64 {
		return float64(durs[int(p*float64(len(durs)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
	b.ReportMetric(at(1), "max-ms")
}
