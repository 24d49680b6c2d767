package auditlog_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auditlog"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var ctx = context.Background()

var admin = auth.Principal{UserID: 1, Username: "admin"}

func seed(t *testing.T, db *store.DB, at time.Time, events ...audit.Event) {
	t.Helper()
	for _, ev := range events {
		if err := db.Update(ctx, func(tx *store.Tx) error { _, err := tx.AppendAudit(ctx, ev, at); return err }); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSearchFiltersAndRecordsTheView(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := clock.NewFixed(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
		seed(t, db, c.Now(), audit.Event{Actor: "tanaka", Action: "auth.login_ok"},
			audit.Event{Actor: "tanaka", Action: "auth.logout"}, audit.Event{Actor: "sato", Action: "user.created"},
			audit.Event{Actor: "sato", Action: "auth_x.other"})
		svc := auditlog.New(db, c, time.UTC)
		pg, err := svc.Search(ctx, admin, auth.Meta{}, store.AuditFilter{Action: "auth.", Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if pg.Total != 2 || pg.Entries[0].Action != "auth.logout" {
			t.Fatalf("prefix auth. (the dot is literal, _ is no wildcard): %+v", pg)
		}
		pg, _ = svc.Search(ctx, admin, auth.Meta{}, store.AuditFilter{Actor: "admin", Limit: 10})
		if pg.Total != 1 || pg.Entries[0].Action != "audit.viewed" {
			t.Fatalf("viewing the log must itself be logged: %+v", pg)
		}
	})
}

func TestExportIsExcelSafe(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := clock.NewFixed(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
		seed(t, db, c.Now(), audit.Event{Actor: "=HYPERLINK(\"x\")", Action: "auth.login_failed", Detail: map[string]any{"name": "髙橋 𠮷"}})
		var buf bytes.Buffer
		if err := auditlog.New(db, c, time.UTC).ExportCSV(ctx, admin, auth.Meta{}, store.AuditFilter{}, &buf); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if !strings.HasPrefix(out, "\ufeff") {
			t.Fatal("UTF-8 BOM missing")
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("csv: %v %v", rows, err)
		}
		last := rows[len(rows)-1]
		if last[2] != `'=HYPERLINK("x")` || !strings.Contains(last[7], "髙橋 𠮷") {
			t.Fatalf("formula not neutralised or characters lost: %q", last)
		}
	})
}

func TestRetentionKeepsTheChainVerifiable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := clock.NewFixed(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
		seed(t, db, c.Now().AddDate(-6, 0, 0), audit.Event{Actor: "old", Action: "a"}, audit.Event{Actor: "old", Action: "b"})
		seed(t, db, c.Now().AddDate(-1, 0, 0), audit.Event{Actor: "new", Action: "c"}, audit.Event{Actor: "new", Action: "d"})
		svc := auditlog.New(db, c, time.UTC)
		n, err := svc.Purge(ctx, 5)
		if err != nil || n != 2 {
			t.Fatalf("purge: %d %v", n, err)
		}
		if err := svc.Verify(ctx); err != nil {
			t.Fatalf("chain after retention: %v", err)
		}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteAuditForTest(ctx, 3) }); err != nil {
			t.Fatal(err)
		}
		var p *audit.Problem
		if err := svc.Verify(ctx); !errors.As(err, &p) || p.ID != 4 {
			t.Fatalf("deleting the oldest remaining entry must be caught at 4, got %v", err)
		}
	})
}

func TestRemovingTheNewestEntryIsCaught(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := clock.NewFixed(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
		seed(t, db, c.Now(), audit.Event{Action: "a"}, audit.Event{Action: "b"}, audit.Event{Action: "c"})
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteAuditForTest(ctx, 3) }); err != nil {
			t.Fatal(err)
		}
		var p *audit.Problem
		if err := auditlog.New(db, c, time.UTC).Verify(ctx); !errors.As(err, &p) || p.ID != 3 {
			t.Fatalf("want problem at 3, got %v", err)
		}
	})
}

func TestTypedNamesAreStoredSealedAndShownOpen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := clock.NewFixed(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
		err := db.Update(ctx, func(tx *store.Tx) error {
			q, err := tx.Seal("鷺宮", "audit_log.q")
			if err != nil {
				return err
			}
			_, err = tx.AppendAudit(ctx, audit.Event{Actor: "tanaka", Action: "card.searched",
				Detail: map[string]any{"filter": map[string]any{"q": q}}}, c.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		db.View(ctx, func(tx *store.Tx) error {
			return tx.EachAudit(ctx, func(e audit.Entry) error { stored += e.Detail; return nil })
		})
		if strings.Contains(stored, "鷺宮") || !strings.Contains(stored, "enc1:") {
			t.Fatalf("stored detail %s", stored)
		}
		pg, err := auditlog.New(db, c, time.UTC).Search(ctx, admin, auth.Meta{}, store.AuditFilter{Action: "card.searched", Limit: 10})
		if err != nil || len(pg.Entries) != 1 || !strings.Contains(pg.Entries[0].Detail, `"q":"鷺宮"`) {
			t.Fatalf("shown %+v, %v", pg.Entries, err)
		}
		if err := store.VerifyAudit(ctx, db); err != nil {
			t.Errorf("chain: %v", err)
		}
	})
}

// Retention checks what it removes first: entries that do not verify are
// kept as evidence, and the purge entry states the new anchor, which a
// verification then requires.
func TestRetentionRemovesOnlyVerifiedEntriesAndStatesTheAnchor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := clock.NewFixed(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
		seed(t, db, c.Now().AddDate(-6, 0, 0), audit.Event{Action: "a"}, audit.Event{Action: "b"}, audit.Event{Action: "c"})
		seed(t, db, c.Now(), audit.Event{Action: "d"})
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.TamperAuditForTest(ctx, 2, `{"x":1}`) }); err != nil {
			t.Fatal(err)
		}
		svc := auditlog.New(db, c, time.UTC)
		var p *audit.Problem
		if n, err := svc.Purge(ctx, 5); !errors.As(err, &p) || p.ID != 2 || n != 0 {
			t.Fatalf("purge over an edited entry: %d %v", n, err)
		}
		var kept int
		db.View(ctx, func(tx *store.Tx) error {
			return tx.EachAudit(ctx, func(audit.Entry) error { kept++; return nil })
		})
		if kept != 4 {
			t.Fatalf("%d entries left, want all 4", kept)
		}
	})
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := clock.NewFixed(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
		seed(t, db, c.Now().AddDate(-6, 0, 0), audit.Event{Action: "a"}, audit.Event{Action: "b"})
		seed(t, db, c.Now(), audit.Event{Action: "c"})
		svc := auditlog.New(db, c, time.UTC)
		if n, err := svc.Purge(ctx, 5); err != nil || n != 2 {
			t.Fatalf("purge: %d %v", n, err)
		}
		var last audit.Entry
		var head audit.Head
		db.View(ctx, func(tx *store.Tx) (err error) {
			tx.EachAudit(ctx, func(e audit.Entry) error { last = e; return nil })
			head, err = tx.AuditHead(ctx)
			return err
		})
		if last.Action != audit.ActionPurged || !strings.Contains(last.Detail, `"anchor_id":2`) || head.AnchorID != 2 ||
			!strings.Contains(last.Detail, head.AnchorHash) || !strings.Contains(last.Detail, `"retention_years":5`) {
			t.Fatalf("purge entry %+v, head %+v", last, head)
		}
		if err := svc.Verify(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// The head is published to the log and, once per head, to a file of the
// head folder; a head whose key does not hold is reported.
func TestPublishSendsTheHeadOutOfTheDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := clock.NewFixed(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
		seed(t, db, c.Now(), audit.Event{Action: "a"}, audit.Event{Action: "b"})
		var logs bytes.Buffer
		dir := t.TempDir()
		svc, pub := auditlog.New(db, c, time.UTC), auditlog.NewPublisher(slog.New(slog.NewJSONHandler(&logs, nil)), dir)
		for range 2 { // the second time the head has not moved
			if err := svc.Publish(ctx, pub); err != nil {
				t.Fatal(err)
			}
		}
		seed(t, db, c.Now(), audit.Event{Action: "c"})
		if err := svc.Publish(ctx, pub); err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "audit-head-*.json"))
		if len(files) != 2 || strings.Count(logs.String(), `"msg":"audit head"`) != 2 {
			t.Fatalf("files %v, log %s", files, logs.String())
		}
		p, err := auditlog.ReadHead(dir)
		if err != nil || p.LastID != 3 || p.Format != auditlog.PublishedFormat || svc.CheckHead(p.Head) != nil {
			t.Fatalf("newest head %+v, %v", p, err)
		}
		in := storetest.NewIntruder(t, db)
		h := in.Head()
		h.LastID, h.LastHash = 2, p.LastHash // a head moved back without the key
		in.SetHead(h)
		if err := svc.Publish(ctx, pub); err != nil || !strings.Contains(logs.String(), "audit head does not verify") {
			t.Fatalf("a forged head must be reported: %v\n%s", err, logs.String())
		}
	})
}
