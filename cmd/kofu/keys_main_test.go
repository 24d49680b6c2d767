package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// TestMain gives every command and server of these tests the data key of
// the test databases, as an operator sets KOFU_DATA_KEY or
// KOFU_DATA_KEY_FILE.
func TestMain(m *testing.M) {
	os.Setenv("KOFU_DATA_KEY", storetest.KeyText)
	os.Exit(m.Run())
}

// runServe starts kofu serve with args and returns Run's error.
func runServe(t *testing.T, args ...string) error {
	t.Helper()
	fs := (env{stderr: io.Discard}).newFlags("serve")
	cfg := config.Bind(fs)
	if err := fs.Parse(append([]string{"--addr", "127.0.0.1:0"}, args...)); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Finish(fs); err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Stdout: io.Discard, Log: io.Discard, HashParams: secret.TestParams()}
	err := m.Run(ctx)
	m.Close()
	return err
}

func TestServerRefusesToStartWithoutTheRightKey(t *testing.T) {
	dsn := seededSQLite(t) // personal data sealed under the test key
	t.Setenv("KOFU_DATA_KEY", fieldcrypt.Generate())
	if err := runServe(t, "--db", dsn); err == nil || !strings.Contains(err.Error(), "別の鍵") && !strings.Contains(err.Error(), "暗号鍵が違います") {
		t.Fatalf("wrong key: %v", err)
	}
	t.Setenv("KOFU_DATA_KEY", "")
	if err := runServe(t, "--db", dsn); !errors.Is(err, fieldcrypt.ErrNoKey) {
		t.Fatalf("no key: %v", err)
	}
	t.Setenv("KOFU_DATA_KEY", storetest.KeyText)
	if err := runServe(t, "--db", dsn); err != nil {
		t.Fatalf("right key: %v", err)
	}
}

func TestDemoKeepsItsKeyNextToItsDatabase(t *testing.T) {
	t.Setenv("KOFU_DATA_KEY", "")
	dsn := filepath.Join(t.TempDir(), "demo.db")
	for range 2 { // the second start must read the first one's data
		if err := runServe(t, "--demo", "--db", dsn); err != nil {
			t.Fatal(err)
		}
	}
	if b, err := os.ReadFile(dsn + ".key"); err != nil || len(b) < 44 {
		t.Fatalf("demo key file: %q, %v", b, err)
	}
}

func TestKeysRotateMovesTheDataToTheNewKey(t *testing.T) {
	dsn := seededSQLite(t)
	dir := t.TempDir()
	oldFile, newFile := filepath.Join(dir, "old.key"), filepath.Join(dir, "new.key")
	code, newKey, _ := cli(t, "", "keys", "generate")
	if code != 0 || len(strings.TrimSpace(newKey)) != 44 {
		t.Fatalf("generate: %d %q", code, newKey)
	}
	os.WriteFile(newFile, []byte(newKey), 0o600)
	os.WriteFile(oldFile, []byte(storetest.KeyText), 0o600)
	t.Setenv("KOFU_DATA_KEY", "")
	t.Setenv("KOFU_DATA_KEY_FILE", newFile)
	t.Setenv("KOFU_DATA_OLD_KEY_FILE", oldFile)
	code, out, errOut := cli(t, "", "keys", "rotate", "--db", dsn)
	if code != 0 || !strings.Contains(out, "暗号化し直しました") || !strings.Contains(out, "residents") {
		t.Fatalf("rotate: %d %s %s", code, out, errOut)
	}
	t.Setenv("KOFU_DATA_OLD_KEY_FILE", "") // the old key is no longer needed
	if err := runServe(t, "--db", dsn); err != nil {
		t.Fatalf("serve with the new key alone: %v", err)
	}
	if code, _, errOut := cli(t, "", "audit", "verify", "--db", dsn); code != 0 {
		t.Fatalf("audit verify: %s", errOut)
	}
}

// The whole demo city (500 residents, their bookings) leaves no resident's
// name, reading or address readable in the database files.
func TestDemoCityIsNotReadableInTheDatabaseFiles(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			dsn := storetest.MustDSN(t, e)
			if err := runServe(t, "--demo", "--db", dsn); err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(ctx, dsn) // the demo ran with the tests' KOFU_DATA_KEY
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.UseKeys(storetest.Keys())
			var recs []store.CardRecord
			err = db.View(ctx, func(tx *store.Tx) (err error) {
				recs, _, err = tx.SearchCards(ctx, store.CardFilter{Sort: "id", Limit: 1000})
				return err
			})
			if err != nil || len(recs) < 100 {
				t.Fatalf("demo cards: %d, %v", len(recs), err)
			}
			data := storetest.StoredTableBytes(t, e, dsn)
			if !bytes.Contains(data, []byte(recs[0].Box)) {
				t.Fatal("control: a box name is not in the bytes read")
			}
			leaks := 0
			for _, r := range recs {
				for _, v := range []string{r.Resident.Name, r.Resident.NameKana, r.Resident.Address} {
					if v != "" && bytes.Contains(data, []byte(v)) {
						leaks++
						t.Errorf("readable in the %s files: %q", e, v)
					}
				}
				if leaks > 5 {
					t.FailNow()
				}
			}
		})
	}
}
