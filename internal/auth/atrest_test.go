package auth

import (
	"bytes"
	"net/url"
	"os/exec"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// The "done when": someone holding the database files (SQLite's
// file and WAL, PostgreSQL's data directory and WAL) or a pg_dump finds no
// two-factor secret, neither one enrolled now nor one an older version
// stored in the clear and the server sealed at start; and the sealed
// secrets still log in.
func TestTOTPSecretsAreNotInTheDatabaseFiles(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			since := time.Now()
			dsn := storetest.MustDSN(t, e)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.UseKeys(storetest.Keys())
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			f := newFixture(t, db)
			f.mustUser(t, "tanaka", RoleStaff)
			f.mustUser(t, "sato", RoleStaff)
			enrolled := enrol(t, f, "tanaka")
			// An older version kept sato's secret in the clear.
			legacy, _, _ := secret.NewTOTPSecret("Kofu", "sato")
			if _, err := db.WritePool().Exec(`UPDATE users SET totp_secret = $1, totp_enabled = TRUE WHERE username = 'sato'`, legacy); err != nil {
				t.Fatal(err)
			}
			if n, err := db.SealTOTPSecrets(ctx); err != nil || n != 1 {
				t.Fatalf("sealed %d, %v", n, err)
			}
			for user, sec := range map[string]string{"tanaka": enrolled, "sato": legacy} {
				f.clock.Advance(time.Minute)
				code, _ := secret.TOTPCode(sec, f.clock.Now())
				if _, _, err := f.svc.Login(ctx, Meta{}, user, goodPassword, code); err != nil {
					t.Fatalf("%s logs in with the sealed secret: %v", user, err)
				}
			}
			if e == store.SQLite {
				// The plaintext UPDATE above wrote sato's secret to the WAL
				// and free pages; what an upgraded database keeps of the
				// old values is the manual's point (VACUUM), so only the
				// secret enrolled under sealing is looked for there.
				data := storetest.StoredBytes(t, e, dsn, since)
				if !bytes.Contains(data, []byte("tanaka")) {
					t.Fatal("control: the username is not in the bytes read")
				}
				if bytes.Contains(data, []byte(enrolled)) {
					t.Error("the enrolled TOTP secret is readable in the SQLite files")
				}
			}
			dump := pgDumpOrTables(t, e, dsn, db)
			for user, sec := range map[string]string{"tanaka": enrolled, "sato": legacy} {
				if bytes.Contains(dump, []byte(sec)) {
					t.Errorf("%s's TOTP secret is in the dump", user)
				}
			}
		})
	}
}

// enrol sets up two-factor login for username and returns the secret.
func enrol(t *testing.T, f fixture, username string) string {
	t.Helper()
	u, err := f.svc.User(ctx, username)
	if err != nil {
		t.Fatal(err)
	}
	p := Principal{UserID: u.ID, Username: username, Role: u.Role}
	sec, _, err := f.svc.BeginTOTP(ctx, p, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	code, _ := secret.TOTPCode(sec, f.clock.Now())
	if _, err := f.svc.ConfirmTOTP(ctx, p, Meta{}, code); err != nil {
		t.Fatal(err)
	}
	return sec
}

// pgDumpOrTables returns what pg_dump writes of the test's schema on
// PostgreSQL; on SQLite, the database's files after the VACUUM the manual
// asks for once an upgraded server has sealed the old values.
func pgDumpOrTables(t *testing.T, e store.Engine, dsn string, db *store.DB) []byte {
	t.Helper()
	if e == store.SQLite {
		for _, q := range []string{`VACUUM`, `PRAGMA wal_checkpoint(TRUNCATE)`} {
			if _, err := db.WritePool().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		return storetest.StoredBytes(t, e, dsn, time.Time{})
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	schema := q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	if _, err := exec.LookPath("pg_dump"); err != nil {
		t.Skip("pg_dump is not installed")
	}
	out, err := exec.Command("pg_dump", "--schema", schema, u.String()).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	if !bytes.Contains(out, []byte("tanaka")) {
		t.Fatal("control: the dump lacks the username")
	}
	return out
}
