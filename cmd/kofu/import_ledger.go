package main

import (
	"context"
	"flag"
	"io"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/intake"
)

// importLedgerCmd is `kofu import ledger FILE`: the city's Excel card
// ledger, in one transaction, like the staff page's confirmed import.
func (e env) importLedgerCmd(ctx context.Context, fs *flag.FlagSet, args []string) error {
	return e.runImport(ctx, fs, args, "取り込むカード管理簿 (.xlsx) を 1 つ指定してください",
		func(ctx context.Context, svc *intake.Service, f io.Reader, name string, dry bool) (any, intake.Result, string, error) {
			res, err := svc.ImportLedger(ctx, operator(), auth.Meta{}, f, intake.LedgerOptions{DryRun: dry, FileName: name})
			remark := ""
			if res.AlreadyImported != nil && !res.DryRun {
				remark = "  このファイルは取り込み済みでした。台帳は変わっていません。"
			}
			return res, res.Result, remark, err
		})
}
