package server

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kofu-oss/kofu/internal/app"
	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/platform"
	"github.com/kofu-oss/kofu/internal/store"
	"golang.org/x/sync/singleflight"
)

// Platform serves many cities from one process (issue #20): a request goes
// to the city whose own host name it names. A city's database, services
// and server are built on its first request and closed after it has been
// idle, so an idle city costs no connection. A suspended city answers a
// calm maintenance page; a host no city claims answers 404.
type Platform struct {
	cities *platform.Service
	base   *config.Config
	clock  clock.Clock
	log    *slog.Logger
	hash   secret.Params
	idle   time.Duration
	opts   func(context.Context, *store.DB) (Options, error)

	mu      sync.Mutex
	open    map[string]*tenant // by city code
	opening singleflight.Group // cities being opened, by code
	hosts   map[string]hostEntry
}

// hostEntry is a catalog answer kept for catalogTTL, so a page does not pay
// a catalog query: a city added, suspended or resumed with `kofu city`
// (another process) is seen within that time.
type hostEntry struct {
	row     store.CityRow
	err     error
	expires time.Time
}

const catalogTTL = 5 * time.Second

// tenant is one open city.
type tenant struct {
	srv      *Server
	db       *store.DB
	stop     context.CancelFunc // ends its background jobs
	jobs     chan struct{}      // closed when they have ended
	inflight int
	lastUsed time.Time
}

// PlatformDeps are what a platform is built from.
type PlatformDeps struct {
	Cities *platform.Service
	// Config is the platform's own; each city gets a copy with its
	// database and its host as base URL.
	Config *config.Config
	Clock  clock.Clock
	Log    *slog.Logger
	Hash   secret.Params // password hashing of the cities' staff
	// Idle is how long an unused city stays open (default 15 minutes).
	Idle time.Duration
	// Options, when set, gives each city's server its options (the demo's
	// sample notice numbers).
	Options func(context.Context, *store.DB) (Options, error)
}

// NewPlatform returns the platform's handler.
func NewPlatform(d PlatformDeps) *Platform {
	if d.Idle == 0 {
		d.Idle = 15 * time.Minute
	}
	if d.Options == nil {
		d.Options = func(context.Context, *store.DB) (Options, error) { return Options{}, nil }
	}
	return &Platform{cities: d.Cities, base: d.Config, clock: d.Clock, log: d.Log, hash: d.Hash, idle: d.Idle,
		opts: d.Options, open: map[string]*tenant{}, hosts: map[string]hostEntry{}}
}

// ServeHTTP routes the request to its city.
func (p *Platform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthz" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
		return
	}
	row, err := p.city(r.Context(), requestHost(r))
	switch {
	case apperr.Is(err, apperr.NotFound):
		http.Error(w, "このアドレスの団体はありません。", http.StatusNotFound)
		return
	case err != nil:
		p.log.ErrorContext(r.Context(), "platform catalog", "err", err.Error())
		maintenance(w, "", http.StatusServiceUnavailable)
		return
	case row.Status != store.CityActive:
		maintenance(w, row.Name, http.StatusServiceUnavailable)
		return
	}
	t, err := p.acquire(r.Context(), row)
	if err != nil {
		p.log.ErrorContext(r.Context(), "open city", "city", row.Code, "err", err.Error())
		maintenance(w, row.Name, http.StatusServiceUnavailable)
		return
	}
	defer p.release(t)
	t.srv.ServeHTTP(w, r)
}

// city finds the city of a host name, from the catalog at most every
// catalogTTL. Errors other than "no such city" are not kept.
func (p *Platform) city(ctx context.Context, host string) (store.CityRow, error) {
	now := p.clock.Now()
	p.mu.Lock()
	e, ok := p.hosts[host]
	p.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.row, e.err
	}
	row, err := p.cities.CityByHost(ctx, host)
	if err == nil || apperr.Is(err, apperr.NotFound) {
		p.mu.Lock()
		if len(p.hosts) > 10000 {
			clear(p.hosts) // bounded: unknown host names cannot grow it without end
		}
		p.hosts[host] = hostEntry{row: row, err: err, expires: now.Add(catalogTTL)}
		p.mu.Unlock()
	}
	return row, err
}

// Refresh forgets what the catalog said, so the next request of each host
// reads it again (after a change made in this process).
func (p *Platform) Refresh() {
	p.mu.Lock()
	clear(p.hosts)
	p.mu.Unlock()
}

// requestHost is the request's host name without its port, in lower case.
func requestHost(r *http.Request) string {
	h := r.Host
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	return strings.ToLower(strings.TrimSuffix(h, "."))
}

// acquire returns the open city, opening it when needed, and counts the
// request so an idle sweep does not close it underneath. A city is opened
// once however many requests arrive for it at the same time, and outside
// the platform's lock: opening one city (its database, migrations and
// services) does not hold up the requests of the others.
func (p *Platform) acquire(ctx context.Context, row store.CityRow) (*tenant, error) {
	for {
		if t := p.take(row.Code); t != nil {
			return t, nil
		}
		_, err, _ := p.opening.Do(row.Code, func() (any, error) {
			p.mu.Lock()
			_, ok := p.open[row.Code]
			p.mu.Unlock()
			if ok {
				return nil, nil
			}
			t, err := p.build(context.WithoutCancel(ctx), row)
			if err != nil {
				return nil, err
			}
			p.mu.Lock()
			p.open[row.Code] = t
			p.mu.Unlock()
			return nil, nil
		})
		if err != nil {
			return nil, err
		}
	}
}

// take counts a request on the city when it is open.
func (p *Platform) take(code string) *tenant {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.open[code]
	if ok {
		t.inflight++
	}
	return t
}

func (p *Platform) release(t *tenant) {
	p.mu.Lock()
	t.inflight--
	t.lastUsed = p.clock.Now()
	p.mu.Unlock()
}

// build opens a city's database with its own key and builds its services
// and server, and starts its background jobs (mails, housekeeping).
func (p *Platform) build(ctx context.Context, row store.CityRow) (*tenant, error) {
	db, err := platform.OpenCity(ctx, row)
	if err != nil {
		return nil, err
	}
	cfg := *p.base
	cfg.DB, cfg.Demo, cfg.Sites, cfg.InboxDir, cfg.BackupDir = row.DB, false, "all", "", ""
	if row.Host != "" {
		cfg.BaseURL = scheme(p.base.BaseURL) + "://" + row.Host
	}
	log := p.log.With("city", row.Code)
	city, err := app.New(ctx, app.Deps{Config: &cfg, DB: db, Log: log, Clock: p.clock,
		Auth: auth.NewService(db, p.clock, p.hash, "Kofu "+row.Name)})
	if err != nil {
		db.Close()
		return nil, err
	}
	opts, err := p.opts(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	srv, err := New(city, opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	jobs, stop := context.WithCancel(context.Background())
	t := &tenant{srv: srv, db: db, stop: stop, jobs: make(chan struct{}), lastUsed: p.clock.Now()}
	go func() {
		defer close(t.jobs)
		srv.RunJobs(jobs)
	}()
	log.Info("city opened")
	return t, nil
}

func scheme(baseURL string) string {
	if strings.HasPrefix(baseURL, "http://") {
		return "http"
	}
	return "https"
}

// CloseIdle closes the cities unused for longer than the idle time and
// with no request in flight, and returns how many it closed.
func (p *Platform) CloseIdle() int {
	p.mu.Lock()
	var idle []*tenant
	for code, t := range p.open {
		if t.inflight == 0 && p.clock.Now().Sub(t.lastUsed) >= p.idle {
			idle = append(idle, t)
			delete(p.open, code)
		}
	}
	p.mu.Unlock()
	for _, t := range idle {
		t.close()
	}
	return len(idle)
}

// Open is how many cities are open now.
func (p *Platform) Open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.open)
}

// Run closes idle cities every minute until ctx ends, then closes all.
func (p *Platform) Run(ctx context.Context) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			p.closeAll()
			return
		case <-tick.C:
			p.CloseIdle()
		}
	}
}

// Close closes every open city (they open again on their next request).
func (p *Platform) Close() { p.closeAll() }

func (p *Platform) closeAll() {
	p.mu.Lock()
	all := p.open
	p.open = map[string]*tenant{}
	p.mu.Unlock()
	for _, t := range all {
		t.close()
	}
}

func (t *tenant) close() {
	t.srv.CloseStreams()
	t.stop()
	<-t.jobs
	if err := t.db.Close(); err != nil && !errors.Is(err, context.Canceled) {
		slog.Warn("close city database", "err", err.Error())
	}
}

var maintenancePage = template.Must(template.New("m").Parse(`<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>ただいま準備中です</title></head>
<body style="font-family:sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.8">
<h1>ただいま準備中です</h1>
<p>{{if .}}{{.}}の{{end}}マイナンバーカードの受け取り予約と窓口のシステムは、いま作業のため止めています。しばらくしてからもう一度お試しください。</p>
<p>お急ぎの方は、市区町村の窓口へお問い合わせください。</p>
</body></html>`))

// maintenance answers the calm page of a city that is not served now.
func maintenance(w http.ResponseWriter, name string, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Retry-After", "300")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	maintenancePage.Execute(w, name)
}
