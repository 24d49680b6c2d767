package storetest

import (
	"database/sql"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/store"
)

// Intruder changes the audit log the way someone with write access to the
// database (but not the server's data key) would: with plain SQL on the
// tables, past the application and its append-only trigger.
type Intruder struct {
	tb     testing.TB
	db     *sql.DB
	engine store.Engine
}

// NewIntruder connects to db's tables directly.
func NewIntruder(tb testing.TB, db *store.DB) *Intruder {
	return &Intruder{tb: tb, db: db.WritePool(), engine: db.Engine}
}

func (in *Intruder) exec(q string, args ...any) {
	in.tb.Helper()
	if _, err := in.db.Exec(q, args...); err != nil {
		in.tb.Fatalf("%s: %v", q, err)
	}
}

// DropTriggers lifts the log's append-only trigger.
func (in *Intruder) DropTriggers() {
	in.tb.Helper()
	q := `DROP TRIGGER IF EXISTS audit_log_no_update`
	if in.engine == store.Postgres {
		q += ` ON audit_log`
	}
	in.exec(q)
}

// Entries reads every entry as stored, in id order.
func (in *Intruder) Entries() []audit.Entry {
	in.tb.Helper()
	rows, err := in.db.Query(`SELECT id, at, COALESCE(actor_id, 0), actor, action, target, ip, request_id, detail, prev_hash, hash, mac
		FROM audit_log ORDER BY id`)
	if err != nil {
		in.tb.Fatal(err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.Actor, &e.Action, &e.Target, &e.IP, &e.RequestID, &e.Detail, &e.PrevHash, &e.Hash, &e.Mac); err != nil {
			in.tb.Fatal(err)
		}
		e.At = time.UnixMilli(at)
		out = append(out, e)
	}
	return out
}

// Head reads the head row.
func (in *Intruder) Head() audit.Head {
	in.tb.Helper()
	var h audit.Head
	if err := in.db.QueryRow(`SELECT last_id, last_hash, anchor_id, anchor_hash, mac FROM audit_head WHERE id = 1`).
		Scan(&h.LastID, &h.LastHash, &h.AnchorID, &h.AnchorHash, &h.Mac); err != nil {
		in.tb.Fatal(err)
	}
	return h
}

// SetHead writes the head row.
func (in *Intruder) SetHead(h audit.Head) {
	in.tb.Helper()
	in.exec(`UPDATE audit_head SET last_id = $1, last_hash = $2, anchor_id = $3, anchor_hash = $4, mac = $5 WHERE id = 1`,
		h.LastID, h.LastHash, h.AnchorID, h.AnchorHash, h.Mac)
}

// Write stores the entries' fields over the rows of the same ids.
func (in *Intruder) Write(es []audit.Entry) {
	in.tb.Helper()
	for _, e := range es {
		in.exec(`UPDATE audit_log SET actor = $2, action = $3, target = $4, detail = $5, prev_hash = $6, hash = $7, mac = $8 WHERE id = $1`,
			e.ID, e.Actor, e.Action, e.Target, e.Detail, e.PrevHash, e.Hash, e.Mac)
	}
}

// Delete removes the entries from first to last.
func (in *Intruder) Delete(first, last int64) {
	in.tb.Helper()
	in.exec(`DELETE FROM audit_log WHERE id BETWEEN $1 AND $2`, first, last)
}

// Rechain recomputes, with the intruder's formula hash, the hashes of
// es[from:] and their links, and returns the entries; mac (nil keeps the
// stored ones) gives each its key.
func Rechain(es []audit.Entry, from int, hash func(audit.Entry) string, mac func(audit.Entry) string) []audit.Entry {
	es = append([]audit.Entry(nil), es...)
	for i := from; i < len(es); i++ {
		if i > 0 {
			es[i].PrevHash = es[i-1].Hash
		}
		es[i].Hash = hash(es[i])
		if mac != nil {
			es[i].Mac = mac(es[i])
		}
	}
	return es
}
