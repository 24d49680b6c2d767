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

// bulkRows are the values of a bulk insert.
type bulkRows interface {
	Len() int
	// appendRow appends the values of row i to args (SQLite).
	appendRow(args []any, i int) []any
	// column returns column j of rows lo to hi-1 as an array pgx sends
	// as a PostgreSQL array of type typ (PostgreSQL).
	column(j int, typ string, lo, hi int) (any, error)
}

// insertBulk writes rows in as few statements as the engine allows: on
// PostgreSQL INSERT ... SELECT FROM unnest of one array per column, whose
// text is the same however many rows it carries, so pgx prepares it once;
// on SQLite multi-row VALUES.
func (t *Tx) insertBulk(ctx context.Context, tb bulkTable, rows bulkRows) error {
	batch := max(1, bulkValuesSQLite/len(tb.cols))
	if !t.d.positional {
		batch = bulkRowsPostgres
	}
	for lo := 0; lo < rows.Len(); lo += batch {
		hi := min(rows.Len(), lo+batch)
		var err error
		if t.d.positional {
			err = t.insertValues(ctx, tb, rows, lo, hi)
		} else {
			err = t.insertUnnest(ctx, tb, rows, lo, hi)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", tb.name, translate(err))
		}
	}
	return nil
}

func (t *Tx) insertValues(ctx context.Context, tb bulkTable, rows bulkRows, lo, hi int) error {
	var b strings.Builder
	b.WriteString("INSERT INTO " + tb.name + " (" + strings.Join(tb.cols, ", ") + ") VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(tb.cols)), ", ") + ")"
	args := make([]any, 0, (hi-lo)*len(tb.cols))
	for i := lo; i < hi; i++ {
		if i > lo {
			b.WriteString(", ")
		}
		b.WriteString(one)
		args = rows.appendRow(args, i)
	}
	_, err := t.exec(ctx, b.String(), args...)
	return err
}

func (t *Tx) insertUnnest(ctx context.Context, tb bulkTable, rows bulkRows, lo, hi int) error {
	marks := make([]string, len(tb.cols))
	args := make([]any, len(tb.cols))
	for j, typ := range tb.types {
		marks[j] = "$" + itoa(j+1) + "::" + typ + "[]"
		a, err := rows.column(j, typ, lo, hi)
		if err != nil {
			return err
		}
		args[j] = a
	}
	_, err := t.exec(ctx, "INSERT INTO "+tb.name+" ("+strings.Join(tb.cols, ", ")+") SELECT * FROM unnest("+
		strings.Join(marks, ", ")+")", args...)
	return err
}

// anyRows are rows of values as a single-row INSERT would bind them:
// string, int64, bool, []byte and their sql.Null forms.
type anyRows [][]any

func (r anyRows) Len() int { return len(r) }

func (r anyRows) appendRow(args []any, i int) []any { return append(args, r[i]...) }

// column gathers column j into a flat array of pgtype values, which pgx
// encodes without reflection.
func (r anyRows) column(j int, typ string, lo, hi int) (any, error) {
	rows := r[lo:hi]
	switch typ {
	case "bigint":
		out := make(pgtype.FlatArray[pgtype.Int8], len(rows))
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
		out := make(pgtype.FlatArray[pgtype.Text], len(rows))
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
		out := make(pgtype.FlatArray[pgtype.Bool], len(rows))
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
		out := make(pgtype.FlatArray[[]byte], len(rows))
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

// anyOfInt64 is anyOf for numbers.
func (t *Tx) anyOfInt64(col string, vals []int64) (string, []any) {
	if !t.d.positional {
		return col + " = ANY($1::bigint[])", []any{vals}
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
