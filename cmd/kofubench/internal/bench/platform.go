package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/municipality"
	"github.com/kofu-oss/kofu/internal/platform"
	"github.com/kofu-oss/kofu/internal/server"
	"github.com/kofu-oss/kofu/internal/store"
)

// PlatformSizes are the platform scenario's dimensions (issue #20).
type PlatformSizes struct {
	Name    string
	Cities  int           // registered in the catalog
	Rush    int           // concurrent residents rushing one city
	Measure time.Duration // how long each latency phase lasts
}

// PlatformFull is the scenario: 200 cities in one process.
func PlatformFull() PlatformSizes {
	return PlatformSizes{Name: "full", Cities: 200, Rush: 64, Measure: 10 * time.Second}
}

// PlatformTiny is the test's size.
func PlatformTiny() PlatformSizes {
	return PlatformSizes{Name: "tiny", Cities: 3, Rush: 4, Measure: 300 * time.Millisecond}
}

// RunPlatform measures many cities in one process, on SQLite cities: the
// memory of a registered but idle city and of an open one, and how a rush
// in one city moves another city's page latency.
func RunPlatform(ctx context.Context, cfg Config, s PlatformSizes) (*Report, error) {
	rp := &Report{Started: time.Now(), Machine: machine(), Mode: "platform-" + s.Name}
	progress := cfg.Progress
	if progress == nil {
		progress = func(string) {}
	}
	dir, err := os.MkdirTemp(cfg.Dir, "kofubench-platform-")
	if err != nil {
		return rp, err
	}
	defer os.RemoveAll(dir)
	res, err := runPlatform(ctx, dir, s, progress)
	for i := range res {
		res[i].Engine = string(store.SQLite)
	}
	rp.Results = res
	return rp, err
}

func runPlatform(ctx context.Context, dir string, s PlatformSizes, progress func(string)) ([]Result, error) {
	base := heapMB()
	cat, err := store.OpenCatalog(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		return nil, err
	}
	defer cat.Close()
	clk := clock.System{}
	svc := platform.New(cat, dir, clk)
	progress(fmt.Sprintf("registering %d cities", s.Cities))
	hosts, err := addCities(ctx, svc, s.Cities)
	if err != nil {
		return nil, err
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	p := server.NewPlatform(server.PlatformDeps{Cities: svc, Clock: clk, Hash: secret.TestParams(), Idle: time.Hour,
		Config: &config.Config{Location: tokyo, Sites: "all", PublicMaxInFlight: 16, BaseURL: "https://platform.test"},
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil))})
	ts := httptest.NewServer(p)
	defer ts.Close()
	var out []Result
	idle := heapMB()
	progress("opening every city")
	for _, h := range hosts {
		if code := get(ctx, ts.URL, h, "/"); code != http.StatusOK {
			return out, fmt.Errorf("%s: GET / answered %d", h, code)
		}
	}
	open := heapMB()
	p.Close()
	closed := heapMB()
	n := float64(len(hosts))
	out = append(out,
		Result{Figure: "idle city, memory per city", Value: (max(idle, closed) - base) / n * 1024, Unit: "KiB",
			Target: AtMost(1024, "< 1 MB"), Note: fmt.Sprintf("%d cities registered: live heap %.1f MB before any opened, %.1f MB after all were opened and closed (%.1f MB before the catalog)", len(hosts), idle, closed, base)},
		Result{Figure: "open city, memory per city", Value: (open - closed) / n, Unit: "MB",
			Note: fmt.Sprintf("live heap %.1f MB with all %d open (database pools, services, parsed templates)", open, len(hosts))})
	progress("a rush in one city, another city's page")
	quiet := latencies(ctx, ts.URL, hosts[1], s.Measure)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range s.Rush {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					get(ctx, ts.URL, hosts[0], "/booking/start")
				}
			}
		})
	}
	rushed := latencies(ctx, ts.URL, hosts[1], s.Measure)
	close(stop)
	wg.Wait()
	p.Close()
	out = append(out, Result{Figure: "other city's page p99 during a rush", Value: p99(rushed), Unit: "ms",
		Baseline: p99(quiet), BaseUnit: "ms", BaseText: "the same page quiet", Target: AtMost(2, "≤ 2× quiet"),
		Note: fmt.Sprintf("%d residents rushing one city (its own admission: 16 at once); %d requests measured", s.Rush, len(rushed))})
	return out, nil
}

// addCities registers n fictional cities with valid codes (prefecture 28,
// numbers from 201) on their own host names.
func addCities(ctx context.Context, svc *platform.Service, n int) ([]string, error) {
	var hosts []string
	for i := range n {
		five := fmt.Sprintf("28%03d", 201+i)
		code := five + string(municipality.CheckDigit(five))
		host := fmt.Sprintf("city%d.platform.test", i)
		if _, err := svc.Add(ctx, "kofubench", platform.CityInput{Code: code, Slug: fmt.Sprintf("city%d", i),
			Name: fmt.Sprintf("試験市%d", i), Host: host}); err != nil {
			return nil, err
		}
		hosts = append(hosts, host)
	}
	return hosts, nil
}

func get(ctx context.Context, base, host, path string) int {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	req.Host = host
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// latencies loads the city's booking page one request at a time for d.
func latencies(ctx context.Context, base, host string, d time.Duration) []time.Duration {
	var out []time.Duration
	for end := time.Now().Add(d); time.Now().Before(end) && ctx.Err() == nil; {
		t := time.Now()
		get(ctx, base, host, "/booking/start")
		out = append(out, time.Since(t))
	}
	return out
}

func p99(ds []time.Duration) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return float64(s[len(s)*99/100].Microseconds()) / 1000
}

// heapMB is the live heap after a collection.
func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}
