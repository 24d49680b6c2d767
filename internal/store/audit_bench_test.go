package store_test

import (
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// BenchmarkAppendAudit measures one audit entry appended in a transaction
// of its own, the step every booking commit ends with, on each engine.
// Unlike BenchmarkBook it holds nothing but the chain's own cost.
func BenchmarkAppendAudit(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			db := storetest.MustOpen(b, e)
			at := time.UnixMilli(1_790_000_000_000)
			ev := audit.Event{ActorID: 1, Actor: "staff1", Action: "booking.created", Target: "booking:123",
				IP: "192.0.2.10", RequestID: "65605af52824f9bf", Detail: map[string]any{"place": "honcho", "people": 1}}
			b.ResetTimer()
			for b.Loop() {
				if err := db.Update(b.Context(), func(tx *store.Tx) error {
					_, err := tx.AppendAudit(b.Context(), ev, at)
					return err
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
