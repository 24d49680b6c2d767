// Package storetest opens real, migrated, throw-away databases of each
// engine for tests: a SQLite file in a temporary folder, and a fresh schema
// in the PostgreSQL named by KOFU_TEST_POSTGRES.
//
// KOFU_TEST_ENGINES (comma-separated, default "sqlite,postgres") chooses the
// engines. When PostgreSQL is chosen but unreachable, tests skip, except
// when CI=true, where they fail: CI must never pass without PostgreSQL.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/store"
)

// DefaultPostgres is the PostgreSQL used when KOFU_TEST_POSTGRES is unset.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Engines returns the engines the test run covers.
func Engines() []store.Engine {
	v := os.Getenv("KOFU_TEST_ENGINES")
	if v == "" {
		return []store.Engine{store.SQLite, store.Postgres}
	}
	var out []store.Engine
	for _, e := range strings.Split(v, ",") {
		out = append(out, store.Engine(strings.TrimSpace(e)))
	}
	return out
}

// Each runs fn as a subtest named after each engine, on a fresh database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(string(e), func(t *testing.T) { fn(t, MustOpen(t, e)) })
	}
}

// One runs fn as a subtest on the first engine the run covers, for tests
// whose subject is not the engine: the browser tests walk pages, and the
// server and store tests already run every query on both engines.
func One(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	e := Engines()[0]
	t.Run(string(e), func(t *testing.T) { fn(t, MustOpen(t, e)) })
}

// MustOpen returns a fresh migrated database of the engine, closed and
// removed when the test ends.
func MustOpen(tb testing.TB, e store.Engine) *store.DB {
	tb.Helper()
	if e == store.Postgres {
		return openDSN(tb, migratedPostgres(tb)) // a clone of a database migrated once
	}
	return openDSN(tb, MustDSN(tb, e))
}

// KeyText is the data key of test databases (base64), fixed so that a
// cached benchmark database stays searchable across runs.
var KeyText = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("kofu-test-key-32"), 2))

// Keys returns the keyring of test databases.
func Keys() *fieldcrypt.Keyring {
	k, err := fieldcrypt.ParseKey(KeyText)
	if err != nil {
		panic(err)
	}
	return fieldcrypt.NewKeyring(k)
}

// MustDSN returns the --db value of a fresh, empty database of the engine.
func MustDSN(tb testing.TB, e store.Engine) string {
	tb.Helper()
	switch e {
	case store.SQLite:
		return filepath.Join(tb.TempDir(), "kofu.db")
	case store.Postgres:
		return freshSchema(tb)
	}
	tb.Fatalf("unknown engine %q", e)
	return ""
}

func postgresURL() string {
	if v := os.Getenv("KOFU_TEST_POSTGRES"); v != "" {
		return v
	}
	return DefaultPostgres
}

// freshSchema creates a schema of its own for the test and returns a URL
// whose search_path points at it.
func freshSchema(tb testing.TB) string {
	tb.Helper()
	base := postgresURL()
	admin, err := sql.Open("pgx", base)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = admin.PingContext(ctx)
		cancel()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL is required in CI but unreachable at %s: %v", base, err)
		}
		tb.Skipf("PostgreSQL unreachable at %s (set KOFU_TEST_ENGINES=sqlite to run without it): %v", base, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("KOFU_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
