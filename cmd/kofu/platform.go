package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/app"
	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/demo"
	"github.com/kofu-oss/kofu/internal/logx"
	"github.com/kofu-oss/kofu/internal/platform"
	"github.com/kofu-oss/kofu/internal/server"
	"github.com/kofu-oss/kofu/internal/store"
)

// demoCities are the fictional platform of `kofu serve --platform --demo`:
// real codes and names, fictional data, each on its own *.localhost name
// (which browsers send to this machine).
var demoCities = []platform.CityInput{
	{Code: "282197", Slug: "sanda", Name: "三田市", Host: "sanda.localhost"},
	{Code: "182079", Slug: "sabae", Name: "鯖江市", Host: "sabae.localhost"},
	{Code: "232017", Slug: "toyohashi", Name: "豊橋市", Host: "toyohashi.localhost"},
}

// servePlatform runs `kofu serve --platform`: every city of the catalog,
// each on its own host name, until ctx ends.
func (e env) servePlatform(ctx context.Context, cfg *config.Config) error {
	log := logx.New(e.stderr, logLevel(cfg.LogLevel))
	slog.SetDefault(log)
	catalog := cfg.Catalog
	if cfg.Demo && catalog == "./data/catalog.db" {
		catalog = "./data/platform-demo/catalog.db"
	}
	cat, err := store.OpenCatalog(ctx, catalog)
	if err != nil {
		return err
	}
	defer cat.Close()
	dataDir := "./data"
	if store.EngineOf(catalog) == store.SQLite {
		dataDir = filepath.Dir(catalog)
	}
	clk := clock.System{}
	cities := platform.New(cat, dataDir, clk)
	deps := server.PlatformDeps{Cities: cities, Config: cfg, Clock: clk, Log: log, Hash: hashParams()}
	if cfg.Demo {
		deps.Options = func(ctx context.Context, db *store.DB) (server.Options, error) {
			samples, err := demoSamples(ctx, db)
			return server.Options{DemoSamples: samples}, err
		}
	}
	p := server.NewPlatform(deps)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("%s で待ち受けできません: %w", cfg.Addr, err)
	}
	if cfg.Demo {
		if err := e.seedDemoCities(ctx, cities, cfg, ln.Addr()); err != nil {
			ln.Close()
			return err
		}
	}
	srv := newHTTPServer(p, log)
	jobs, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(jobs) }()
	go srv.Serve(ln)
	log.Info("kofu platform started", "addr", ln.Addr().String(), "catalog", store.EngineOf(catalog), "version", version)
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	stop()
	<-done
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// seedDemoCities adds the three demo cities when the catalog lacks them,
// fills each as `kofu serve --demo` fills its one city, and prints where
// to open them with their accounts.
func (e env) seedDemoCities(ctx context.Context, cities *platform.Service, cfg *config.Config, addr net.Addr) error {
	port := ""
	if a, ok := addr.(*net.TCPAddr); ok {
		port = ":" + strconv.Itoa(a.Port)
	}
	for _, in := range demoCities {
		row, err := cities.City(ctx, in.Code)
		if apperr.Is(err, apperr.NotFound) {
			row, err = cities.Add(ctx, operator().Username, in)
		}
		if err != nil {
			return err
		}
		accs, err := seedDemoCity(ctx, row, cfg)
		if err != nil {
			return fmt.Errorf("%s: %w", row.Name, err)
		}
		base := "http://" + row.Host + port
		fmt.Fprintf(e.stdout, "\n【%s (%s)】", row.Name, row.Code)
		demo.Print(e.stdout, base+"/staff/", base+"/", accs)
	}
	return nil
}

func seedDemoCity(ctx context.Context, row store.CityRow, cfg *config.Config) ([]demo.Account, error) {
	db, err := platform.OpenCity(ctx, row)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	clk := clock.System{}
	a := auth.NewService(db, clk, hashParams(), "Kofu "+row.Name)
	city, err := app.New(ctx, app.Deps{Config: cfg, DB: db, Auth: a, Clock: clk})
	if err != nil {
		return nil, err
	}
	return demo.City{DB: db, Auth: a, Reserve: city.Reserve, Clock: clk, Loc: cfg.Location}.Seed(ctx)
}
