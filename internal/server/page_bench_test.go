package server

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/app"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// benchServer is the server as kofubench and `kofu serve` build it: a
// public site limited to 64 requests at once, 127.0.0.1 a trusted proxy.
func benchServer(tb testing.TB, db *store.DB) http.Handler {
	tb.Helper()
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	cfg := &config.Config{Location: tokyo, Sites: "all", PublicMaxInFlight: 64,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	a := auth.NewService(db, clock.System{}, secret.TestParams(), "Kofu")
	srv, err := build(app.Deps{Config: cfg, DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Auth: a, Clock: clock.System{}})
	if err != nil {
		tb.Fatal(err)
	}
	return srv
}

// BenchmarkBookingStartPage serves GET /booking/start through the whole
// handler stack (middleware, admission, page) without the network, and
// reports the database statements and transactions per request: the
// figure that decides how far the page is from a hello-world handler
// (issue #8). BenchmarkHelloStack is the same stack's floor.
func BenchmarkBookingStartPage(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			db := storetest.MustOpen(b, e)
			h := benchServer(b, db)
			get := func() int {
				req := httptest.NewRequest(http.MethodGet, "/booking/start", nil)
				req.RemoteAddr = "127.0.0.1:1234"
				req.Header.Set("X-Forwarded-For", "10.0.0.1")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec.Code
			}
			if code := get(); code != http.StatusOK {
				b.Fatalf("GET /booking/start: %d", code)
			}
			before := db.Counts()
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if code := get(); code != http.StatusOK {
						b.Errorf("GET /booking/start: %d", code)
						return
					}
				}
			})
			d := db.Counts().Sub(before)
			b.ReportMetric(float64(d.Statements)/float64(b.N), "stmts/op")
			b.ReportMetric(float64(d.Transactions)/float64(b.N), "tx/op")
		})
	}
}

// BenchmarkShed answers GET /booking/start while every slot of the public
// site is taken: the cost of telling one more resident to wait, which in
// an overload is most requests. It must stay a small fraction of a page,
// or shedding eats the CPU that admitted requests need (issue #8).
func BenchmarkShed(b *testing.B) {
	db := storetest.MustOpen(b, store.SQLite)
	srv := benchServer(b, db).(*Server)
	adm := srv.admission
	for range cap(adm.all.slots) {
		adm.all.slots <- struct{}{}
	}
	adm.all.service.Store(int64(time.Second)) // slots free up too slowly to wait for one
	before := db.Counts()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			req := httptest.NewRequest(http.MethodGet, "/booking/start", nil)
			req.RemoteAddr = "127.0.0.1:1234"
			req.Header.Set("X-Forwarded-For", "10.0.0.1")
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusServiceUnavailable {
				b.Errorf("status %d", rec.Code)
				return
			}
		}
	})
	b.StopTimer()
	if d := db.Counts().Sub(before); d.Transactions != 0 {
		b.Fatalf("shedding ran %d transactions", d.Transactions)
	}
}

// BenchmarkPublicAvailability serves a month of GET
// /api/v1/public/availability through the whole handler stack, each
// request from another client address, and reports the database
// statements and transactions per request (issue #14: every read used to
// count its per-IP limit in a write transaction).
func BenchmarkPublicAvailability(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			db := storetest.MustOpen(b, e)
			h := benchServer(b, db)
			from := time.Now().AddDate(0, 0, 7)
			path := "/api/v1/public/availability?service=pickup&place=main&from=" + from.Format(time.DateOnly) +
				"&to=" + from.AddDate(0, 0, 30).Format(time.DateOnly)
			var n atomic.Int64
			get := func() int {
				i := n.Add(1)
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.RemoteAddr = "127.0.0.1:1234"
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec.Code
			}
			if code := get(); code != http.StatusOK {
				b.Fatalf("GET %s: %d", path, code)
			}
			before := db.Counts()
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if code := get(); code != http.StatusOK {
						b.Errorf("GET %s: %d", path, code)
						return
					}
				}
			})
			d := db.Counts().Sub(before)
			b.ReportMetric(float64(d.Statements)/float64(b.N), "stmts/op")
			b.ReportMetric(float64(d.Transactions)/float64(b.N), "tx/op")
		})
	}
}
