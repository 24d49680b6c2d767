package storetest

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/store"
)

// StoredBytes returns what the database named by dsn keeps on disk, for
// tests that prove personal data is not readable there. SQLite: the
// database file, its WAL and shared-memory file, as they are (no
// checkpoint, so rows still only in the WAL are seen). PostgreSQL: after a
// CHECKPOINT, the files of every table, index and TOAST table of the
// test's schema under the data directory, and the WAL segments written
// since since. When the data directory cannot be read (PostgreSQL on
// another host or user), it falls back to every column of every table as
// stored, read with SQL past the application, and logs that it did.
func StoredBytes(tb testing.TB, e store.Engine, dsn string, since time.Time) []byte {
	tb.Helper()
	return storedBytes(tb, e, dsn, since, true)
}

// StoredTableBytes is StoredBytes without PostgreSQL's WAL, which every
// database of the server shares: a test whose values are not unique to it
// (the demo city's names, which other tests write in clear-text fixtures
// too) can only look at its own schema's files there.
func StoredTableBytes(tb testing.TB, e store.Engine, dsn string) []byte {
	tb.Helper()
	return storedBytes(tb, e, dsn, time.Time{}, false)
}

func storedBytes(tb testing.TB, e store.Engine, dsn string, since time.Time, wal bool) []byte {
	if e == store.SQLite {
		var all []byte
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(dsn + suffix)
			if err != nil && !os.IsNotExist(err) {
				tb.Fatal(err)
			}
			all = append(all, b...)
		}
		return all
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if b, err := postgresFiles(db, since, wal); err == nil {
		return b
	} else {
		tb.Logf("PostgreSQL data directory not readable (%v): reading the stored column values with SQL instead", err)
	}
	return postgresColumns(tb, db)
}

func postgresFiles(db *sql.DB, since time.Time, withWAL bool) ([]byte, error) {
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CHECKPOINT`); err != nil {
		return nil, err
	}
	var dir string
	if err := db.QueryRowContext(ctx, `SHOW data_directory`).Scan(&dir); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT pg_relation_filepath(c.oid) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i')
		UNION SELECT pg_relation_filepath(t.oid) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_class t ON t.oid = c.reltoastrelid
		WHERE n.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	var paths []string
	for rows.Next() {
		var p sql.NullString
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return nil, err
		}
		if p.Valid {
			paths = append(paths, filepath.Join(dir, p.String))
		}
	}
	rows.Close()
	var all bytes.Buffer
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		all.Write(b)
	}
	if !withWAL {
		return all.Bytes(), nil
	}
	wal, err := os.ReadDir(filepath.Join(dir, "pg_wal"))
	if err != nil {
		return nil, err
	}
	for _, f := range wal {
		info, err := f.Info()
		if err != nil || !info.Mode().IsRegular() || info.ModTime().Before(since.Add(-time.Second)) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, "pg_wal", f.Name()))
		if err != nil {
			return nil, err
		}
		all.Write(b)
	}
	return all.Bytes(), nil
}

func postgresColumns(tb testing.TB, db *sql.DB) []byte {
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
	if err != nil {
		tb.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var t string
		rows.Scan(&t)
		tables = append(tables, t)
	}
	rows.Close()
	var all bytes.Buffer
	for _, t := range tables {
		rows, err := db.Query(`SELECT row_to_json(x)::text FROM "` + t + `" x`)
		if err != nil {
			tb.Fatal(err)
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			all.WriteString(s)
		}
		rows.Close()
	}
	return all.Bytes()
}
