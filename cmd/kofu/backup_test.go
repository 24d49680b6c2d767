package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// backupKeys makes an age key pair: the recipient for KOFU_BACKUP_RECIPIENTS
// and the path of an identity file for KOFU_BACKUP_IDENTITY.
func backupKeys(t *testing.T) (recipient, identityFile string) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	identityFile = filepath.Join(t.TempDir(), "backup-key.txt")
	if err := os.WriteFile(identityFile, []byte("# kofu backup key\n"+id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return id.Recipient().String(), identityFile
}

// seededSQLite returns the path of a SQLite database holding one card.
func seededSQLite(t *testing.T) string {
	t.Helper()
	dsn := storetest.MustDSN(t, store.SQLite)
	if code, _, errOut := cli(t, "", "migrate", "--db", dsn); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.UseKeys(storetest.Keys())
	defer db.Close()
	ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "N-1", Name: "控　太郎"})
	return dsn
}

// kofu runs kofu backup or kofu restore in-process like run does, so
// these tests do not depend on the dispatch in main.go.
func kofu(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}
	cmd := commands[slices.IndexFunc(commands, func(c command) bool { return c.name == args[0] })]
	if err := e.exec(ctx, cmd, args[1:]); err != nil {
		if err != errSilent {
			fmt.Fprintln(&errOut, "エラー:", messageOf(err))
		}
		return 1, out.String(), errOut.String()
	}
	return 0, out.String(), errOut.String()
}

func clearBackupEnv(t *testing.T) {
	for _, k := range []string{envRecipients, envPassphrase, envIdentity} {
		t.Setenv(k, "")
	}
}

func TestBackupCommandRefusesToWriteInTheClear(t *testing.T) {
	clearBackupEnv(t)
	src := seededSQLite(t)
	out := filepath.Join(t.TempDir(), "plain.age")
	code, _, errOut := kofu(t, "backup", "--out", out, "--db", src)
	if code != 1 || !strings.Contains(errOut, "暗号化しないバックアップは作成できません") {
		t.Fatalf("code %d, stderr %s", code, errOut)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a file was written")
	}
}

func TestBackupAndRestoreCommands(t *testing.T) {
	clearBackupEnv(t)
	recipient, identity := backupKeys(t)
	src := seededSQLite(t)
	file := filepath.Join(t.TempDir(), "kofu.age")
	t.Setenv(envRecipients, recipient)
	code, out, errOut := kofu(t, "backup", "--out", file, "--db", src)
	if code != 0 || !strings.Contains(out, "バックアップを作成しました") || !strings.Contains(out, "cards") || !strings.Contains(out, "合計") {
		t.Fatalf("backup: code %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := kofu(t, "backup", "--out", file, "--db", src); code != 1 || !strings.Contains(errOut, "すでにあります") {
		t.Errorf("backup over an existing file: code %d, %s", code, errOut)
	}
	for _, e := range storetest.Engines() {
		t.Run("into_"+string(e), func(t *testing.T) {
			dst := storetest.MustDSN(t, e)
			t.Setenv(envIdentity, identity)
			code, out, errOut := kofu(t, "restore", file, "--db", dst)
			if code != 0 || !strings.Contains(out, "復元しました") || !strings.Contains(out, "監査ログの検証に成功") {
				t.Fatalf("restore: code %d\n%s\n%s", code, out, errOut)
			}
			assertCard(t, dst, "N-1")
			code, _, errOut = kofu(t, "restore", file, "--db", dst)
			if code != 1 || !strings.Contains(errOut, "空ではありません") {
				t.Errorf("restore over data: code %d, %s", code, errOut)
			}
		})
	}
}

func assertCard(t *testing.T, dsn, notice string) {
	t.Helper()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.UseKeys(storetest.Keys())
	defer db.Close()
	err = db.View(ctx, func(tx *store.Tx) error {
		_, err := tx.CardByNoticeNumber(ctx, notice)
		return err
	})
	if err != nil {
		t.Errorf("card %s after restore: %v", notice, err)
	}
}

func TestRestoreCommandRefusesAWrongKey(t *testing.T) {
	clearBackupEnv(t)
	recipient, _ := backupKeys(t)
	_, otherIdentity := backupKeys(t)
	src := seededSQLite(t)
	file := filepath.Join(t.TempDir(), "kofu.age")
	t.Setenv(envRecipients, recipient)
	if code, _, errOut := kofu(t, "backup", "--out", file, "--db", src); code != 0 {
		t.Fatal(errOut)
	}
	t.Setenv(envIdentity, otherIdentity)
	code, _, errOut := kofu(t, "restore", file, "--db", storetest.MustDSN(t, store.SQLite))
	if code != 1 || !strings.Contains(errOut, "復号できません") {
		t.Errorf("code %d, stderr %s", code, errOut)
	}
}

// TestBackupWithAPassphrase uses age's real scrypt work factor (about a
// second per backup and per restore).
func TestBackupWithAPassphrase(t *testing.T) {
	clearBackupEnv(t)
	src := seededSQLite(t)
	file := filepath.Join(t.TempDir(), "kofu.age")
	t.Setenv(envPassphrase, "長い合言葉 for the city backups")
	if code, _, errOut := kofu(t, "backup", "--out", file, "--db", src); code != 0 {
		t.Fatal(errOut)
	}
	dst := storetest.MustDSN(t, store.SQLite)
	if code, out, errOut := kofu(t, "restore", file, "--db", dst); code != 0 {
		t.Fatalf("code %d\n%s\n%s", code, out, errOut)
	}
	assertCard(t, dst, "N-1")
	t.Setenv(envPassphrase, "違う合言葉 for the city backups")
	code, _, errOut := kofu(t, "restore", file, "--db", storetest.MustDSN(t, store.SQLite))
	if code != 1 || !strings.Contains(errOut, "復号できません") {
		t.Errorf("wrong passphrase: code %d, %s", code, errOut)
	}
}
