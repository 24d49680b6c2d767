package backup

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"

	"filippo.io/age"

	"github.com/kofu-oss/kofu/internal/store"
)

const (
	// maxParams keeps a multi-row INSERT well under both engines' limits
	// on bound parameters (SQLite 32766, PostgreSQL 65535).
	maxParams = 8000
	// maxBatchRows and maxBatchBytes bound one INSERT's rows and memory.
	maxBatchRows  = 500
	maxBatchBytes = 4 << 20
)

// load is the second pass: it inserts every row in one transaction and
// commits only when the stream verified again, with the same manifest.
func load(ctx context.Context, db *store.DB, tgt targetInfo, src io.Reader, id age.Identity, tr trust, first verified) error {
	tx, err := db.WritePool().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := checkEmpty(ctx, tx, tgt.cat); err != nil {
		return err // someone wrote to the target since the first check
	}
	if err := clearSeeds(ctx, tx, first.manifest); err != nil {
		return err
	}
	l := newLoader(ctx, tx, db.Engine, first.manifest)
	defer l.closeStatements()
	again, err := readBackup(src, id, tr, l.chunk)
	if err != nil {
		return err
	}
	if again.hash != first.hash {
		return corrupt("1 回目と 2 回目の読み取りで内容が異なります", nil)
	}
	if err := l.flush(); err != nil {
		return err
	}
	if db.Engine == store.Postgres {
		if err := resetSequences(ctx, tx, tgt.serials); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// clearSeeds removes the rows migrations made in tables the backup fills.
func clearSeeds(ctx context.Context, tx *sql.Tx, m Manifest) error {
	for _, t := range m.Tables {
		if cond, ok := migrationSeed(t.Name); ok && t.Rows > 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+quote(t.Name)+` WHERE `+cond); err != nil {
				return err
			}
		}
	}
	return nil
}

// loader turns chunks of lines into multi-row INSERTs.
type loader struct {
	ctx    context.Context
	tx     *sql.Tx
	engine store.Engine
	tables map[string]*Table
	table  *Table
	args   []any
	rows   int
	bytes  int
	stmts  map[string]*sql.Stmt
}

func newLoader(ctx context.Context, tx *sql.Tx, e store.Engine, m Manifest) *loader {
	l := &loader{ctx: ctx, tx: tx, engine: e, tables: map[string]*Table{}, stmts: map[string]*sql.Stmt{}}
	for i := range m.Tables {
		l.tables[m.Tables[i].Name] = &m.Tables[i]
	}
	return l
}

func (l *loader) chunk(table string, r io.Reader) error {
	if l.table == nil || l.table.Name != table {
		if err := l.flush(); err != nil {
			return err
		}
		if l.table = l.tables[table]; l.table == nil {
			return corrupt("manifest にないテーブル "+table, nil)
		}
	}
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			if err := l.add(line); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (l *loader) add(line []byte) error {
	vals, err := decodeRow(line, l.table.Columns)
	if err != nil {
		return corrupt(fmt.Sprintf("テーブル %s の行を読めません: %v", l.table.Name, err), err)
	}
	l.args = append(l.args, vals...)
	l.rows++
	l.bytes += len(line)
	if l.rows >= batchRows(len(l.table.Columns)) || l.bytes >= maxBatchBytes {
		return l.flush()
	}
	return nil
}

func batchRows(cols int) int {
	return max(1, min(maxBatchRows, maxParams/max(cols, 1)))
}

// flush inserts the pending rows with one statement, prepared once per
// table and batch size.
func (l *loader) flush() error {
	if l.rows == 0 {
		return nil
	}
	st, err := l.statement(l.table, l.rows)
	if err != nil {
		return err
	}
	if _, err := st.ExecContext(l.ctx, l.args...); err != nil {
		return fmt.Errorf("テーブル %s に書き込めません: %w", l.table.Name, err)
	}
	clear(l.args)
	l.args, l.rows, l.bytes = l.args[:0], 0, 0
	return nil
}

func (l *loader) statement(t *Table, rows int) (*sql.Stmt, error) {
	q := insertSQL(t, rows, l.engine)
	if st, ok := l.stmts[q]; ok {
		return st, nil
	}
	st, err := l.tx.PrepareContext(l.ctx, q)
	if err != nil {
		return nil, fmt.Errorf("テーブル %s: %w", t.Name, err)
	}
	l.stmts[q] = st
	return st, nil
}

// closeStatements is best effort: the transaction's end closes them too.
func (l *loader) closeStatements() {
	for _, st := range l.stmts {
		st.Close()
	}
}

// insertSQL is INSERT INTO t (c1, c2) VALUES ($1, $2), ($3, $4)... with
// anonymous ? placeholders on SQLite, where the driver looks up each
// numbered one by name, in time growing with the statement's length.
func insertSQL(t *Table, rows int, e store.Engine) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO ` + quote(t.Name) + ` (`)
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(c.Name))
	}
	b.WriteString(") VALUES ")
	n := 0
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for i := range t.Columns {
			if i > 0 {
				b.WriteString(", ")
			}
			n++
			if e == store.Postgres {
				b.WriteString("$" + strconv.Itoa(n))
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}
