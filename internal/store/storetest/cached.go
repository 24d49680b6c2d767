package storetest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/store"
)

// CachedSQLite returns a migrated SQLite database kept under os.TempDir()
// as name, seeding it with seed the first time, so benchmarks over a
// million rows seed once. The seeding goes to a temporary file that is
// renamed when done: an interrupted seeding is never taken for a finished
// one. Put a version in name and change it when the seeded tables change.
func CachedSQLite(tb testing.TB, name string, seed func(context.Context, *store.DB) error) *store.DB {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), name)
	if _, err := os.Stat(path); err != nil {
		tb.Logf("seeding %s (once; later runs reuse it)", path)
		start := time.Now() // measures the seeding
		if err := seedFile(ctx, path, seed); err != nil {
			tb.Fatalf("seed: %v", err)
		}
		tb.Logf("seeded in %v", time.Since(start).Round(time.Second))
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	db.UseKeys(Keys())
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return db
}

func seedFile(ctx context.Context, path string, seed func(context.Context, *store.DB) error) error {
	tmp := path + ".seeding"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	db, err := store.Open(ctx, tmp)
	if err != nil {
		return err
	}
	db.UseKeys(Keys())
	if _, err := db.Migrate(ctx); err == nil {
		err = seed(ctx, db)
	}
	if err != nil {
		db.Close()
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
