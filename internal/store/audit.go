package store

import (
	"context"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
)

// AppendAudit chains and stores an audit entry in this transaction, so the
// entry commits or rolls back with the change it records. The head row is
// locked, which serialises appends across server processes on PostgreSQL
// until the transaction ends: callers append last, just before the commit,
// so that the lock is held as briefly as possible.
func (t *Tx) AppendAudit(ctx context.Context, ev audit.Event, at time.Time) (audit.Entry, error) {
	var lastID int64
	var lastHash string
	if err := t.queryRow(ctx, `SELECT last_id, last_hash FROM audit_head WHERE id = 1`+t.lock()).Scan(&lastID, &lastHash); err != nil {
		return audit.Entry{}, err
	}
	e := audit.Chain(ev.Entry(at.Truncate(time.Millisecond)), lastID, lastHash)
	args := []any{e.ID, e.At.UnixMilli(), e.ActorID, e.Actor, e.Action, e.Target, e.IP, e.RequestID, e.Detail, e.PrevHash, e.Hash}
	if t.d.forUpdate != "" {
		// PostgreSQL: the entry and the new head in one round trip, while
		// the head is locked.
		_, err := t.exec(ctx, `WITH entry AS (`+insertAuditSQL+`) UPDATE audit_head SET last_id = $1, last_hash = $11 WHERE id = 1`, args...)
		return e, err
	}
	if _, err := t.exec(ctx, insertAuditSQL, args...); err != nil {
		return e, err
	}
	_, err := t.exec(ctx, `UPDATE audit_head SET last_id = $1, last_hash = $2 WHERE id = 1`, e.ID, e.Hash)
	return e, err
}

const insertAuditSQL = `INSERT INTO audit_log (id, at, actor_id, actor, action, target, ip, request_id, detail, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`

// AuditHead returns the last entry and the anchor of the chain.
func (t *Tx) AuditHead(ctx context.Context) (lastID int64, lastHash string, anchorID int64, anchorHash string, err error) {
	err = t.queryRow(ctx, `SELECT last_id, last_hash, anchor_id, anchor_hash FROM audit_head WHERE id = 1`).
		Scan(&lastID, &lastHash, &anchorID, &anchorHash)
	return
}

const auditColumns = `id, at, COALESCE(actor_id, 0), actor, action, target, ip, request_id, detail, prev_hash, hash`

func scanAudit(row interface{ Scan(...any) error }) (audit.Entry, error) {
	var e audit.Entry
	var at int64
	err := row.Scan(&e.ID, &at, &e.ActorID, &e.Actor, &e.Action, &e.Target, &e.IP, &e.RequestID, &e.Detail, &e.PrevHash, &e.Hash)
	e.At = time.UnixMilli(at)
	return e, err
}

// EachAudit calls fn for every entry in ID order, streaming.
func (t *Tx) EachAudit(ctx context.Context, fn func(audit.Entry) error) error {
	return t.eachAudit(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY id`, nil, fn)
}

func (t *Tx) eachAudit(ctx context.Context, query string, args []any, fn func(audit.Entry) error) error {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AuditFilter selects entries for browsing and export.
type AuditFilter struct {
	Actor  string
	Action string // prefix match, e.g. "auth."
	Target string
	From   time.Time
	To     time.Time // exclusive
	Limit  int       // 0: no limit
	Offset int
}

func (f AuditFilter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+itoa(len(args))))
	}
	if f.Actor != "" {
		add("actor = ?", f.Actor)
	}
	if f.Action != "" {
		add(`action LIKE ? ESCAPE '\'`, escapeLike(f.Action)+"%")
	}
	if f.Target != "" {
		add("target = ?", f.Target)
	}
	if !f.From.IsZero() {
		add("at >= ?", f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		add("at < ?", f.To.UnixMilli())
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// SearchAudit calls fn for matching entries, newest first, and returns the
// number of matches.
func (t *Tx) SearchAudit(ctx context.Context, f AuditFilter, fn func(audit.Entry) error) (int, error) {
	where, args := f.where()
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM audit_log`+where, args...).Scan(&total); err != nil {
		return 0, err
	}
	q := `SELECT ` + auditColumns + ` FROM audit_log` + where + ` ORDER BY id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ` + itoa(f.Limit) + ` OFFSET ` + itoa(f.Offset)
	}
	return total, t.eachAudit(ctx, q, args, fn)
}

// PurgeAudit removes entries older than before and moves the anchor to the
// last removed entry, so verification still starts from a known hash.
func (t *Tx) PurgeAudit(ctx context.Context, before time.Time) (int64, error) {
	if err := t.queryRow(ctx, `SELECT last_id FROM audit_head WHERE id = 1`+t.lock()).Scan(new(int64)); err != nil {
		return 0, err
	}
	var id int64
	var hash string
	err := t.queryRow(ctx, `SELECT id, hash FROM audit_log WHERE at < $1 ORDER BY id DESC LIMIT 1`, before.UnixMilli()).Scan(&id, &hash)
	if err := translate(err); err != nil {
		return 0, ignoreNotFound(err)
	}
	res, err := t.exec(ctx, `DELETE FROM audit_log WHERE id <= $1`, id)
	if err != nil {
		return 0, err
	}
	if _, err := t.exec(ctx, `UPDATE audit_head SET anchor_id = $1, anchor_hash = $2 WHERE id = 1`, id, hash); err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
