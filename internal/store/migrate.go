package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations of a city's database on the
// engine, in order.
func migrations(e Engine) ([]migration, error) { return familyMigrations("", e) }

// familyMigrations returns the embedded migrations of a schema family ("":
// a city's database, catalogFamily: the platform's catalog) on the engine.
func familyMigrations(family string, e Engine) ([]migration, error) {
	dir := path.Join("migrations", family, string(e))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, ent := range entries {
		num, _, ok := strings.Cut(ent.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %q: name must start with a number", ent.Name())
		}
		b, err := migrationFS.ReadFile(path.Join(dir, ent.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: ent.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// LatestVersion is the schema version this binary knows.
func LatestVersion(e Engine) int {
	ms, err := migrations(e)
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// ErrTooNew is returned when the database was migrated by a newer binary.
type ErrTooNew struct{ DB, Binary int }

func (e *ErrTooNew) Error() string {
	return fmt.Sprintf("データベースのスキーマ (バージョン %d) はこのプログラム (バージョン %d まで対応) より新しいため使用できません。新しい kofu を使ってください。", e.DB, e.Binary)
}

// Version returns the database's schema version (0 when empty).
func (db *DB) Version(ctx context.Context) (int, error) {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return 0, err
	}
	var v int
	err := db.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// Migrate applies the pending migrations, each in its own transaction, and
// refuses a database that is newer than the binary.
func (db *DB) Migrate(ctx context.Context) (applied int, err error) {
	return db.migrateTo(ctx, 1<<30)
}

// migrateTo is Migrate up to the version last.
func (db *DB) migrateTo(ctx context.Context, last int) (applied int, err error) {
	ms, err := familyMigrations(db.family, db.Engine)
	if err != nil {
		return 0, err
	}
	if db.Engine == Postgres {
		// Several processes may start at once: one migrates, the others wait.
		unlock, err := db.pgMigrationLock(ctx)
		if err != nil {
			return 0, err
		}
		defer unlock()
	}
	current, err := db.Version(ctx)
	if err != nil {
		return 0, err
	}
	if latest := ms[len(ms)-1].version; current > latest {
		return 0, &ErrTooNew{DB: current, Binary: latest}
	}
	for _, m := range ms {
		if m.version <= current || m.version > last {
			continue
		}
		if err := db.apply(ctx, m); err != nil {
			return applied, fmt.Errorf("migration %s: %w", m.name, err)
		}
		applied++
		if db.step(m.version) != nil {
			if err := db.dropOldPages(ctx); err != nil {
				return applied, fmt.Errorf("migration %s: %w", m.name, err)
			}
		}
	}
	return applied, nil
}

// dropOldPages empties SQLite's WAL after a migration that sealed values,
// so the file no longer holds the pages from before (secure_delete has
// overwritten the old cells in the database file itself).
func (db *DB) dropOldPages(ctx context.Context) error {
	if db.Engine != SQLite {
		return nil
	}
	_, err := db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// Pending lists the migrations Migrate would apply, refusing a database
// newer than the binary just as Migrate does.
func (db *DB) Pending(ctx context.Context) ([]string, error) {
	ms, err := familyMigrations(db.family, db.Engine)
	if err != nil {
		return nil, err
	}
	current, err := db.Version(ctx)
	if err != nil {
		return nil, err
	}
	if latest := ms[len(ms)-1].version; current > latest {
		return nil, &ErrTooNew{DB: current, Binary: latest}
	}
	var out []string
	for _, m := range ms {
		if m.version > current {
			out = append(out, m.name)
		}
	}
	return out, nil
}

func (db *DB) apply(ctx context.Context, m migration) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if step := db.step(m.version); step != nil {
		t := &Tx{tx: tx, d: db.d, keys: db.keys, count: db.count, shared: db.writeStmts}
		if err := step(ctx, t); err != nil {
			return err
		}
	}
	// applied_at is the schema's own history, stamped like a log line.
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, m.version, time.Now().UnixMilli()); err != nil {
		return err
	}
	return tx.Commit()
}

// step is the Go part of a city migration, if it has one; the catalog's
// migrations are SQL only.
func (db *DB) step(version int) func(context.Context, *Tx) error {
	if db.family != "" {
		return nil
	}
	return migrationSteps[version]
}

// pgMigrationLock takes a session-level advisory lock on one connection.
func (db *DB) pgMigrationLock(ctx context.Context) (func(), error) {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, err
	}
	const key = 7_432_001 // any constant shared by all kofu processes
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		conn.Close()
		return nil, err
	}
	return func() {
		conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, key)
		conn.Close()
	}, nil
}

// Current reports whether the schema is at the binary's version (/readyz).
func (db *DB) Current(ctx context.Context) (bool, error) {
	var v int
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return false, err
	}
	return v == LatestVersion(db.Engine), nil
}
