package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// helpFlags are the flags each command's help must list, and no others.
var helpFlags = map[string][]string{
	"migrate":             {"db", "dry-run"},
	"backup":              {"db", "out"},
	"restore":             {"db", "allow-unsigned"},
	"version":             nil,
	"user add":            {"db", "username", "role", "display-name", "generate"},
	"user list":           {"db"},
	"user lock":           {"db", "username"},
	"user unlock":         {"db", "username"},
	"user reset-password": {"db", "username"},
	"user disable-totp":   {"db", "username"},
	"token create":        {"db", "username", "name"},
	"token list":          {"db"},
	"token revoke":        {"db", "id"},
	"import jlis":         {"db", "dry-run", "json"},
	"import ledger":       {"db", "dry-run", "json"},
	"keys generate":       {"out"},
	"keys rotate":         {"db"},
	"audit verify":        {"db", "head"},
	"audit head":          {"db"},
	"documents verify":    {"db"},
	"city add":            {"catalog", "data-dir", "code", "slug", "name", "host", "db"},
	"city list":           {"catalog", "data-dir"},
	"city suspend":        {"catalog", "data-dir"},
	"city resume":         {"catalog", "data-dir"},
	"city remove":         {"catalog", "data-dir"},
}

var flagInHelp = regexp.MustCompile(`(?m)^  --([a-z-]+)`)

// Every command and subcommand answers -h with its Japanese help on
// stdout and exit code 0, listing exactly its own flags; a group lists its
// subcommands. None of them opens or creates a database, and keys
// generate -h prints no key.
func TestHelpOfEveryCommand(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("KOFU_DB", "")
	want := map[string][]string{"serve": nil} // serve's flags are config.Options
	for _, o := range config.Options {
		want["serve"] = append(want["serve"], o.Flag)
	}
	want["serve"] = append(want["serve"], "demo", "platform")
	for name, flags := range helpFlags {
		want[name] = flags
	}
	var all []string
	for _, c := range commands {
		all = append(all, c.name)
	}
	for _, subs := range groups {
		for _, c := range subs {
			all = append(all, c.name)
		}
	}
	for _, name := range all {
		flags, ok := want[name]
		if !ok {
			t.Errorf("kofu %s: not in this test's table", name)
			continue
		}
		for _, h := range []string{"-h", "--help"} {
			t.Run(name+" "+h, func(t *testing.T) {
				code, out, errOut := cli(t, "", append(strings.Fields(name), h)...)
				if code != 0 || errOut != "" {
					t.Fatalf("exit %d, stderr %q", code, errOut)
				}
				if !strings.HasPrefix(out, "使い方: kofu "+name) || strings.Contains(out, "Usage") || strings.Contains(out, "default") {
					t.Fatalf("help:\n%s", out)
				}
				var listed []string
				for _, m := range flagInHelp.FindAllStringSubmatch(out, -1) {
					listed = append(listed, m[1])
				}
				slices.Sort(listed)
				wantFlags := slices.Sorted(slices.Values(flags))
				if !slices.Equal(listed, wantFlags) {
					t.Errorf("flags listed %v, want %v\n%s", listed, wantFlags, out)
				}
				if regexp.MustCompile(`(?m)^[A-Za-z0-9+/]{43}=$`).MatchString(out) {
					t.Errorf("the help holds a key:\n%s", out)
				}
			})
		}
	}
	for group, subs := range groups {
		for _, h := range []string{"-h", "--help", "help"} {
			code, out, errOut := cli(t, "", group, h)
			if code != 0 || errOut != "" || !strings.HasPrefix(out, "使い方: kofu "+group+" <コマンド>") {
				t.Errorf("kofu %s %s: exit %d\n%s%s", group, h, code, out, errOut)
			}
			for _, c := range subs {
				if !strings.Contains(out, "  "+strings.TrimPrefix(c.name, group+" ")+" ") {
					t.Errorf("kofu %s %s does not list %s:\n%s", group, h, c.name, out)
				}
			}
		}
		if code, _, errOut := cli(t, "", group); code == 0 || !strings.Contains(errOut, "コマンドを指定してください") {
			t.Errorf("kofu %s without a subcommand: exit %d %s", group, code, errOut)
		}
	}
	for _, h := range []string{"-h", "--help", "help"} {
		if code, out, _ := cli(t, "", h); code != 0 || !strings.Contains(out, "使い方:") {
			t.Errorf("kofu %s: exit %d", h, code)
		}
	}
	if _, err := os.Stat("data"); err == nil {
		t.Error("asking for help created ./data")
	}
}

// A wrong flag or a stray argument is refused in Japanese, with the help
// on stderr.
func TestWrongUsageIsExplainedInJapanese(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, args := range [][]string{{"user", "list", "--bogus"}, {"migrate", "extra"}, {"token", "revoke", "--id", "x"},
		{"keys", "nonsense"}, {"user", "lock"}} {
		code, out, errOut := cli(t, "", args...)
		if code == 0 || out != "" || !strings.HasPrefix(errOut, "エラー: ") || !strings.Contains(errOut, "使い方: kofu ") || strings.Contains(errOut, "flag provided") {
			t.Errorf("%v: exit %d\nstdout %q\nstderr %s", args, code, out, errOut)
		}
	}
}

// Commands other than serve, migrate and restore never create a
// database: on a missing one they fail, naming the file they looked for,
// and leave nothing behind.
func TestCommandsDoNotCreateADatabase(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("KOFU_DB", "")
	t.Setenv("KOFU_BACKUP_PASSPHRASE", "a long enough passphrase for tests")
	os.WriteFile("jlis.csv", []byte("a,b\n"), 0o600)
	abs := filepath.Join(dir, "data", "kofu.db")
	for _, args := range [][]string{
		{"user", "list"}, {"user", "add", "--username", "a", "--role", "admin", "--generate"}, {"user", "lock", "--username", "a"},
		{"token", "list"}, {"token", "create", "--username", "a", "--name", "n"}, {"token", "revoke", "--id", "1"},
		{"audit", "verify"}, {"audit", "head"}, {"import", "jlis", "jlis.csv"}, {"import", "ledger", "jlis.csv"},
		{"backup", "--out", "b.age"}, {"keys", "rotate"},
	} {
		code, _, errOut := cli(t, "", args...)
		if code == 0 || !strings.Contains(errOut, "データベースのファイルがありません: ./data/kofu.db ("+abs+")") ||
			!strings.Contains(errOut, "kofu migrate") {
			t.Errorf("%v: exit %d, %s", args, code, errOut)
		}
	}
	if _, err := os.Stat("data"); err == nil {
		t.Fatal("a command created ./data")
	}
	// After the demo, the message points at the demo's database.
	os.MkdirAll(filepath.Dir(config.DemoDB), 0o700)
	os.WriteFile(config.DemoDB, nil, 0o600)
	if _, _, errOut := cli(t, "", "user", "list"); !strings.Contains(errOut, "--db "+config.DemoDB) {
		t.Errorf("no hint of the demo's database: %s", errOut)
	}
	// migrate creates it; then the commands use it.
	if code, _, errOut := cli(t, "", "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	if code, out, errOut := cli(t, "", "user", "list"); code != 0 || !strings.Contains(out, "USERNAME") {
		t.Fatalf("user list after migrate: %d %s %s", code, out, errOut)
	}
}

// A database that exists but holds no kofu tables (a new PostgreSQL
// database, an empty file) is refused the same way, and stays empty.
func TestCommandsDoNotCreateTheSchema(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			dsn := storetest.MustDSN(t, e)
			if e == store.SQLite {
				os.WriteFile(dsn, nil, 0o600)
			}
			code, _, errOut := cli(t, "", "user", "list", "--db", dsn)
			if code == 0 || !strings.Contains(errOut, "kofu のデータがありません") {
				t.Fatalf("exit %d, %s", code, errOut)
			}
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if tables, err := db.Tables(ctx); err != nil || len(tables) > 0 {
				t.Errorf("tables after a refused command: %v, %v", tables, err)
			}
		})
	}
}

// keys generate --out writes a key only its owner can read, and never
// over an existing file; serve and the other commands refuse a key file
// that others can read.
func TestKeysGenerateWritesAPrivateKeyFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "data.key")
	code, out, errOut := cli(t, "", "keys", "generate", "--out", file)
	if code != 0 || !strings.Contains(out, "KOFU_DATA_KEY_FILE="+file) {
		t.Fatalf("generate --out: %d %s %s", code, out, errOut)
	}
	st, err := os.Stat(file)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", st, err)
	}
	key, _ := os.ReadFile(file)
	if _, err := fieldcrypt.ParseKey(string(key)); err != nil || strings.Contains(out, strings.TrimSpace(string(key))) {
		t.Fatalf("key %q: %v (or printed)", key, err)
	}
	if code, _, errOut := cli(t, "", "keys", "generate", "--out", file); code == 0 || !strings.Contains(errOut, "上書きしません") {
		t.Fatalf("second generate over the same file: %d %s", code, errOut)
	}
	if again, _ := os.ReadFile(file); string(again) != string(key) {
		t.Fatal("the key file was overwritten")
	}

	dsn := filepath.Join(dir, "kofu.db")
	t.Setenv("KOFU_DATA_KEY", "")
	t.Setenv("KOFU_DATA_KEY_FILE", file)
	if err := runServe(t, "--db", dsn); err != nil {
		t.Fatalf("serve with the private key file: %v", err)
	}
	os.Chmod(file, 0o644) // as `kofu keys generate > file` leaves it under umask 022
	if err := runServe(t, "--db", dsn); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("serve with a key file others can read: %v", err)
	}
	for _, args := range [][]string{{"user", "list"}, {"migrate"}, {"keys", "rotate"}, {"audit", "verify"}} {
		if code, _, errOut := cli(t, "", append(args, "--db", dsn)...); code == 0 || !strings.Contains(errOut, "chmod 600 "+file) {
			t.Errorf("%v with a key file others can read: %d %s", args, code, errOut)
		}
	}
}
