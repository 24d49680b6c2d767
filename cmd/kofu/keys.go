package main

import (
	"context"
	"fmt"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/store"
)

// keys handles `kofu keys generate` and `kofu keys rotate`.
func (e env) keys(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("kofu keys generate | rotate を指定してください")
	}
	switch args[0] {
	case "generate":
		fmt.Fprintln(e.stdout, fieldcrypt.Generate())
		return nil
	case "rotate":
		return e.rotate(ctx, args[1:])
	default:
		return fmt.Errorf("不明な keys のコマンドです: %s", args[0])
	}
}

// rotate re-encrypts every personal field under the current key
// (KOFU_DATA_KEY / KOFU_DATA_KEY_FILE); the keys it replaces are given in
// KOFU_DATA_OLD_KEY_FILE. Plaintext from before encryption is sealed too.
func (e env) rotate(ctx context.Context, args []string) error {
	fs := e.newFlags("keys rotate")
	dsn := dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return errSilent
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if db.Keys() == nil {
		return fieldcrypt.ErrNoKey
	}
	changed, err := resealAudited(ctx, db, operator().Username, func(table string, n int) {
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
func resealAudited(ctx context.Context, db *store.DB, actor string, progress func(string, int)) (map[string]int, error) {
	start := time.Now()
	changed, err := db.Reseal(ctx, progress)
	detail := map[string]any{"key_id": db.Keys().Current().ID(), "rows": changed, "complete": err == nil,
		"seconds": int(time.Since(start).Seconds())}
	auditErr := db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.AppendAudit(ctx, audit.Event{Actor: actor, Action: "data.resealed", Target: "database", Detail: detail}, time.Now())
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
