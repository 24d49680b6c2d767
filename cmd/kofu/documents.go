package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/store"
)

var documentsCommands = []command{
	{"documents verify", "[オプション]", "保管した書類をすべて復号し、欠落・孤立・改ざんを検査する (異常があれば終了コード 1)", env.documentsVerify},
}

// documentsVerify handles `kofu documents verify`.
func (e env) documentsVerify(ctx context.Context, fs *flag.FlagSet, args []string) error {
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
	r, err := db.VerifyDocuments(ctx, nil)
	if err != nil {
		return err
	}
	labels := map[string]string{store.DocumentMissing: "内容がありません", store.DocumentOrphaned: "どの書類にも属さないデータがあります",
		store.DocumentTampered: "改ざん・破損しています", store.DocumentKey: "鍵がありません"}
	for _, p := range r.Problems {
		fmt.Fprintf(e.stderr, "書類 %d: %s (%s)\n", p.DocumentID, labels[p.Problem], p.Detail)
	}
	detail := map[string]any{"checked": r.Checked, "bytes": r.Bytes, "problems": len(r.Problems)}
	auditErr := db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.AppendAudit(ctx, audit.Event{Actor: operator().Username, Action: "documents.verified", Target: "database", Detail: detail}, sysClock.Now())
		return err
	})
	if len(r.Problems) > 0 {
		fmt.Fprintf(e.stderr, "書類の検査に失敗しました: %d 件の書類のうち %d 件に異常があります。\n", r.Checked, len(r.Problems))
		return errSilent
	}
	fmt.Fprintf(e.stdout, "書類は正常です: %d 件 (%.1f MB) をすべて復号し、保存時の SHA-256 と一致しました。\n", r.Checked, float64(r.Bytes)/(1<<20))
	return auditErr
}
