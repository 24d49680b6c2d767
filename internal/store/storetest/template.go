package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/store"
)

// Migrating a PostgreSQL schema runs every migration's DDL and took
// seconds per test on a busy 2-core machine: most of the test suite's time.
// MustOpen on PostgreSQL therefore clones a database migrated once (CREATE
// DATABASE … TEMPLATE, a file copy inside the server), named after the
// migrations' digest so that every test process of a run, and later runs,
// share it. MustDSN still gives an empty schema, for tests that migrate.

var template struct {
	once sync.Once
	name string
	err  error
}

// templateLock serialises the building of the template across processes.
const templateLock = 7432099

// migratedPostgres returns the URL of a fresh, migrated database of its
// own for the test, dropped when the test ends.
func migratedPostgres(tb testing.TB) string {
	tb.Helper()
	admin := postgresAdmin(tb)
	template.once.Do(func() { template.name, template.err = buildTemplate(admin) })
	if template.err != nil {
		tb.Fatalf("PostgreSQL template database: %v", template.err)
	}
	name := "t_" + randomHex(6)
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + template.name); err != nil {
		tb.Fatalf("clone the template database: %v", err)
	}
	tb.Cleanup(func() {
		admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		admin.Close()
	})
	return databaseURL(tb, name)
}

// postgresAdmin connects to KOFU_TEST_POSTGRES, or skips (fails in CI).
func postgresAdmin(tb testing.TB) *sql.DB {
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
	return admin
}

// buildTemplate makes the migrated template database unless another
// process (or an earlier run) did. It is built under another name and
// renamed when complete, so a process killed midway leaves no half-built
// template behind.
func buildTemplate(admin *sql.DB) (string, error) {
	digest, err := store.MigrationsDigest(store.Postgres)
	if err != nil {
		return "", err
	}
	name := "kofu_template_" + digest
	ctx := context.Background()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, templateLock); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, templateLock)
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil || n == 1 {
		return name, err
	}
	building := name + "_building"
	if _, err := conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+building); err != nil {
		return "", err
	}
	u, err := url.Parse(postgresURL())
	if err != nil {
		return "", err
	}
	u.Path = "/" + building
	db, err := store.Open(ctx, u.String())
	if err != nil {
		return "", err
	}
	db.UseKeys(Keys())
	_, err = db.Migrate(ctx)
	db.Close()
	if err != nil {
		return "", fmt.Errorf("migrate: %w", err)
	}
	_, err = conn.ExecContext(ctx, `ALTER DATABASE `+building+` RENAME TO `+name)
	return name, err
}

// databaseURL is KOFU_TEST_POSTGRES with another database.
func databaseURL(tb testing.TB, name string) string {
	u, err := url.Parse(postgresURL())
	if err != nil {
		tb.Fatalf("KOFU_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
