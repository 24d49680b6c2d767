package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
)

// chainKeys derives the audit chain's keys from the data keys.
func chainKeys(k *fieldcrypt.Keyring) *audit.Keyring {
	if k == nil {
		return nil
	}
	var keys []audit.Key
	for _, fk := range k.Keys() {
		keys = append(keys, audit.NewKey(fk.ID(), fk.Derive("audit chain")))
	}
	return audit.NewKeyring(keys[0], keys[1:]...)
}

// AuditKeys returns the audit chain's keys (nil without data keys).
func (db *DB) AuditKeys() *audit.Keyring { return db.chain }

// chainKeyring returns the chain's keys: nothing is appended to the audit
// log, nor is it verified, without the data key.
func (t *Tx) chainKeyring() (*audit.Keyring, error) {
	if t.chain == nil {
		return nil, fmt.Errorf("監査ログの記録と検査にはデータの暗号鍵が必要です。%w", fieldcrypt.ErrNoKey)
	}
	return t.chain, nil
}

// AppendAudit chains and stores an audit entry in this transaction, so the
// entry commits or rolls back with the change it records. The head row is
// locked, which serialises appends across server processes on PostgreSQL
// until the transaction ends: callers append last, just before the commit,
// so that the lock is held as briefly as possible.
func (t *Tx) AppendAudit(ctx context.Context, ev audit.Event, at time.Time) (audit.Entry, error) {
	keys, head, err := t.lockedHead(ctx, at)
	if err != nil {
		return audit.Entry{}, err
	}
	e, _, err := t.appendEntry(ctx, keys, head, ev.Entry(at))
	return e, err
}

// lockedHead reads and locks the head. A chain from before keying is keyed
// first (once in a database's life), so that every entry appended follows
// a keyed one.
func (t *Tx) lockedHead(ctx context.Context, at time.Time) (*audit.Keyring, audit.Head, error) {
	keys, err := t.chainKeyring()
	if err != nil {
		return nil, audit.Head{}, err
	}
	head, err := t.readHead(ctx, t.lock())
	if err != nil || head.Mac != "" || head.LastID == 0 {
		return keys, head, err
	}
	head, err = t.keyChain(ctx, keys, head, at)
	return keys, head, err
}

// KeyAuditChain keys a chain written before keying (see keyChain) and
// reports whether it did: the server does it as it starts, rather than in
// its first request.
func (db *DB) KeyAuditChain(ctx context.Context, at time.Time) (keyed bool, err error) {
	err = db.Update(ctx, func(t *Tx) error {
		before, err := t.readHead(ctx, t.lock())
		if err != nil {
			return err
		}
		_, after, err := t.lockedHead(ctx, at)
		keyed = after.LastID != before.LastID
		return err
	})
	return keyed, err
}

func (t *Tx) readHead(ctx context.Context, lock string) (audit.Head, error) {
	var h audit.Head
	err := t.queryRow(ctx, `SELECT last_id, last_hash, anchor_id, anchor_hash, mac FROM audit_head WHERE id = 1`+lock).
		Scan(&h.LastID, &h.LastHash, &h.AnchorID, &h.AnchorHash, &h.Mac)
	return h, err
}

// keyChain verifies a chain written before keying, from its anchor to its
// head, and appends audit.chain_keyed: the first keyed entry, whose hash
// (and so its key) covers the last unkeyed one and through it all before.
// The entry records whether the old chain verified; a break found here is
// reported by every later verification too, as before.
func (t *Tx) keyChain(ctx context.Context, keys *audit.Keyring, head audit.Head, at time.Time) (audit.Head, error) {
	v := audit.NewVerifier(keys, head.Anchor())
	err := t.eachAudit(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY id`, nil, v.Next)
	if err == nil {
		err = v.Reaches(head)
	}
	var p *audit.Problem
	if err != nil && !errors.As(err, &p) {
		return head, err
	}
	detail := audit.AnchorDetail(head.Anchor())
	detail["key_id"] = keys.Current().ID
	detail["previous_last_id"], detail["previous_last_hash"] = head.LastID, head.LastHash
	detail["previous_entries"], detail["previous_verified"] = v.Count, p == nil
	if p != nil {
		detail["previous_problem"] = p.Error()
	}
	ev := audit.Event{Actor: "system", Action: audit.ActionKeyed, Target: "audit_log", Detail: detail}
	_, head, err = t.appendEntry(ctx, keys, head, ev.Entry(at))
	return head, err
}

// appendEntry chains e to the head, keyed, and stores it and the new head.
func (t *Tx) appendEntry(ctx context.Context, keys *audit.Keyring, head audit.Head, e audit.Entry) (audit.Entry, audit.Head, error) {
	e.At = e.At.Truncate(time.Millisecond)
	e = audit.Chain(e, head.LastID, head.LastHash, keys.Current())
	head.LastID, head.LastHash = e.ID, e.Hash
	head = head.Keyed(keys.Current())
	args := []any{e.ID, e.At.UnixMilli(), e.ActorID, e.Actor, e.Action, e.Target, e.IP, e.RequestID, e.Detail, e.PrevHash, e.Hash, e.Mac, head.Mac}
	if t.d.forUpdate != "" {
		// PostgreSQL: the entry and the new head in one round trip, while
		// the head is locked.
		_, err := t.exec(ctx, `WITH entry AS (`+insertAuditSQL+`) UPDATE audit_head SET last_id = $1, last_hash = $11, mac = $13 WHERE id = 1`, args...)
		return e, head, err
	}
	if _, err := t.exec(ctx, insertAuditSQL, args[:12]...); err != nil {
		return e, head, err
	}
	_, err := t.exec(ctx, `UPDATE audit_head SET last_id = $1, last_hash = $2, mac = $3 WHERE id = 1`, e.ID, e.Hash, head.Mac)
	return e, head, err
}

const insertAuditSQL = `INSERT INTO audit_log (id, at, actor_id, actor, action, target, ip, request_id, detail, prev_hash, hash, mac)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`

// AuditHead returns the chain's head as stored.
func (t *Tx) AuditHead(ctx context.Context) (audit.Head, error) {
	return t.readHead(ctx, "")
}

const auditColumns = `id, at, COALESCE(actor_id, 0), actor, action, target, ip, request_id, detail, prev_hash, hash, mac`

func scanAudit(row interface{ Scan(...any) error }) (audit.Entry, error) {
	var e audit.Entry
	var at int64
	err := row.Scan(&e.ID, &at, &e.ActorID, &e.Actor, &e.Action, &e.Target, &e.IP, &e.RequestID, &e.Detail, &e.PrevHash, &e.Hash, &e.Mac)
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

// PurgeAudit removes the oldest entries written before before, at most
// limit of them, and records audit.purged (with detail) stating the new
// anchor: the last entry removed. The entries are verified first, so the
// new anchor is one the key vouches for, and a log that does not verify
// loses nothing (the *audit.Problem is returned). It returns how many
// entries it removed.
func (t *Tx) PurgeAudit(ctx context.Context, before, at time.Time, limit int, detail map[string]any) (int64, error) {
	keys, head, err := t.lockedHead(ctx, at)
	if err != nil {
		return 0, err
	}
	var cut int64
	if err := t.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM audit_log WHERE at < $1 AND id <= $2`,
		before.UnixMilli(), head.AnchorID+int64(limit)).Scan(&cut); err != nil || cut <= head.AnchorID {
		return 0, err
	}
	v := audit.NewVerifier(keys, head.Anchor())
	if err := t.eachAudit(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE id <= $1 ORDER BY id`, []any{cut}, v.Next); err != nil {
		return 0, err
	}
	if v.Last().ID != cut {
		return 0, &audit.Problem{ID: v.Last().ID + 1, Reason: "entries are missing before the ones to remove"}
	}
	res, err := t.exec(ctx, `DELETE FROM audit_log WHERE id <= $1`, cut)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	anchor := v.Last()
	if _, err := t.exec(ctx, `UPDATE audit_head SET anchor_id = $1, anchor_hash = $2 WHERE id = 1`, anchor.ID, anchor.Hash); err != nil {
		return 0, err
	}
	head.AnchorID, head.AnchorHash = anchor.ID, anchor.Hash
	d := audit.AnchorDetail(anchor)
	maps.Copy(d, detail)
	d["removed"] = n
	ev := audit.Event{Actor: "system", Action: audit.ActionPurged, Target: "audit_log", Detail: d}
	_, _, err = t.appendEntry(ctx, keys, head, ev.Entry(at))
	return n, err
}
