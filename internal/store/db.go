// Package store holds all SQL of Kofu for both engines: embedded SQLite (the
// default) and PostgreSQL. Every read and write goes through a Tx so that a
// change and its audit entry commit together.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // pure-Go SQLite driver "sqlite"
)

// Engine names a database engine.
type Engine string

// The supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is an open database: one writer and a pool of readers on SQLite (which
// allows one writer at a time), one pool on PostgreSQL.
type DB struct {
	Engine Engine
	write  *sql.DB
	read   *sql.DB
	d      dialect
	keys   *fieldcrypt.Keyring // seals personal fields; nil until UseKeys
	chain  *audit.Keyring      // keys the audit chain, derived from keys
	count  *counter
	// family is the schema the database holds: "" a city's, catalogFamily
	// the platform's catalog (its own migrations).
	family string
	// SQLite: statements kept prepared across transactions, per pool.
	writeStmts, readStmts *stmtCache
}

// UseKeys sets the keys that seal and open personal fields. Without keys a
// database still serves everything that holds no personal data.
func (db *DB) UseKeys(k *fieldcrypt.Keyring) { db.keys, db.chain = k, chainKeys(k) }

// Keys returns the keys set by UseKeys, or nil.
func (db *DB) Keys() *fieldcrypt.Keyring { return db.keys }

// EngineOf tells which engine a --db value selects.
func EngineOf(dsn string) Engine {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// Open opens (and for SQLite creates) the database named by dsn: a
// postgres:// URL or a SQLite file path. It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var db *DB
	var err error
	if EngineOf(dsn) == Postgres {
		db, err = openPostgres(dsn)
	} else {
		db, err = openSQLite(dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("データベースに接続できません (%s): %w", db.Engine, err)
	}
	return db, nil
}

func openPostgres(dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(10)
	return &DB{Engine: Postgres, write: pool, read: pool, d: postgresDialect, count: &counter{}}, nil
}

func openSQLite(path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("データベースのフォルダを作成できません: %w", err)
		}
	}
	const pragmas = "_pragma=journal_mode(WAL)&_pragma=foreign_keys(ON)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)"
	// A large page cache keeps a big import's dirty pages in memory instead
	// of spilling them to the WAL again and again.
	// secure_delete overwrites what a change removes, so a value replaced by
	// its sealed form (migration 0016) leaves no readable copy in free space.
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=cache_size(-"+itoa(writerCacheKiB)+")&_pragma=temp_store(MEMORY)&_pragma=secure_delete(ON)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1) // SQLite has one writer; queueing in Go avoids SQLITE_BUSY
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(ON)&_pragma=mmap_size(1073741824)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(max(4, runtime.NumCPU()))
	return &DB{Engine: SQLite, write: w, read: r, d: sqliteDialect, count: &counter{},
		writeStmts: newStmtCache(w), readStmts: newStmtCache(r)}, nil
}

// Close closes all connections.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Stats returns the writer pool's statistics (for /metrics).
func (db *DB) Stats() sql.DBStats { return db.write.Stats() }

// Tx is a database transaction; repository methods hang off it.
type Tx struct {
	tx       *sql.Tx
	d        dialect
	readOnly bool
	stmts    map[string]*sql.Stmt // SQLite: statements prepared once per transaction
	deferred *[]searchRow         // search rows collected by a bulk import
	keys     *fieldcrypt.Keyring
	chain    *audit.Keyring
	count    *counter
	shared   *stmtCache // SQLite: statements prepared beyond this transaction
}

// lock is appended to a SELECT whose rows the transaction will change: it
// locks them on PostgreSQL; read-only transactions need no lock.
func (t *Tx) lock() string {
	if t.readOnly {
		return ""
	}
	return t.d.forUpdate
}

// Update runs fn in a read-write transaction and commits when fn returns nil.
func (db *DB) Update(ctx context.Context, fn func(*Tx) error) error {
	return db.run(ctx, db.write, db.writeStmts, false, fn)
}

// View runs fn in a read-only transaction.
func (db *DB) View(ctx context.Context, fn func(*Tx) error) error {
	return db.run(ctx, db.read, db.readStmts, true, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, shared *stmtCache, readOnly bool, fn func(*Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: readOnly && db.Engine == Postgres}
	sqlTx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return translate(err)
	}
	db.count.tx.Add(1)
	tx := &Tx{tx: sqlTx, d: db.d, readOnly: readOnly, keys: db.keys, chain: db.chain, count: db.count, shared: shared}
	if shared != nil {
		defer shared.prepareWanted() // after the transaction let its connection go
	}
	err = fn(tx)
	if err == nil {
		err = tx.FlushSearchIndex(ctx) // a bulk import may leave rows to write
	}
	if err != nil {
		sqlTx.Rollback()
		return translate(err)
	}
	return translate(sqlTx.Commit())
}

// prepared returns the statement for query, prepared once per
// transaction on SQLite, where parsing costs more than running a small
// statement: an import of 100,000 rows repeats a handful of statements.
// It is kept prepared beyond the transaction too (stmtCache). pgx already
// caches prepared statements per connection, so PostgreSQL goes straight
// to the transaction.
func (t *Tx) prepared(ctx context.Context, query string) *sql.Stmt {
	if !t.d.cacheStatements {
		return nil
	}
	if st, ok := t.stmts[query]; ok {
		return st
	}
	var st *sql.Stmt
	if shared := t.shared.get(query); shared != nil {
		st = t.tx.StmtContext(ctx, shared)
	} else {
		var err error
		if st, err = t.tx.PrepareContext(ctx, query); err != nil {
			return nil // the unprepared call below reports the error
		}
		t.shared.want(query)
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[query] = st
	return st
}

func (t *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	t.count.stmts.Add(1)
	if st := t.prepared(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	t.count.stmts.Add(1)
	if st := t.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	t.count.stmts.Add(1)
	if st := t.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// WritePool exposes the writer pool: for pool metrics, and for the backup
// package, which reads and loads whole tables generically from the catalogue.
func (db *DB) WritePool() *sql.DB { return db.write }
