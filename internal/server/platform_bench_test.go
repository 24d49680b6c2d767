package server

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/platform"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// BenchmarkPlatformRouting serves the citizen site's first booking page
// straight from one city's server ("city") and through the platform
// ("platform": catalog lookup by host name, then the open city's server),
// so the two ns/op give the cost of routing (issue #20: at most 5% of the
// one-city page rate).
func BenchmarkPlatformRouting(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			p, svc, _, c := newTestPlatform(b, e, clock.System{})
			row, err := svc.City(b.Context(), "sanda")
			if err != nil {
				b.Fatal(err)
			}
			db, err := platform.OpenCity(b.Context(), row)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			for name, h := range map[string]http.Handler{"city": benchServer(b, db), "platform": p} {
				b.Run(name, func(b *testing.B) {
					get := func() int {
						req := httptest.NewRequest(http.MethodGet, "/booking/start", nil)
						req.Host = c[0].host
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, req)
						return rec.Code
					}
					if code := get(); code != http.StatusOK {
						b.Fatalf("GET /booking/start: %d", code)
					}
					b.ReportAllocs()
					b.ResetTimer()
					for b.Loop() {
						if code := get(); code != http.StatusOK {
							b.Fatalf("GET /booking/start: %d", code)
						}
					}
				})
			}
		})
	}
}
