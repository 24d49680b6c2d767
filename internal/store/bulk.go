package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
)

// bulkTable names a table and the columns a bulk insert fills, with each
// column's PostgreSQL type (the element type of its unnest array).
type bulkTable struct {
	name  string
	cols  []string
	types []string // "bigint", "text", "boolean" or "bytea"
}

// The size of one statement of a bulk insert. PostgreSQL takes one array
// per column, so only the message size bounds a statement; SQLite binds
// every value (up to 32,766), and a fixed batch keeps the statements it
// prepares few.
const (
	bulkRowsPostgres = 5000
	bulkValuesSQLite = 4000
)

// insertBulk writes rows (one value per column each) in as few statements
// as the engine allows: on PostgreSQL INSERT ... SELECT FROM unnest of one
// array per column, whose text is the same however many rows it carries,
// so pgx prepares it once; on SQLite multi-row VALUES.
func (t *Tx) insertBulk(ctx context.Context, tb bulkTable, rows [][]any) error {
	batch := max(1, bulkValuesSQLite/len(tb.cols))
	if !t.d.positional {
		batch = bulkRowsPostgres
	}
	for len(rows) > 0 {
		n := min(len(rows), batch)
		var err error
		if t.d.positional {
			err = t.insertValues(ctx, tb, rows[:n])
		} else {
			err = t.insertUnnest(ctx, tb, rows[:n])
		}
		if err != nil {
			return fmt.Errorf("%s: %w", tb.name, translate(err))
		}
		rows = rows[n:]
	}
	return nil
}

func (t *Tx) insertValues(ctx context.Context, tb bulkTable, rows [][]any) error {
	var b strings.Builder
	b.WriteString("INSERT INTO " + tb.name + " (" + strings.Join(tb.cols, ", ") + ") VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(tb.cols)), ", ") + ")"
	args := make([]any, 0, len(rows)*len(tb.cols))
	for i, row := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
		args = append(args, row...)
	}
	_, err := t.exec(ctx, b.String(), args...)
	return err
}

func (t *Tx) insertUnnest(ctx context.Context, tb bulkTable, rows [][]any) error {
	marks := make([]string, len(tb.cols))
	args := make([]any, len(tb.cols))
	for j, typ := range tb.types {
		marks[j] = "$" + itoa(j+1) + "::" + typ + "[]"
		a, err := pgArray(typ, rows, j)
		if err != nil {
			return err
		}
		args[j] = a
	}
	_, err := t.exec(ctx, "INSERT INTO "+tb.name+" ("+strings.Join(tb.cols, ", ")+") SELECT * FROM unnest("+
		strings.Join(marks, ", ")+")", args...)
	return err
}

// pgArray gathers column j of rows into an array pgx sends as typ[].
func pgArray(typ string, rows [][]any, j int) (any, error) {
	switch typ {
	case "bigint":
		out := make([]pgtype.Int8, len(rows))
		for i, r := range rows {
			switch v := r[j].(type) {
			case int64:
				out[i] = pgtype.Int8{Int64: v, Valid: true}
			case int:
				out[i] = pgtype.Int8{Int64: int64(v), Valid: true}
			case sql.NullInt64:
				out[i] = pgtype.Int8{Int64: v.Int64, Valid: v.Valid}
			default:
				return nil, fmt.Errorf("bulk insert: %T is not a bigint", v)
			}
		}
		return out, nil
	case "text":
		out := make([]pgtype.Text, len(rows))
		for i, r := range rows {
			switch v := r[j].(type) {
			case string:
				out[i] = pgtype.Text{String: v, Valid: true}
			case sql.NullString:
				out[i] = pgtype.Text{String: v.String, Valid: v.Valid}
			default:
				return nil, fmt.Errorf("bulk insert: %T is not text", v)
			}
		}
		return out, nil
	case "boolean":
		out := make([]pgtype.Bool, len(rows))
		for i, r := range rows {
			switch v := r[j].(type) {
			case bool:
				out[i] = pgtype.Bool{Bool: v, Valid: true}
			case sql.NullBool:
				out[i] = pgtype.Bool{Bool: v.Bool, Valid: v.Valid}
			default:
				return nil, fmt.Errorf("bulk insert: %T is not a boolean", v)
			}
		}
		return out, nil
	case "bytea":
		out := make([][]byte, len(rows))
		for i, r := range rows {
			v, ok := r[j].([]byte)
			if !ok {
				return nil, fmt.Errorf("bulk insert: %T is not bytea", r[j])
			}
			out[i] = v
		}
		return out, nil
	}
	return nil, fmt.Errorf("bulk insert: unknown type %s", typ)
}

// anyOf returns the condition that col is one of vals, with its
// arguments: one array on PostgreSQL, one positional parameter per value
// on SQLite (callers keep vals under maxInList).
func (t *Tx) anyOf(col string, vals []string) (string, []any) {
	if !t.d.positional {
		return col + " = ANY($1::text[])", []any{vals}
	}
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return col + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ") + ")", args
}

// maxInList bounds the values of one anyOf list, far below SQLite's
// limit of 32,766 parameters.
const maxInList = 1000

// eachPiece calls fn with vals cut into pieces of at most maxInList.
func eachPiece(vals []string, fn func([]string) error) error {
	for len(vals) > 0 {
		n := min(len(vals), maxInList)
		if err := fn(vals[:n]); err != nil {
			return err
		}
		vals = vals[n:]
	}
	return nil
}
