package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/kofu-oss/kofu/internal/app"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/server"
	"github.com/kofu-oss/kofu/internal/store"
)

// Now is the fixed time of every run: Friday 2026-11-20 10:00 in Tokyo,
// so the booking window and the seeded months never move.
func Now() time.Time { return time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC) }

// admin and staff are the principals of the bench's own actions.
var (
	admin = auth.Principal{UserID: 1, Username: "bench-admin", Role: auth.RoleAdmin}
	staff = auth.Principal{UserID: 2, Username: "bench-staff", Role: auth.RoleStaff}
)

// env is one engine's fresh database, a raw handle on the same database
// for the baselines, and the server running on loopback.
type env struct {
	engine  store.Engine
	dsn     string
	db      *store.DB
	raw     *sql.DB
	clock   clock.Clock
	reserve *reserve.Service
	url     string // http://127.0.0.1:port
	srv     *http.Server
	served  atomic.Pointer[tally] // time inside the server by status, when recording
	cleanup []func()
}

// openEnv creates a fresh database of the engine: a SQLite file in dir,
// or a schema of its own in the PostgreSQL at pgURL, dropped by close.
func openEnv(ctx context.Context, e store.Engine, dir, pgURL string, maxInFlight int) (*env, error) {
	v := &env{engine: e, clock: clock.NewFixed(Now())}
	var err error
	switch e {
	case store.SQLite:
		v.dsn = filepath.Join(dir, fmt.Sprintf("bench-%d.db", time.Now().UnixNano()))
		v.cleanup = append(v.cleanup, func() {
			for _, s := range []string{"", "-wal", "-shm"} {
				os.Remove(v.dsn + s)
			}
		})
	case store.Postgres:
		v.dsn, err = v.freshSchema(ctx, pgURL)
	default:
		err = fmt.Errorf("unknown engine %q", e)
	}
	if err == nil {
		err = v.open(ctx, maxInFlight)
	}
	if err != nil {
		v.close()
		return nil, err
	}
	return v, nil
}

func (v *env) open(ctx context.Context, maxInFlight int) error {
	db, err := store.Open(ctx, v.dsn)
	if err != nil {
		return err
	}
	v.db = db
	v.cleanup = append(v.cleanup, func() { db.Close() })
	if err := useKeys(db); err != nil {
		return err
	}
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	if v.raw, err = openRaw(v.engine, v.dsn); err != nil {
		return err
	}
	v.cleanup = append(v.cleanup, func() { v.raw.Close() })
	return v.serve(maxInFlight)
}

// openRaw opens the same database the way the store does (on SQLite the
// same pragmas and one writer), for baselines without Kofu's code.
func openRaw(e store.Engine, dsn string) (*sql.DB, error) {
	if e == store.Postgres {
		db, err := sql.Open("pgx", dsn)
		if err == nil {
			db.SetMaxOpenConns(20)
		}
		return db, err
	}
	const pragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-65536)&_txlock=immediate"
	db, err := sql.Open("sqlite", "file:"+dsn+"?"+pragmas)
	if err == nil {
		db.SetMaxOpenConns(1)
	}
	return db, err
}

// freshSchema creates a schema of its own and returns a URL whose
// search_path points at it.
func (v *env) freshSchema(ctx context.Context, base string) (string, error) {
	adm, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	if err := adm.PingContext(ctx); err != nil {
		adm.Close()
		return "", fmt.Errorf("PostgreSQL (%s): %w", base, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "bench_" + hex.EncodeToString(b)
	if _, err := adm.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		adm.Close()
		return "", err
	}
	v.cleanup = append(v.cleanup, func() {
		adm.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		adm.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// serve starts the Kofu server on 127.0.0.1 with a hello-world handler
// beside it; 127.0.0.1 is a trusted proxy, so the load generator speaks
// for many residents through X-Forwarded-For.
func (v *env) serve(maxInFlight int) error {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		return err
	}
	cfg := &config.Config{Location: tokyo, Sites: "all", PublicMaxInFlight: maxInFlight,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	a := auth.NewService(v.db, clock.System{}, secret.TestParams(), "Kofu")
	city, err := app.New(context.Background(), app.Deps{Config: cfg, DB: v.db,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Auth: a, Clock: v.clock})
	if err != nil {
		return err
	}
	srv, err := server.New(city, server.Options{})
	if err != nil {
		return err
	}
	v.reserve = city.Reserve
	mux := http.NewServeMux()
	mux.HandleFunc("GET /bench/hello", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hello, world\n") })
	mux.Handle("GET /metrics", srv.Metrics())
	mux.Handle("/", v.record(srv))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	v.url = "http://" + ln.Addr().String()
	v.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go v.srv.Serve(ln)
	v.cleanup = append(v.cleanup, func() { v.srv.Close() })
	return nil
}

// record notes how long the server took for each answer while v.served
// is set: the time from the handler's start to its end, without the
// accept queue and the load generator's own scheduling.
func (v *env) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := v.served.Load()
		if t == nil {
			next.ServeHTTP(w, r)
			return
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(sw, r)
		t.add(outcome{status: sw.status, took: time.Since(start)}, nil)
	})
}

// statusWriter remembers the status of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// close stops the server and removes the database, in reverse order.
func (v *env) close() {
	for i := len(v.cleanup) - 1; i >= 0; i-- {
		v.cleanup[i]()
	}
	v.cleanup = nil
}
