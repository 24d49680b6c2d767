// Package bench runs Kofu's performance scenarios against real engines on
// loopback and pairs every figure with a raw baseline measured in the same
// run: the machine is whatever it is, the ratios are what the targets say.
// cmd/kofubench prints the results; docs/performance.md keeps the latest.
package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/store"
)

// Sizes are the amounts of one run.
type Sizes struct {
	Name          string
	Cards         int           // cards in the ledger for search, export, overload
	ImportRows    int           // rows of the timed import file
	Bookings      int           // stored bookings of the large month view
	SmallBookings int           // stored bookings of the small month view
	Duration      time.Duration // of each timed load
	Workers       int           // concurrent clients of the closed loads
	HotClients    int           // residents rushing one slot
	Calls         int           // repetitions of a timed query
	MaxInFlight   int           // --public-max-inflight of the server
}

// Full is the run the targets are stated for.
func Full() Sizes {
	return Sizes{Name: "full", Cards: 1_000_000, ImportRows: 100_000, Bookings: 1_000_000, SmallBookings: 10_000,
		Duration: 10 * time.Second, Workers: 16, HotClients: 200, Calls: 200, MaxInFlight: 64}
}

// Quick is a few minutes' run: a tenth of the data.
func Quick() Sizes {
	return Sizes{Name: "quick", Cards: 100_000, ImportRows: 20_000, Bookings: 100_000, SmallBookings: 10_000,
		Duration: 3 * time.Second, Workers: 16, HotClients: 200, Calls: 100, MaxInFlight: 64}
}

// Tiny proves the scenarios work, in seconds (the tests use it).
func Tiny() Sizes {
	return Sizes{Name: "tiny", Cards: 600, ImportRows: 200, Bookings: 400, SmallBookings: 100,
		Duration: 150 * time.Millisecond, Workers: 4, HotClients: 20, Calls: 3, MaxInFlight: 8}
}

// Config is one run.
type Config struct {
	Engines  []store.Engine
	Sizes    Sizes
	Dir      string // where SQLite files go
	Postgres string // base URL; each run makes and drops a schema
	Progress func(string)
}

// Run runs every scenario on each engine. An error means a scenario could
// not run; correctness failures are in the report (Report.Broken).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	rp := &Report{Started: time.Now(), Machine: machine(), Mode: cfg.Sizes.Name}
	if cfg.Progress == nil {
		cfg.Progress = func(string) {}
	}
	for _, e := range cfg.Engines {
		res, err := runEngine(ctx, e, cfg)
		rp.Results = append(rp.Results, res...)
		if err != nil {
			return rp, fmt.Errorf("%s: %w", e, err)
		}
	}
	return rp, nil
}

// step is one scenario of an engine's run.
type step struct {
	name string
	run  func() ([]Result, error)
}

func one(r Result, err error) ([]Result, error) { return []Result{r}, err }

func runEngine(ctx context.Context, e store.Engine, cfg Config) ([]Result, error) {
	s := cfg.Sizes
	v, err := openEnv(ctx, e, cfg.Dir, cfg.Postgres, s.MaxInFlight)
	if err != nil {
		return nil, err
	}
	defer v.close()
	if err := v.saveSettings(ctx); err != nil {
		return nil, err
	}
	g := newResidents()
	progress := func(msg string) { cfg.Progress(fmt.Sprintf("[%s] %s", e, msg)) }
	steps := []step{
		{"予約の確定", func() ([]Result, error) { return one(v.commits(ctx, s)) }},
		{"1 枠への集中", func() ([]Result, error) { return one(v.hotSlot(ctx, s.HotClients)) }},
		{"予約ページ", func() ([]Result, error) { return one(v.page(ctx, s)) }},
		{"空き状況 API", func() ([]Result, error) { return one(v.availability(ctx, s)) }},
		{"1 か月の空き状況", func() ([]Result, error) {
			return one(v.monthView(ctx, s, progress, func() (*env, error) { return openEnv(ctx, e, cfg.Dir, cfg.Postgres, s.MaxInFlight) }))
		}},
		{"J-LIS 取込", func() ([]Result, error) { return one(v.importRate(ctx, g, s.ImportRows)) }},
		{fmt.Sprintf("カード %d 枚を作成", s.Cards), func() ([]Result, error) {
			return nil, v.seedCards(ctx, g, s.ImportRows, s.Cards)
		}},
		{"氏名検索", func() ([]Result, error) { return v.search(ctx, s.Cards, s.Calls) }},
		{"CSV 出力", func() ([]Result, error) { return v.exportAll(ctx, s.Cards) }},
		{"サーバーの RSS（別プロセス）", func() ([]Result, error) { return one(v.childRSS(ctx, s, s.Cards)) }},
		{"過負荷", func() ([]Result, error) { return v.overload(ctx, s, s.MaxInFlight) }},
	}
	var out []Result
	for _, st := range steps {
		progress(st.name)
		start := time.Now()
		res, err := st.run()
		if err != nil {
			return out, fmt.Errorf("%s: %w", st.name, err)
		}
		for i := range res {
			res[i].Engine = string(e)
		}
		out = append(out, res...)
		progress(fmt.Sprintf("%s: %v", st.name, time.Since(start).Round(100*time.Millisecond)))
	}
	return out, nil
}

// machine describes where the run happened.
func machine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	return fmt.Sprintf("%s/%s %d CPU %s, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), model, runtime.Version())
}
