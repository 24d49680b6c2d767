package store_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// legacyLog makes db's log look as the versions before keying wrote it:
// n entries hashed with the old formula, no keys on them or the head.
func legacyLog(t *testing.T, db *store.DB, n int) {
	t.Helper()
	at := time.UnixMilli(1_790_000_000_000)
	for i := range n {
		err := db.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.AppendAudit(ctx, audit.Event{Actor: "admin", Action: "test.event", Detail: map[string]any{"i": i}}, at)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	in := storetest.NewIntruder(t, db)
	in.DropTriggers()
	es := storetest.Rechain(in.Entries(), 0, audit.LegacyHash, func(audit.Entry) string { return "" })
	in.Write(es)
	in.SetHead(audit.Head{LastID: int64(n), LastHash: es[n-1].Hash, AnchorHash: audit.Genesis})
}

func lastEntry(t *testing.T, db *store.DB) audit.Entry {
	t.Helper()
	var last audit.Entry
	err := db.View(ctx, func(tx *store.Tx) error {
		return tx.EachAudit(ctx, func(e audit.Entry) error { last = e; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return last
}

// An existing chain is keyed once, from a verified state: the entry that
// keys it records the old chain's last entry and that it verified, and
// every later verification covers the old entries through it.
func TestALegacyChainIsKeyedOnceAndRecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		legacyLog(t, db, 4)
		var p *audit.Problem
		if err := store.VerifyAudit(ctx, db); !errors.As(err, &p) || !strings.Contains(p.Reason, "no key") {
			t.Fatalf("a log not yet keyed must not pass: %v", err)
		}
		keyed, err := db.KeyAuditChain(ctx, time.Now())
		if err != nil || !keyed {
			t.Fatalf("keyed %v, %v", keyed, err)
		}
		e := lastEntry(t, db)
		var d map[string]any
		json.Unmarshal([]byte(e.Detail), &d)
		if e.ID != 5 || e.Action != audit.ActionKeyed || d["previous_verified"] != true || d["previous_last_id"] != 4.0 ||
			d["key_id"] != storetest.Keys().Current().ID() || e.Mac == "" {
			t.Fatalf("keying entry %+v", e)
		}
		r, err := store.CheckAudit(ctx, db, nil)
		if err != nil || r.Legacy != 4 || r.Entries != 5 {
			t.Fatalf("after keying: %+v %v", r, err)
		}
		if again, err := db.KeyAuditChain(ctx, time.Now()); err != nil || again {
			t.Fatalf("keyed twice: %v %v", again, err)
		}
		// An old entry edited and rehashed with the old formula, up to the
		// last old one, no longer links to the keyed entry.
		in := storetest.NewIntruder(t, db)
		es := in.Entries()
		es[1].Actor = "intruder"
		in.Write(storetest.Rechain(es[:4], 1, audit.LegacyHash, nil))
		if err := store.VerifyAudit(ctx, db); !errors.As(err, &p) || p.ID != 5 {
			t.Fatalf("an old entry rewritten: want a problem at 5, got %v", err)
		}
	})
}

// A chain that already fails is keyed all the same (the server must go on
// recording), the keying entry says so, and verification keeps reporting
// the break. The first append keys a chain the server did not key yet.
func TestABrokenLegacyChainIsKeyedAndStillReported(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		legacyLog(t, db, 3)
		in := storetest.NewIntruder(t, db)
		es := in.Entries()
		es[1].Detail = "edited"
		in.Write(es[1:2])
		err := db.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.AppendAudit(ctx, audit.Event{Actor: "admin", Action: "test.after"}, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var keying audit.Entry
		db.View(ctx, func(tx *store.Tx) error {
			return tx.EachAudit(ctx, func(e audit.Entry) error {
				if e.Action == audit.ActionKeyed {
					keying = e
				}
				return nil
			})
		})
		if keying.ID != 4 || !strings.Contains(keying.Detail, `"previous_verified":false`) || !strings.Contains(keying.Detail, "audit entry 2") {
			t.Fatalf("keying entry %+v", keying)
		}
		if last := lastEntry(t, db); last.ID != 5 || last.Action != "test.after" {
			t.Fatalf("last entry %+v", last)
		}
		var p *audit.Problem
		if err := store.VerifyAudit(ctx, db); !errors.As(err, &p) || p.ID != 2 {
			t.Fatalf("want the old break at 2, got %v", err)
		}
	})
}

// Nothing is appended to the log, nor is it verified, without the data
// key; after a change of data key the entries under the old key stay
// covered by the later ones.
func TestTheChainNeedsTheDataKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		legacyLog(t, db, 1)
		db.KeyAuditChain(ctx, time.Now())
		old := db.Keys()
		db.UseKeys(nil)
		err := db.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.AppendAudit(ctx, audit.Event{Action: "x"}, time.Now())
			return err
		})
		if !errors.Is(err, fieldcrypt.ErrNoKey) || !errors.Is(store.VerifyAudit(ctx, db), fieldcrypt.ErrNoKey) {
			t.Fatalf("without keys: %v", err)
		}
		next, _ := fieldcrypt.ParseKey(fieldcrypt.Generate())
		db.UseKeys(fieldcrypt.NewKeyring(next, old.Current()))
		err = db.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.AppendAudit(ctx, audit.Event{Action: "after the change"}, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		db.UseKeys(fieldcrypt.NewKeyring(next)) // the old key is no longer given
		r, err := store.CheckAudit(ctx, db, nil)
		if err != nil || r.Unchecked != 1 || r.Legacy != 1 {
			t.Fatalf("after the change: %+v %v", r, err)
		}
	})
}
