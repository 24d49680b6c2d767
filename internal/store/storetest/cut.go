package storetest

import (
	"context"
	"database/sql"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"

	"github.com/kofu-oss/kofu/internal/store"
)

// CuttablePostgres returns a fresh migrated PostgreSQL database reached
// through a TCP relay on loopback, and cut, which closes the relay and every
// connection through it: from then on the database's port refuses
// connections and open ones are gone, as during a failover. The database is
// named by application_name too, so a test can pg_terminate_backend its
// connections and no one else's.
func CuttablePostgres(tb testing.TB) (db *store.DB, appName string, cut func()) {
	tb.Helper()
	u, err := url.Parse(MustDSN(tb, store.Postgres))
	if err != nil {
		tb.Fatal(err)
	}
	r := newRelay(tb, u.Host)
	u.Host = r.ln.Addr().String()
	appName = "kofu_test_" + u.Query().Get("search_path")
	q := u.Query()
	q.Set("application_name", appName)
	u.RawQuery = q.Encode()
	db = openDSN(tb, u.String())
	return db, appName, r.cut
}

// openDSN opens and migrates the database at dsn with the test keys,
// closing it when the test ends.
func openDSN(tb testing.TB, dsn string) *store.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		tb.Fatalf("open %s: %v", store.EngineOf(dsn), err)
	}
	tb.Cleanup(func() { db.Close() })
	db.UseKeys(Keys())
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate %s: %v", store.EngineOf(dsn), err)
	}
	return db
}

// relay copies bytes between its listener's connections and target.
type relay struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
}

func newRelay(tb testing.TB, target string) *relay {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	r := &relay{ln: ln, target: target}
	tb.Cleanup(r.cut)
	go r.serve()
	return r
}

func (r *relay) serve() {
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", r.target)
		if err != nil || !r.keep(c, up) {
			c.Close()
			if up != nil {
				up.Close()
			}
			continue
		}
		go func() { io.Copy(up, c); up.Close() }()
		go func() { io.Copy(c, up); c.Close() }()
	}
}

// keep tracks the pair, unless the relay was cut meanwhile.
func (r *relay) keep(cs ...net.Conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.conns = append(r.conns, cs...)
	return true
}

// cut closes the listener and every relayed connection.
func (r *relay) cut() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.closed = true
	r.ln.Close()
	for _, c := range r.conns {
		c.Close()
	}
}

// TerminateBackends ends, with pg_terminate_backend, every PostgreSQL
// connection named appName, as an operator or a failing-over primary would.
func TerminateBackends(tb testing.TB, appName string) {
	tb.Helper()
	admin, err := sql.Open("pgx", postgresURL())
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	var n int
	if err := admin.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = $1 AND pid <> pg_backend_pid()`, appName).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	if n == 0 {
		tb.Fatalf("no connection named %s to terminate", appName)
	}
}
