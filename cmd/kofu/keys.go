package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/store"
)

// keysCommands are the subcommands of `kofu keys`.
var keysCommands = []command{
	{"keys generate", "--out FILE", "個人情報を暗号化する鍵 (base64 の 32 バイト) を作り、所有者だけが読めるファイル (0600) に保存する", env.keysGenerate},
	{"keys rotate", "[オプション]", "すべての個人情報を現在の鍵で暗号化し直す (古い鍵は KOFU_DATA_OLD_KEY_FILE で指定)", env.rotate},
}

// keysGenerate writes a new data key to --out, readable by its owner
// only, and never over an existing file: overwriting a key loses every
// resident's data sealed under it. Without --out the key goes to stdout
// (for a secret manager), where the caller chooses who can read it.
func (e env) keysGenerate(ctx context.Context, fs *flag.FlagSet, args []string) error {
	out := fs.String("out", "", "鍵を書き出すファイル (所有者だけが読める 0600 で作成し、既存のファイルは上書きしない)。省略すると標準出力に出力する")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	key := fieldcrypt.Generate() + "\n"
	if *out == "" {
		_, err := io.WriteString(e.stdout, key)
		return err
	}
	if err := writeKeyFile(*out, key); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "データの暗号鍵を %s に保存しました (所有者だけが読めます)。KOFU_DATA_KEY_FILE=%s を設定してください。\n"+
		"鍵をなくすと個人情報は読めなくなります。別の安全な場所にも保管してください。\n", *out, *out)
	return nil
}

// writeKeyFile creates path with mode 0600 and writes key, synced to disk;
// it refuses a path that exists.
func writeKeyFile(path, key string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s はすでにあります。鍵のファイルは上書きしません (上書きすると、その鍵で暗号化した個人情報が読めなくなります)。別の名前を指定してください", path)
	}
	if err != nil {
		return fmt.Errorf("鍵のファイルを作成できません: %w", err)
	}
	_, err = f.WriteString(key)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("鍵のファイルを書き込めません: %w", err)
	}
	return nil
}

// rotate re-encrypts every personal field under the current key
// (KOFU_DATA_KEY / KOFU_DATA_KEY_FILE); the keys it replaces are given in
// KOFU_DATA_OLD_KEY_FILE. Plaintext from before encryption is sealed too.
func (e env) rotate(ctx context.Context, fs *flag.FlagSet, args []string) error {
	dsn := dbFlag(fs)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if db.Keys() == nil {
		return fieldcrypt.ErrNoKey
	}
	changed, err := resealAudited(ctx, db, sysClock, operator().Username, func(table string, n int) {
		fmt.Fprintf(e.stdout, "  %s: %d 行\n", table, n)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "すべての個人情報を鍵 %s で暗号化し直しました（%d 行）。古い鍵は、バックアップを含めて不要になるまで保管してください。\n",
		db.Keys().Current().ID(), total(changed))
	return nil
}

// resealAudited runs store.Reseal and records it in the audit log.
func resealAudited(ctx context.Context, db *store.DB, c clock.Clock, actor string, progress func(string, int)) (map[string]int, error) {
	start := time.Now() // measures how long the resealing took
	changed, err := db.Reseal(ctx, progress)
	detail := map[string]any{"key_id": db.Keys().Current().ID(), "rows": changed, "complete": err == nil,
		"seconds": int(time.Since(start).Seconds())}
	auditErr := db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.AppendAudit(ctx, audit.Event{Actor: actor, Action: "data.resealed", Target: "database", Detail: detail}, c.Now())
		return err
	})
	if err != nil {
		return changed, err
	}
	return changed, auditErr
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
