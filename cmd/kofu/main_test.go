package main

import (
	"filippo.io/age"

	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var ctx = context.Background()

// cli runs a kofu command line in-process and returns its exit code and
// output.
func cli(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("KOFU_TEST_FAST_HASH", "1")
	var out, errOut bytes.Buffer
	code := run(ctx, args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// migratedDSN is a new database of engine e made by `kofu migrate`, as an
// operator makes one before the other commands, which never create one.
func migratedDSN(t *testing.T, e store.Engine) string {
	t.Helper()
	dsn := storetest.MustDSN(t, e)
	if code, _, errOut := cli(t, "", "migrate", "--db", dsn); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	return dsn
}

// startServer runs `kofu serve` on port 0 against dsn.
func startServer(t *testing.T, dsn string, demo bool) (*Main, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	fs := (env{stderr: io.Discard}).newFlags("serve")
	cfg := config.Bind(fs)
	args := []string{"--addr", "127.0.0.1:0", "--db", dsn}
	if demo {
		args = append(args, "--demo")
	}
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Finish(fs); err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Stdout: &out, Log: io.Discard, HashParams: secret.TestParams()}
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, &out
}

func login(t *testing.T, m *Main, username, password string) (int, string) {
	t.Helper()
	body := `{"username":"` + username + `","password":"` + password + `"}`
	res, err := http.Post("http://"+m.Addr()+"/api/v1/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(raw)
}

func TestDemoStartsAndTheDemoAdminLogsIn(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			m, out := startServer(t, storetest.MustDSN(t, e), true)
			res, err := http.Get("http://" + m.Addr() + "/healthz")
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("/healthz: %v %v", res, err)
			}
			res.Body.Close()
			var pw string
			for _, line := range strings.Split(out.String(), "\n") {
				if f := strings.Fields(line); len(f) >= 3 && f[0] == "demo-admin" {
					pw = f[2]
				}
			}
			if pw == "" {
				t.Fatalf("demo accounts not printed:\n%s", out)
			}
			for _, site := range []string{"住民の予約サイト: http://" + m.Addr() + "/ ", "職員画面:         http://" + m.Addr() + "/staff/\n"} {
				if !strings.Contains(out.String(), site) {
					t.Errorf("the banner lacks %q:\n%s", site, out)
				}
			}
			if status, body := login(t, m, "demo-admin", pw); status != 200 || !strings.Contains(body, `"role":"admin"`) {
				t.Fatalf("demo admin login: %d %s", status, body)
			}
			top, err := http.Get("http://" + m.Addr() + "/")
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(top.Body)
			top.Body.Close()
			if !strings.Contains(string(page), "デモ用の交付通知書番号") || !strings.Contains(string(page), "<li>D") {
				t.Fatalf("the demo top page must offer sample notice numbers")
			}
		})
	}
}

// The "done when": six wrong passwords lock; the right password is
// then refused exactly like a wrong one and an unknown user; `kofu user
// unlock` restores access; every step is in the audit log.
func TestLockoutScenarioThroughTheBinary(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			dsn := migratedDSN(t, e)
			const pw = "yama-to-kawa-no-machi"
			if code, _, errOut := cli(t, pw+"\n", "user", "add", "--db", dsn, "--username", "nakamura", "--role", "staff"); code != 0 {
				t.Fatalf("user add: %s", errOut)
			}
			m, _ := startServer(t, dsn, false)
			for range 6 {
				if status, _ := login(t, m, "nakamura", "wrong-password-x"); status != 401 {
					t.Fatalf("wrong password: %d", status)
				}
			}
			sLocked, bLocked := login(t, m, "nakamura", pw)
			sWrong, bWrong := login(t, m, "nakamura", "wrong-password-y")
			sUnknown, bUnknown := login(t, m, "no-such-user", pw)
			if sLocked != 401 || bLocked != bWrong || bWrong != bUnknown || sWrong != sLocked || sUnknown != sLocked {
				t.Fatalf("answers differ:\nlocked  %d %s\nwrong   %d %s\nunknown %d %s", sLocked, bLocked, sWrong, bWrong, sUnknown, bUnknown)
			}
			_, list, _ := cli(t, "", "user", "list", "--db", dsn)
			if !strings.Contains(list, "locked") {
				t.Fatalf("user list must show the lock:\n%s", list)
			}
			if code, _, errOut := cli(t, "", "user", "unlock", "--db", dsn, "--username", "nakamura"); code != 0 {
				t.Fatalf("unlock: %s", errOut)
			}
			if status, body := login(t, m, "nakamura", pw); status != 200 {
				t.Fatalf("after unlock: %d %s", status, body)
			}
			actions := auditActions(t, m)
			for _, want := range []string{"user.created", "auth.login_failed", "auth.locked", "auth.unlocked", "auth.login_ok"} {
				if !strings.Contains(actions, want) {
					t.Errorf("audit log lacks %s: %s", want, actions)
				}
			}
			if code, out, _ := cli(t, "", "audit", "verify", "--db", dsn); code != 0 {
				t.Fatalf("intact log must verify: %s", out)
			}
		})
	}
}

func auditActions(t *testing.T, m *Main) string {
	t.Helper()
	var b strings.Builder
	err := m.DB.View(ctx, func(tx *store.Tx) error {
		_, err := tx.SearchAudit(ctx, store.AuditFilter{}, func(e audit.Entry) error {
			b.WriteString(e.Action + " ")
			return nil
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestAuditVerifyNamesTheEditedEntry(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			dsn := migratedDSN(t, e)
			for _, u := range []string{"a1", "a2", "a3"} {
				if code, _, errOut := cli(t, "", "user", "add", "--db", dsn, "--username", u, "--role", "viewer", "--generate"); code != 0 {
					t.Fatal(errOut)
				}
			}
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			db.UseKeys(storetest.Keys())
			err = db.Update(ctx, func(tx *store.Tx) error { return tx.TamperAuditForTest(ctx, 2, `{"role":"admin"}`) })
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			code, _, errOut := cli(t, "", "audit", "verify", "--db", dsn)
			if code == 0 || !strings.Contains(errOut, "エントリ 2 ") {
				t.Fatalf("tampered log: exit %d, %q", code, errOut)
			}
		})
	}
}

func TestUserCommands(t *testing.T) {
	dsn := migratedDSN(t, store.SQLite)
	code, out, _ := cli(t, "", "user", "add", "--db", dsn, "--username", "temp", "--role", "staff", "--generate")
	if code != 0 || !strings.Contains(out, "仮パスワード: ") {
		t.Fatalf("--generate must print a one-time password: %d %s", code, out)
	}
	if code, _, errOut := cli(t, "short\n", "user", "add", "--db", dsn, "--username", "weak", "--role", "staff"); code == 0 || !strings.Contains(errOut, "12") {
		t.Fatalf("a short password must be refused with the rule: %d %s", code, errOut)
	}
	if code, _, errOut := cli(t, "", "user", "add", "--db", dsn, "--username", "x", "--role", "boss", "--generate"); code == 0 || !strings.Contains(errOut, "role") {
		t.Fatalf("bad role and username must be named: %s", errOut)
	}
	for _, args := range [][]string{{"lock"}, {"unlock"}, {"reset-password"}, {"disable-totp"}} {
		if code, _, errOut := cli(t, "", append([]string{"user"}, append(args, "--db", dsn, "--username", "temp")...)...); code != 0 {
			t.Fatalf("user %s: %s", args[0], errOut)
		}
	}
	code, out, _ = cli(t, "", "token", "create", "--db", dsn, "--username", "temp", "--name", "連携テスト")
	if code != 0 || !strings.Contains(out, secret.TokenPrefix) {
		t.Fatalf("token create: %s", out)
	}
	if code, out, _ := cli(t, "", "token", "list", "--db", dsn); code != 0 || !strings.Contains(out, "連携テスト") {
		t.Fatalf("token list: %s", out)
	}
	if code, _, errOut := cli(t, "", "token", "revoke", "--db", dsn, "--id", "1"); code != 0 {
		t.Fatalf("token revoke: %s", errOut)
	}
}

func TestNewerDatabaseIsRefused(t *testing.T) {
	dsn := storetest.MustDSN(t, store.SQLite)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.UseKeys(storetest.Keys())
	db.Migrate(ctx)
	db.Update(ctx, func(tx *store.Tx) error { return tx.ForceSchemaVersion(ctx, 999) })
	db.Close()
	code, _, errOut := cli(t, "", "migrate", "--db", dsn)
	if code == 0 || !strings.Contains(errOut, "新しい") {
		t.Fatalf("migrate on a newer database: %d %q", code, errOut)
	}
}

func TestBearerTokenWorksOnStaffAPI(t *testing.T) {
	dsn := migratedDSN(t, store.SQLite)
	cli(t, "", "user", "add", "--db", dsn, "--username", "boss", "--role", "admin", "--generate")
	_, out, _ := cli(t, "", "token", "create", "--db", dsn, "--username", "boss", "--name", "integration")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]
	m, _ := startServer(t, dsn, false)
	req, _ := http.NewRequest("GET", "http://"+m.Addr()+"/api/v1/users", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct{ Users []map[string]any }
	json.NewDecoder(res.Body).Decode(&body)
	if res.StatusCode != 200 || len(body.Users) != 1 {
		t.Fatalf("bearer token on /api/v1/users: %d %v", res.StatusCode, body)
	}
}

func TestMigrateDryRunListsPendingSteps(t *testing.T) {
	dsn := storetest.MustDSN(t, store.SQLite)
	code, out, _ := cli(t, "", "migrate", "--db", dsn, "--dry-run")
	if code != 0 || !strings.Contains(out, "0001_foundation.sql") {
		t.Fatalf("dry run on an empty database: %d %s", code, out)
	}
	cli(t, "", "migrate", "--db", dsn)
	if code, out, _ := cli(t, "", "migrate", "--db", dsn, "--dry-run"); code != 0 || !strings.Contains(out, "ありません") {
		t.Fatalf("dry run on a current database: %d %s", code, out)
	}
	if code, out, _ := cli(t, "", "version"); code != 0 || !strings.Contains(out, "schema: sqlite") {
		t.Fatalf("version: %s", out)
	}
}

func TestScheduledBackupRunsAndIsReported(t *testing.T) {
	dsn := storetest.MustDSN(t, store.SQLite)
	dir := t.TempDir()
	// A public-key recipient, not a passphrase: scrypt under -race on a
	// busy machine takes minutes, and the schedule is what is tested here.
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("KOFU_BACKUP_RECIPIENTS", id.Recipient().String())
	fs := (env{stderr: io.Discard}).newFlags("serve")
	cfg := config.Bind(fs)
	if err := fs.Parse([]string{"--addr", "127.0.0.1:0", "--db", dsn, "--backup-dir", dir, "--metrics-addr", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Finish(fs); err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Stdout: io.Discard, Log: io.Discard, HashParams: secret.TestParams()}
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var metrics string
	// The first backup is due at once; wait for it (scrypt and a busy
	// machine can take a while: this is a wait, not a speed check).
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
		res, err := http.Get("http://" + m.MetricsAddr() + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if metrics = string(raw); strings.Contains(metrics, "\nkofu_backup_last_success 1") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if res, err := http.Get("http://" + m.Addr() + "/metrics"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics on the residents' listener: %v %v", res, err) // only on --metrics-addr
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || !strings.HasSuffix(entries[0].Name(), ".age") || !strings.Contains(metrics, "\nkofu_backup_last_success 1") {
		t.Fatalf("backup dir %v; metrics say %q", entries, grepLine(metrics, "kofu_backup_last_success"))
	}
}

func grepLine(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}
