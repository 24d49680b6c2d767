package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/kofu-oss/kofu/internal/store"
)

// targetInfo is what a restore needs to know about the target database.
type targetInfo struct {
	version int
	cat     catalog
	serials [][2]string // PostgreSQL: (table, column) fed by a sequence
}

// inspectTarget reads the target's schema and refuses one that holds data,
// before the (possibly long) verification pass.
func inspectTarget(ctx context.Context, db *store.DB) (targetInfo, error) {
	tx, err := db.WritePool().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return targetInfo{}, err
	}
	defer tx.Rollback()
	var t targetInfo
	if t.version, err = schemaVersion(ctx, tx); err != nil {
		return t, fmt.Errorf("復元先のスキーマのバージョンを読めません (先に kofu migrate を実行してください): %w", err)
	}
	if t.cat, err = readCatalog(ctx, tx, db.Engine); err != nil {
		return t, err
	}
	if db.Engine == store.Postgres {
		if t.serials, err = serialColumns(ctx, tx); err != nil {
			return t, err
		}
	}
	return t, checkEmpty(ctx, tx, t.cat)
}

// migrationSeed is the condition matching the rows that migrations put in
// table (the audit chain's empty head); a restore replaces them.
func migrationSeed(table string) (string, bool) {
	if table == "audit_head" {
		return "last_id = 0 AND anchor_id = 0", true
	}
	return "", false
}

// checkEmpty refuses a target with any row but the migrations' own.
func checkEmpty(ctx context.Context, tx *sql.Tx, cat catalog) error {
	names := make([]string, 0, len(cat.columns))
	for t := range cat.columns {
		names = append(names, t)
	}
	slices.Sort(names)
	for _, t := range names {
		q := `SELECT 1 FROM ` + quote(t)
		if cond, ok := migrationSeed(t); ok {
			q += ` WHERE NOT (` + cond + `)`
		}
		var one int
		err := tx.QueryRowContext(ctx, q+` LIMIT 1`).Scan(&one)
		if err == nil {
			return errNotEmpty(t)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	return nil
}

// accepts checks that the backup fits the target: same schema version,
// same tables and columns, and a table order that satisfies the target's
// foreign keys.
func (t targetInfo) accepts(m Manifest) error {
	if m.SchemaVersion != t.version {
		return errSchema(fmt.Sprintf("バックアップのスキーマ (バージョン %d) と復元先のスキーマ (バージョン %d) が異なります。バックアップを作成したときと同じバージョンの kofu で復元してください。", m.SchemaVersion, t.version))
	}
	if len(m.Tables) != len(t.cat.columns) {
		return errSchema(fmt.Sprintf("テーブルの数が違います (バックアップ %d、復元先 %d)。", len(m.Tables), len(t.cat.columns)))
	}
	pos := map[string]int{}
	for i, tb := range m.Tables {
		if err := sameColumns(tb, t.cat.columns[tb.Name]); err != nil {
			return err
		}
		pos[tb.Name] = i
	}
	for _, tb := range m.Tables {
		for _, p := range t.cat.parents[tb.Name] {
			if pos[p] > pos[tb.Name] {
				return errSchema(fmt.Sprintf("テーブル %s が参照する %s より先に並んでいます。", tb.Name, p))
			}
		}
	}
	return nil
}

func sameColumns(tb Table, target []Column) error {
	if target == nil {
		return errSchema(fmt.Sprintf("復元先にテーブル %s がありません。", tb.Name))
	}
	want := map[string]Kind{}
	for _, c := range target {
		want[c.Name] = c.Kind
	}
	for _, c := range tb.Columns {
		if k, ok := want[c.Name]; !ok || k != c.Kind {
			return errSchema(fmt.Sprintf("テーブル %s の列 %s (%s) が復元先と一致しません。", tb.Name, c.Name, c.Kind))
		}
	}
	if len(tb.Columns) != len(target) {
		return errSchema(fmt.Sprintf("テーブル %s の列の数が復元先と一致しません。", tb.Name))
	}
	return nil
}

func serialColumns(ctx context.Context, tx *sql.Tx) ([][2]string, error) {
	var out [][2]string
	err := eachRow(ctx, tx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')
		ORDER BY table_name, column_name`, func(s scanner) error {
		var tc [2]string
		err := s.Scan(&tc[0], &tc[1])
		out = append(out, tc)
		return err
	})
	return out, err
}

// resetSequences moves each PostgreSQL sequence past the restored ids, so
// the next insert does not collide with them.
func resetSequences(ctx context.Context, tx *sql.Tx, serials [][2]string) error {
	for _, tc := range serials {
		col := quote(tc[1])
		q := `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(` + col + `), 1), MAX(` + col + `) IS NOT NULL) FROM ` + quote(tc[0])
		if _, err := tx.ExecContext(ctx, q, quote(tc[0]), tc[1]); err != nil {
			return fmt.Errorf("シーケンス %s.%s: %w", tc[0], tc[1], err)
		}
	}
	return nil
}
