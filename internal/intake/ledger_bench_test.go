package intake

import (
	"bytes"
	"os"
	"strconv"
	"testing"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/hostile"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// bigLedgerRows is the size of the largest valid ledger of issue #14
// (kofubench hostile's ledger-100k.xlsx); KOFU_BENCH_LEDGER_ROWS makes
// the benchmarks smaller for a quick profile.
func bigLedgerRows(b *testing.B) int {
	if n, err := strconv.Atoi(os.Getenv("KOFU_BENCH_LEDGER_ROWS")); err == nil && n > 0 {
		return n
	}
	return 99_000
}

func bigLedger(b *testing.B, n int) []byte {
	var buf bytes.Buffer
	if err := hostile.BigLedger(&buf, n); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// benchLedger imports the big ledger into a fresh database of the engine,
// as a dry run or for real, and fails unless every row became a card.
func benchLedger(b *testing.B, engine store.Engine, dry bool) {
	n := bigLedgerRows(b)
	file := bigLedger(b, n)
	for b.Loop() {
		b.StopTimer()
		db := storetest.MustOpen(b, engine)
		s := ledgerService(db)
		before := db.Counts()
		b.StartTimer()
		res, err := s.ImportLedger(ctx, staff, auth.Meta{}, bytes.NewReader(file), LedgerOptions{DryRun: dry, FileName: "big.xlsx"})
		if err != nil || res.Created != n || res.Rows != n {
			b.Fatalf("%v: %d rows, %d created, rejected %+v", err, res.Rows, res.Created, res.Rejected[:min(3, len(res.Rejected))])
		}
		b.ReportMetric(float64(db.Counts().Sub(before).Statements)/float64(n), "stmts/row")
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkLedgerImport99k imports the 99,000-row ledger of issue #14
// (every row a new card) into SQLite; the target is well under 60 s on a
// loaded 2-core machine, for the dry run and the real import alike.
func BenchmarkLedgerImport99k(b *testing.B)   { benchLedger(b, store.SQLite, false) }
func BenchmarkLedgerDryRun99k(b *testing.B)   { benchLedger(b, store.SQLite, true) }
func BenchmarkLedgerImport99kPG(b *testing.B) { benchLedger(b, store.Postgres, false) }
func BenchmarkLedgerDryRun99kPG(b *testing.B) { benchLedger(b, store.Postgres, true) }
