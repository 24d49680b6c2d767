package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/intake"
)

// importLedgerCmd is `kofu import ledger FILE`: the city's Excel card
// ledger, in one transaction, like the staff page's confirmed import.
func (e env) importLedgerCmd(ctx context.Context, args []string) error {
	fs := e.newFlags("import ledger")
	dsn := dbFlag(fs)
	dry := fs.Bool("dry-run", false, "確認だけ行い、何も書き込まない")
	asJSON := fs.Bool("json", false, "結果を JSON で出力する (API と同じ形)")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return errSilent
	}
	if len(files) != 1 {
		return errors.New("取り込むカード管理簿 (.xlsx) を 1 つ指定してください")
	}
	f, err := os.Open(files[0])
	if err != nil {
		return fmt.Errorf("ファイルを開けません: %w", err)
	}
	defer f.Close()
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := intake.New(db, clock.System{})
	res, err := svc.ImportLedger(ctx, operator(), auth.Meta{}, f, intake.LedgerOptions{DryRun: *dry, FileName: filepath.Base(files[0])})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printImport(e, res.Result)
	if res.AlreadyImported != nil && !res.DryRun {
		fmt.Fprintln(e.stdout, "  このファイルは取り込み済みでした。台帳は変わっていません。")
	}
	return nil
}
