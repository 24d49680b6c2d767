package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var ctx = context.Background()

func TestEnginesReachSameSchema(t *testing.T) {
	lite := storetest.MustOpen(t, store.SQLite)
	pg := storetest.MustOpen(t, store.Postgres)
	lv, err := lite.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pv, err := pg.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if lv != pv || lv != store.LatestVersion(store.SQLite) || pv != store.LatestVersion(store.Postgres) {
		t.Fatalf("versions differ: sqlite %d, postgres %d, latest %d/%d", lv, pv,
			store.LatestVersion(store.SQLite), store.LatestVersion(store.Postgres))
	}
	lt, err := lite.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := pg.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(lt) < 5 || !reflect.DeepEqual(lt, pt) {
		t.Fatalf("tables differ:\nsqlite   %v\npostgres %v", lt, pt)
	}
}

func TestMigrateIsIdempotentAndRefusesNewer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		n, err := db.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second migrate applied %d, err %v", n, err)
		}
		err = db.Update(ctx, func(tx *store.Tx) error { return tx.ForceSchemaVersion(ctx, 9999) })
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.Migrate(ctx)
		var tooNew *store.ErrTooNew
		if !errors.As(err, &tooNew) || tooNew.DB != 9999 {
			t.Fatalf("want ErrTooNew for 9999, got %v", err)
		}
	})
}

func TestUsersUniqueAndRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.UnixMilli(1_790_000_000_000)
		u := store.User{Username: "tanaka", DisplayName: "田中 𠮷子", Role: "staff", PasswordHash: "h", PasswordChangedAt: now, CreatedAt: now}
		err := db.Update(ctx, func(tx *store.Tx) error { return tx.InsertUser(ctx, &u) })
		if err != nil || u.ID == 0 {
			t.Fatalf("insert: %v id=%d", err, u.ID)
		}
		dup := u
		err = db.Update(ctx, func(tx *store.Tx) error { return tx.InsertUser(ctx, &dup) })
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("duplicate username: want conflict, got %v", err)
		}
		u.FailedLogins, u.LockedUntil, u.AdminLocked = 3, now.Add(time.Hour), true
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UpdateUser(ctx, u, now) }); err != nil {
			t.Fatal(err)
		}
		var got store.User
		err = db.View(ctx, func(tx *store.Tx) (err error) { got, err = tx.UserByName(ctx, "tanaka"); return })
		if err != nil {
			t.Fatal(err)
		}
		if got.DisplayName != "田中 𠮷子" || got.FailedLogins != 3 || !got.AdminLocked || !got.LockedUntil.Equal(now.Add(time.Hour)) {
			t.Fatalf("round trip lost data: %+v", got)
		}
		err = db.View(ctx, func(tx *store.Tx) error { _, err := tx.UserByName(ctx, "nobody"); return err })
		if !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown user: want not_found, got %v", err)
		}
	})
}

func TestAuditChainVerifiesAndCatchesTampering(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		at := time.UnixMilli(1_790_000_000_000)
		for i := range 5 {
			err := db.Update(ctx, func(tx *store.Tx) error {
				_, err := tx.AppendAudit(ctx, audit.Event{Actor: "admin", Action: "test.event", Detail: map[string]any{"i": i}}, at)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := store.VerifyAudit(ctx, db); err != nil {
			t.Fatalf("intact log: %v", err)
		}
		// A rolled-back change leaves no audit entry behind.
		boom := errors.New("boom")
		err := db.Update(ctx, func(tx *store.Tx) error {
			tx.AppendAudit(ctx, audit.Event{Actor: "admin", Action: "test.rollback"}, at)
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if err := store.VerifyAudit(ctx, db); err != nil {
			t.Fatalf("after rollback: %v", err)
		}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.TamperAuditForTest(ctx, 3, "edited") }); err != nil {
			t.Fatal(err)
		}
		var p *audit.Problem
		if err := store.VerifyAudit(ctx, db); !errors.As(err, &p) || p.ID != 3 {
			t.Fatalf("edited entry 3: want problem at 3, got %v", err)
		}
	})
}

func TestLoginAttemptsCountPerIP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		base := time.UnixMilli(1_790_000_000_000)
		var n int
		for i := range 4 {
			err := db.Update(ctx, func(tx *store.Tx) (err error) {
				n, err = tx.RecordLoginAttempt(ctx, "192.0.2.1", base.Add(time.Duration(i)*time.Second), base.Add(-time.Minute))
				return
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if n != 4 {
			t.Fatalf("want 4 attempts, got %d", n)
		}
		err := db.Update(ctx, func(tx *store.Tx) (err error) {
			n, err = tx.RecordLoginAttempt(ctx, "192.0.2.1", base.Add(2*time.Minute), base.Add(time.Minute))
			return
		})
		if err != nil || n != 1 {
			t.Fatalf("old attempts must fall out of the window: n=%d err=%v", n, err)
		}
	})
}
