package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// TestDatabaseOutOfReachIsUnavailable: a backend ended under a transaction
// (pg_terminate_backend, a failover) and a database whose port refuses
// connections are "unavailable" with a calm message, not an internal
// error; a healthy database afterwards serves at once.
func TestDatabaseOutOfReachIsUnavailable(t *testing.T) {
	if !slices.Contains(storetest.Engines(), store.Postgres) {
		t.Skip("PostgreSQL is not among KOFU_TEST_ENGINES")
	}
	db, app, cut := storetest.CuttablePostgres(t)
	ctx := t.Context()
	read := func(ctx context.Context, tx *store.Tx) error {
		_, _, err := tx.LoadSettingText(ctx, "no such setting")
		return err
	}
	wantUnavailable := func(t *testing.T, err error) {
		t.Helper()
		if !apperr.Is(err, apperr.Unavailable) || apperr.KindOf(err) != apperr.KindUnavailable {
			t.Fatalf("got %v (code %s), want unavailable", err, apperr.CodeOf(err))
		}
		if !strings.Contains(apperr.MessageOf(err), "データベースに接続できません") {
			t.Fatalf("message %q", apperr.MessageOf(err))
		}
	}

	t.Run("backend terminated", func(t *testing.T) {
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := read(ctx, tx); err != nil {
				return err
			}
			storetest.TerminateBackends(t, app)
			return read(ctx, tx)
		})
		wantUnavailable(t, err)
		// The pool pings a connection idle for over a second before lending
		// it (pgx's ResetSession), so the ended ones are dropped, not lent.
		time.Sleep(1100 * time.Millisecond)
		if err := db.View(ctx, func(tx *store.Tx) error { return read(ctx, tx) }); err != nil {
			t.Fatalf("after the backend ended, a new transaction failed: %v", err)
		}
	})
	t.Run("port closed", func(t *testing.T) {
		cut()
		wantUnavailable(t, db.View(ctx, func(tx *store.Tx) error { return read(ctx, tx) }))
		wantUnavailable(t, db.Update(ctx, func(tx *store.Tx) error { return read(ctx, tx) }))
	})
}
