package bench

import (
	"os"
	"testing"

	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// BenchmarkHotSlot runs kofubench's hot slot (200 residents at once on one
// slot of 5, through HTTP) once per iteration, each on a slot of its own,
// on each engine. full/success-p99 is the issue #8 figure (target ≤ 2);
// every iteration must book exactly 5.
func BenchmarkHotSlot(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			pg := os.Getenv("KOFU_TEST_POSTGRES")
			if pg == "" {
				pg = storetest.DefaultPostgres
			}
			if e == store.Postgres {
				storetest.MustDSN(b, e) // skips when PostgreSQL is unreachable
			}
			v, err := openEnv(b.Context(), e, b.TempDir(), pg, Full().MaxInFlight)
			if err != nil {
				b.Fatal(err)
			}
			defer v.close()
			if err := v.saveSettings(b.Context()); err != nil {
				b.Fatal(err)
			}
			slots, err := windowStarts("hot")
			if err != nil {
				b.Fatal(err)
			}
			clients := Full().HotClients
			var ratio, full, ok float64
			n := 0
			for i := 0; b.Loop(); i++ {
				r, err := v.hotSlotAt(b.Context(), clients, slots[i%len(slots)], 1_000_000+i*clients)
				if err != nil {
					b.Fatal(err)
				}
				if r.Broken != nil {
					b.Fatal(r.Broken)
				}
				ratio, full, ok, n = ratio+r.Value/r.Baseline, full+r.Value, ok+r.Baseline, n+1
			}
			b.ReportMetric(ratio/float64(n), "full/success-p99")
			b.ReportMetric(full/float64(n), "full-p99-ms")
			b.ReportMetric(ok/float64(n), "success-p99-ms")
		})
	}
}
