package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kofu-oss/kofu/internal/store"
)

// snapshot is one read transaction that sees the whole database as of its
// start, while the server keeps writing.
type snapshot struct {
	tx    *sql.Tx
	close func() error
}

// openSnapshot begins the backup's read transaction: REPEATABLE READ on
// PostgreSQL (one snapshot for every statement); on SQLite a deferred
// transaction on a read-only connection of its own, which in WAL mode
// reads one snapshot without blocking the single writer.
func openSnapshot(ctx context.Context, db *store.DB) (*snapshot, error) {
	if db.Engine == store.Postgres {
		tx, err := db.WritePool().BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil {
			return nil, err
		}
		return &snapshot{tx: tx, close: tx.Rollback}, nil
	}
	return openSQLiteSnapshot(ctx, db)
}

// openSQLiteSnapshot opens its own reader on the database file: the store's
// writer must stay free for the server, and its reader pool is private.
func openSQLiteSnapshot(ctx context.Context, db *store.DB) (*snapshot, error) {
	path, err := sqliteFile(ctx, db.WritePool())
	if err != nil {
		return nil, err
	}
	r, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(ON)")
	if err != nil {
		return nil, err
	}
	r.SetMaxOpenConns(1)
	tx, err := r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		r.Close()
		return nil, err
	}
	// The first read fixes the snapshot for the rest of the transaction.
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master`).Scan(&v); err != nil {
		tx.Rollback()
		r.Close()
		return nil, err
	}
	return &snapshot{tx: tx, close: func() error { return errors.Join(tx.Rollback(), r.Close()) }}, nil
}

func sqliteFile(ctx context.Context, pool *sql.DB) (string, error) {
	var seq int
	var name, file string
	err := pool.QueryRowContext(ctx, `SELECT seq, name, file FROM pragma_database_list WHERE name = 'main'`).Scan(&seq, &name, &file)
	if err != nil {
		return "", err
	}
	if file == "" {
		return "", fmt.Errorf("メモリ上のデータベースはバックアップできません")
	}
	return file, nil
}

// schemaVersion reads the migration version inside the snapshot.
func schemaVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	var v int
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM `+bookkeeping).Scan(&v)
	return v, err
}
