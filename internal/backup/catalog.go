package backup

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/kofu-oss/kofu/internal/store"
)

// querier is what the catalogue and row readers need: a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// bookkeeping is the migration table: its version goes into the manifest,
// its rows stay with each database.
const bookkeeping = "schema_migrations"

// catalog is what a database says about its own tables.
type catalog struct {
	columns map[string][]Column // table → columns in definition order
	parents map[string][]string // table → tables its foreign keys reference
}

func catalogQueries(e store.Engine) (columns, fks string) {
	if e == store.Postgres {
		return `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
			JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
			WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
			ORDER BY c.table_name, c.ordinal_position`,
			`SELECT a.relname, b.relname FROM pg_constraint c
			JOIN pg_class a ON a.oid = c.conrelid JOIN pg_class b ON b.oid = c.confrelid
			JOIN pg_namespace n ON n.oid = a.relnamespace
			WHERE c.contype = 'f' AND n.nspname = current_schema()`
	}
	return `SELECT m.name, p.name, p.type FROM sqlite_master m JOIN pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid`,
		`SELECT m.name, f."table" FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
			WHERE m.type = 'table'`
}

// readCatalog lists every table but the migration bookkeeping, with the
// kind of each column and the foreign keys between tables.
func readCatalog(ctx context.Context, q querier, e store.Engine) (catalog, error) {
	colQ, fkQ := catalogQueries(e)
	c := catalog{columns: map[string][]Column{}, parents: map[string][]string{}}
	err := eachRow(ctx, q, colQ, func(s scanner) error {
		var table, name, typ string
		if err := s.Scan(&table, &name, &typ); err != nil {
			return err
		}
		kind, err := kindOf(typ)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", table, name, err)
		}
		c.columns[table] = append(c.columns[table], Column{Name: name, Kind: kind})
		return nil
	})
	if err != nil {
		return c, err
	}
	if _, ok := c.columns[bookkeeping]; !ok {
		return c, fmt.Errorf("kofu のデータベースではないか、初期化されていません (%s がありません)", bookkeeping)
	}
	delete(c.columns, bookkeeping)
	return c, eachRow(ctx, q, fkQ, func(s scanner) error {
		var child, parent string
		if err := s.Scan(&child, &parent); err != nil {
			return err
		}
		if child != parent && !slices.Contains(c.parents[child], parent) {
			c.parents[child] = append(c.parents[child], parent)
		}
		return nil
	})
}

// kindOf maps a declared column type of either engine to a kind. An
// unknown type is an error, so that a new column type is handled on
// purpose rather than copied wrongly.
func kindOf(declared string) (Kind, error) {
	t := strings.ToUpper(declared)
	switch {
	case strings.Contains(t, "BOOL"):
		return KindBool, nil
	case strings.Contains(t, "INT"):
		return KindInt, nil
	case strings.Contains(t, "CHAR"), strings.Contains(t, "TEXT"), strings.Contains(t, "CLOB"):
		return KindText, nil
	case strings.Contains(t, "BLOB"), strings.Contains(t, "BYTEA"):
		return KindBytes, nil
	case strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"), strings.Contains(t, "DOUB"):
		return KindFloat, nil
	}
	return "", fmt.Errorf("バックアップが対応していない列の型です: %q", declared)
}

// order returns the tables with every table after the tables it
// references, ties broken by name so that backups are reproducible.
func (c catalog) order() ([]string, error) {
	done := map[string]bool{}
	var out []string
	for len(out) < len(c.columns) {
		ready := c.ready(done)
		if len(ready) == 0 {
			return nil, fmt.Errorf("外部キーが循環しているため、テーブルの順序を決められません")
		}
		for _, t := range ready {
			done[t] = true
		}
		out = append(out, ready...)
	}
	return out, nil
}

// ready lists, sorted, the tables not yet done whose parents are all done.
func (c catalog) ready(done map[string]bool) []string {
	var out []string
	for t := range c.columns {
		if done[t] {
			continue
		}
		ok := true
		for _, p := range c.parents[t] {
			if _, known := c.columns[p]; known && !done[p] {
				ok = false
			}
		}
		if ok {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

type scanner interface{ Scan(...any) error }

func eachRow(ctx context.Context, q querier, query string, fn func(scanner) error) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// quote quotes an identifier for both engines.
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }
