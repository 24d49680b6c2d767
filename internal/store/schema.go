package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
)

// Tables returns each table of the schema with its column names, sorted;
// used to prove both engines hold the same schema (and, later, by backups).
func (db *DB) Tables(ctx context.Context) (map[string][]string, error) {
	q := `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
	if db.Engine == Postgres {
		q = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`
	}
	rows, err := db.read.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			return nil, err
		}
		out[table] = append(out[table], col)
	}
	for _, cols := range out {
		sort.Strings(cols)
	}
	return out, rows.Err()
}

// Snapshot returns every row of every table (but those in skip) as text,
// sorted, so tests and backups can compare whole databases table by table.
func (db *DB) Snapshot(ctx context.Context, skip ...string) (map[string][]string, error) {
	tables, err := db.Tables(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for table := range tables {
		if slices.Contains(skip, table) {
			continue
		}
		rows, err := db.dumpTable(ctx, table)
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", table, err)
		}
		out[table] = rows
	}
	return out, nil
}

func (db *DB) dumpTable(ctx context.Context, table string) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT * FROM `+table) // table names come from the catalogue
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprint(vals...))
	}
	sort.Strings(out)
	return out, rows.Err()
}
