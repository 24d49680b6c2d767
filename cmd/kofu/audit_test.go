package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// auditedDB returns a database whose log holds 8 entries (a staff account
// created with kofu user add, then 7 more), the head as it stood at entry
// 6, and a head file published by kofu audit head at entry 8.
func auditedDB(t *testing.T, e store.Engine) (dsn string, db *store.DB, at6 audit.Head, published string) {
	t.Helper()
	dsn = migratedDSN(t, e)
	if code, _, errOut := cli(t, "yama-to-kawa-no-machi\n", "user", "add", "--db", dsn, "--username", "tanaka", "--role", "staff"); code != 0 {
		t.Fatalf("user add: %s", errOut)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.UseKeys(storetest.Keys())
	appendN := func(n int) {
		for i := range n {
			err := db.Update(ctx, func(tx *store.Tx) error {
				_, err := tx.AppendAudit(ctx, audit.Event{Actor: "tanaka", Action: "card.viewed", Target: "card:" + string(rune('a'+i))}, time.Now())
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	appendN(5)
	at6 = storetest.NewIntruder(t, db).Head()
	appendN(2)
	code, out, errOut := cli(t, "", "audit", "head", "--db", dsn)
	if code != 0 || !strings.Contains(out, `"last_id": 8`) {
		t.Fatalf("audit head: %d %s %s", code, out, errOut)
	}
	published = filepath.Join(t.TempDir(), "audit-head-8.json")
	if err := os.WriteFile(published, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return dsn, db, at6, published
}

// The "done when", tried as someone who can write to the database
// but does not hold the server's data key: drop the trigger, edit entry 3,
// recompute every later hash and the head (with the old formula, with
// SHA-256 over the raw bytes as the chain now hashes, and with the keys
// stripped), or cut entries from the front or the back. kofu audit verify
// refuses each, on both engines.
func TestAuditVerifyRefusesARewrittenOrCutLog(t *testing.T) {
	noKey := func(audit.Entry) string { return "" }
	cases := []struct {
		name   string
		attack func(in *storetest.Intruder, es []audit.Entry, at6 audit.Head)
		// want is the entry named without the published head; 0: the
		// attack passes unless the published head is given.
		want, withHead int64
	}{
		{"edited, rehashed with the old formula", func(in *storetest.Intruder, es []audit.Entry, _ audit.Head) {
			rewriteFrom3(in, es, audit.LegacyHash, nil)
		}, 3, 3},
		{"edited, rehashed with SHA-256 over the raw bytes", func(in *storetest.Intruder, es []audit.Entry, _ audit.Head) {
			rewriteFrom3(in, es, audit.Digest, nil)
		}, 3, 3},
		{"edited, rehashed with the old formula and the keys stripped", func(in *storetest.Intruder, es []audit.Entry, _ audit.Head) {
			rewriteFrom3(in, storetest.Rechain(es, 0, audit.LegacyHash, noKey), audit.LegacyHash, noKey)
		}, 8, 8},
		{"newest entries cut, head moved back", func(in *storetest.Intruder, es []audit.Entry, _ audit.Head) {
			in.Delete(7, 8)
			h := in.Head()
			h.LastID, h.LastHash = 6, es[5].Hash
			in.SetHead(h)
		}, 6, 6},
		{"newest entries cut, the head of entry 6 put back", func(in *storetest.Intruder, _ []audit.Entry, at6 audit.Head) {
			in.Delete(7, 8)
			in.SetHead(at6)
		}, 0, 7},
		{"oldest entries cut, anchor moved", func(in *storetest.Intruder, es []audit.Entry, _ audit.Head) {
			in.Delete(1, 2)
			h := in.Head()
			h.AnchorID, h.AnchorHash = 2, es[1].Hash
			in.SetHead(h)
		}, 8, 8},
		{"every entry removed, head reset", func(in *storetest.Intruder, _ []audit.Entry, _ audit.Head) {
			in.Delete(1, 8)
			in.SetHead(audit.Head{LastHash: audit.Genesis, AnchorHash: audit.Genesis})
		}, 1, 1},
	}
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					dsn, db, at6, published := auditedDB(t, e)
					if code, _, errOut := cli(t, "", "audit", "verify", "--db", dsn, "--head", published); code != 0 {
						t.Fatalf("control: intact log: %s", errOut)
					}
					in := storetest.NewIntruder(t, db)
					in.DropTriggers()
					c.attack(in, in.Entries(), at6)
					code, _, errOut := cli(t, "", "audit", "verify", "--db", dsn)
					switch {
					case c.want == 0 && code != 0:
						t.Fatalf("without the published head: %s", errOut)
					case c.want != 0 && (code != 1 || !strings.Contains(errOut, "エントリ "+strconv.FormatInt(c.want, 10)+" ")):
						t.Fatalf("want a failure at entry %d, got %d: %s", c.want, code, errOut)
					}
					t.Logf("without the head: %d %s", code, errOut)
					code, _, errOut = cli(t, "", "audit", "verify", "--db", dsn, "--head", published)
					t.Logf("with the head: %s", errOut)
					if code != 1 || !strings.Contains(errOut, "エントリ "+strconv.FormatInt(c.withHead, 10)+" ") {
						t.Fatalf("with the published head: want a failure at entry %d, got %d: %s", c.withHead, code, errOut)
					}
				})
			}
		})
	}
}

// rewriteFrom3 edits entry 3 and recomputes the later hashes (and keys)
// and the head's last hash, as the intruder would.
func rewriteFrom3(in *storetest.Intruder, es []audit.Entry, hash, mac func(audit.Entry) string) {
	es[2].Detail = `{"note":"forged"}`
	es = storetest.Rechain(es, 2, hash, mac)
	in.Write(es)
	h := in.Head()
	h.LastHash = es[len(es)-1].Hash
	if mac != nil {
		h.Mac = ""
	}
	in.SetHead(h)
}
