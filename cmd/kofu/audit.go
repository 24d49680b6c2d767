package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auditlog"
	"github.com/kofu-oss/kofu/internal/store"
)

// auditCommands are the subcommands of `kofu audit`.
var auditCommands = []command{
	{"audit verify", "[オプション]", "監査ログの改ざんを検査する (異常があれば終了コード 1)。--head で公開した先頭とも照合する", env.auditVerify},
	{"audit head", "[オプション]", "監査ログの先頭 (最後のエントリと起点、鍵付き) を JSON で出力する", env.auditHead},
}

// auditVerify checks the chain with the data keys, and against the head
// published outside the database when --head names it (a head file, or
// the folder of --audit-head-dir, whose newest file is taken): only that
// catches newest entries removed together with an old head put back.
func (e env) auditVerify(ctx context.Context, fs *flag.FlagSet, args []string) error {
	dsn := dbFlag(fs)
	headPath := fs.String("head", "", "公開した監査ログの先頭のファイル、またはそのフォルダ (--audit-head-dir。最新のものと照合する)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	var published *audit.Head
	if *headPath != "" {
		p, err := auditlog.ReadHead(*headPath)
		if err != nil {
			return err
		}
		published = &p.Head
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := store.CheckAudit(ctx, db, published)
	var p *audit.Problem
	if errors.As(err, &p) {
		fmt.Fprintf(e.stderr, "監査ログの検査に失敗しました: エントリ %d で改ざんまたは欠落が見つかりました (%s)\n", p.ID, p.Reason)
		return errSilent
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "監査ログは正常です (改ざんは見つかりませんでした)。エントリ %d 件、最後はエントリ %d。\n", r.Entries, r.Head.LastID)
	if published != nil {
		fmt.Fprintf(e.stdout, "公開した先頭 (エントリ %d) と一致しました。\n", published.LastID)
	}
	if r.Legacy > 0 {
		fmt.Fprintf(e.stdout, "うち %d 件は鍵付きにする前のエントリです (その後の鍵付きのエントリが守っています)。\n", r.Legacy)
	}
	if r.Unchecked > 0 {
		fmt.Fprintf(e.stdout, "うち %d 件は指定していない古い鍵のエントリです (個別には確認していませんが、その後の鍵付きのエントリが守っています)。\n", r.Unchecked)
	}
	return nil
}

// auditHead prints the head as a published head file, for an operator's
// own schedule (cron to write-once storage).
func (e env) auditHead(ctx context.Context, fs *flag.FlagSet, args []string) error {
	dsn := dbFlag(fs)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var h audit.Head
	if err := db.View(ctx, func(tx *store.Tx) (err error) { h, err = tx.AuditHead(ctx); return }); err != nil {
		return err
	}
	b, err := json.MarshalIndent(auditlog.Published{Format: auditlog.PublishedFormat, PublishedAt: sysClock.Now().UTC(), Head: h}, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.stdout, string(b))
	return err
}
