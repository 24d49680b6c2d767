package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/intake"
)

// importCommands are the subcommands of `kofu import`.
var importCommands = []command{
	{"import jlis", "FILE [オプション]", "J-LIS の納品データ (CSV) を取り込む", env.importJLIS},
	{"import ledger", "FILE [オプション]", "カード管理簿 (Excel の .xlsx) を取り込む (1 つのトランザクションで)", env.importLedgerCmd},
}

func (e env) importJLIS(ctx context.Context, fs *flag.FlagSet, args []string) error {
	return e.runImport(ctx, fs, args, "取り込むファイルを 1 つ指定してください",
		func(ctx context.Context, svc *intake.Service, f io.Reader, name string, dry bool) (any, intake.Result, string, error) {
			opt := intake.Options{DryRun: dry, FileName: name,
				Progress: func(n int) { fmt.Fprintf(e.stderr, "\r%d 行を処理しました", n) }}
			res, err := svc.ImportJLIS(ctx, operator(), auth.Meta{}, f, opt)
			return res, res, "", err
		})
}

// importRun imports one opened file; it returns the report for --json,
// the counts to print, and a closing remark ("" for none).
type importRun func(ctx context.Context, svc *intake.Service, f io.Reader, name string, dry bool) (any, intake.Result, string, error)

// runImport is what every `kofu import` shares: the flags, exactly one
// file, the database, and the report as JSON or as text.
func (e env) runImport(ctx context.Context, fs *flag.FlagSet, args []string, oneFile string, run importRun) error {
	dsn := dbFlag(fs)
	dry := fs.Bool("dry-run", false, "確認だけ行い、何も書き込まない")
	asJSON := fs.Bool("json", false, "結果を JSON で出力する (API と同じ形)")
	files, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return e.badUsage(fs, oneFile)
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
	report, res, remark, err := run(ctx, intake.New(db, sysClock), f, filepath.Base(files[0]), *dry)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	printImport(e, res)
	if remark != "" {
		fmt.Fprintln(e.stdout, remark)
	}
	return nil
}

func printImport(e env, res intake.Result) {
	mode := "取り込みました"
	if res.DryRun {
		mode = "確認しました (書き込みはしていません)"
	}
	fmt.Fprintf(e.stdout, "\n%s を%s。\n  文字コード: %s\n  データ行: %d\n  新規: %d\n  更新: %d\n  変更なし: %d\n  取り込めなかった行: %d\n",
		res.FileName, mode, res.Encoding, res.Rows, res.Created, res.Updated, res.Unchanged, res.RejectedRows())
	for _, r := range res.Rejected {
		fmt.Fprintf(e.stdout, "  × %d 行目 %s: %s\n", r.Line, r.Column, r.Reason)
	}
	printCut(e, "理由", res.RejectedSummary, len(res.Rejected))
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stdout, "  ! %d 行目 %s\n", w.Line, w.Detail)
	}
	printCut(e, "確認してほしい点", res.WarningsSummary, len(res.Warnings))
}

// printCut says how many items a cut list left out, by code.
func printCut(e env, what string, s intake.Summary, listed int) {
	if !s.Cut {
		return
	}
	var codes []string
	for _, code := range slices.Sorted(maps.Keys(s.ByCode)) {
		codes = append(codes, fmt.Sprintf("%s %d", code, s.ByCode[code]))
	}
	fmt.Fprintf(e.stdout, "  …%sは全部で %d 件（最初の %d 件だけ表示。コード別: %s）\n", what, s.Total, listed, strings.Join(codes, "、"))
}
