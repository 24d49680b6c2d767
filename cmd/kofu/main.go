// Command kofu runs Kofu: the My Number card ledger and pickup booking
// system for municipalities. See `kofu help`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
)

const usage = `kofu — マイナンバーカード交付管理・受け取り予約システム

使い方:
  kofu serve [--demo] [オプション]     サーバーを起動する (kofu serve -h で一覧)
  kofu migrate [--db DB] [--dry-run]   データベースを作成・更新する (--dry-run: 適用される移行の一覧)
  kofu user add --username U --role admin|staff|viewer [--display-name 氏名] [--generate]
                                       利用者を追加する (パスワードは標準入力から、--generate で仮パスワードを発行)
  kofu user list                       利用者の一覧
  kofu user lock|unlock|reset-password|disable-totp --username U
  kofu token create --username U --name N   API トークンを発行する (一度だけ表示)
  kofu token list | kofu token revoke --id N
  kofu import jlis FILE [--dry-run] [--json]
                                       J-LIS の納品データ (CSV) を取り込む
  kofu import ledger FILE [--dry-run] [--json]
                                       カード管理簿 (Excel の .xlsx) を取り込む
  kofu backup --out FILE [--db DB]     暗号化したバックアップを作成する
                                       (KOFU_BACKUP_RECIPIENTS に age の公開鍵 (カンマ区切り)、または KOFU_BACKUP_PASSPHRASE)
  kofu restore FILE [--db DB]          バックアップを空のデータベースに復元する (SQLite ⇔ PostgreSQL の移行にも使える)
                                       (KOFU_BACKUP_IDENTITY に age の秘密鍵ファイル、または KOFU_BACKUP_PASSPHRASE)
  kofu keys generate --out FILE        個人情報を暗号化する鍵を作る (所有者だけが読める 0600 で保存。KOFU_DATA_KEY_FILE で指定)
  kofu keys rotate [--db DB]           すべての個人情報を現在の鍵で暗号化し直す (古い鍵は KOFU_DATA_OLD_KEY_FILE)
  kofu audit verify [--db DB] [--head FILE|DIR]
                                       監査ログの改ざんを検査する (異常があれば終了コード 1)。--head は公開した先頭と照合する
  kofu audit head [--db DB]            監査ログの先頭 (最後のエントリと起点、鍵付き) を JSON で出力する
  kofu documents verify [--db DB]      保管した書類をすべて復号し、欠落・孤立・改ざんを検査する (異常があれば終了コード 1)
  kofu version

--db を省略すると環境変数 KOFU_DB、それもなければ ./data/kofu.db を使います。
データベースを作るのは serve、migrate、restore だけです。ほかのコマンドは既存のデータベースだけを開きます。
各コマンドの説明とオプション: kofu <コマンド> -h (例: kofu user list -h、kofu user -h)
`

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env bundles the standard streams so commands are testable in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// commands are kofu's commands without subcommands; groups are those
// with subcommands (kofu user list).
var (
	commands = []command{
		{"serve", "[オプション]", "サーバーを起動する。オプションは [ ] 内の環境変数でも指定できる", env.serve},
		{"migrate", "[オプション]", "データベースを作成・更新する (--dry-run: 適用される移行の一覧を表示するだけ)", env.migrate},
		{"backup", "--out FILE [オプション]", "暗号化したバックアップを作成する (KOFU_BACKUP_RECIPIENTS に age の公開鍵 (カンマ区切り)、または KOFU_BACKUP_PASSPHRASE)", env.backup},
		{"restore", "FILE [オプション]", "バックアップを空のデータベースに復元する (SQLite ⇔ PostgreSQL の移行にも使える。" +
			"KOFU_BACKUP_IDENTITY に age の秘密鍵ファイル、または KOFU_BACKUP_PASSPHRASE)", env.restore},
		{"version", "", "版と、対応するスキーマのバージョンを表示する", env.version},
	}
	groups = map[string][]command{
		"user": userCommands, "token": tokenCommands, "import": importCommands,
		"keys": keysCommands, "audit": auditCommands, "documents": documentsCommands, "city": cityCommands,
	}
)

// run dispatches a command line and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if isHelp(args[0]) {
		fmt.Fprint(stdout, usage)
		return 0
	}
	var err error
	if subs, ok := groups[args[0]]; ok {
		err = e.group(ctx, args[0], subs, args[1:])
	} else if i := slices.IndexFunc(commands, func(c command) bool { return c.name == args[0] }); i >= 0 {
		err = e.exec(ctx, commands[i], args[1:])
	} else {
		fmt.Fprintf(stderr, "不明なコマンドです: %s\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case !errors.Is(err, errSilent):
		fmt.Fprintln(stderr, "エラー:", messageOf(err))
	}
	return 1
}

func (e env) version(_ context.Context, fs *flag.FlagSet, args []string) error {
	if err := e.parse(fs, args); err != nil {
		return err
	}
	printVersion(e.stdout)
	return nil
}
