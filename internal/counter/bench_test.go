package counter_test

import (
	"context"
	"testing"

	"github.com/kofu-oss/kofu/internal/counter"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// BenchmarkTicketAndCall measures the two writes of the counter day on
// each engine: a ticket handed out and a desk calling it, each in its own
// transaction with its audit entry. kofubench --counter measures them
// under load on two servers.
func BenchmarkTicketAndCall(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			f := newFixture(b, storetest.MustOpen(b, e), 0)
			f.settings(b, func(s *counter.Settings) { s.WalkIns = true })
			f.at(b, "2026-12-01 09:00")
			ctx := context.Background()
			for b.Loop() {
				if _, err := f.svc.WalkIn(ctx, clerk, "main"); err != nil {
					b.Fatal(err)
				}
				if _, err := f.svc.CallNext(ctx, clerk, "main", "1"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
