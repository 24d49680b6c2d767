// Command kofubench runs Kofu's benchmark suite on SQLite and PostgreSQL
// and prints a Markdown table in which every figure stands beside a raw
// baseline measured in the same run. It exits 1 only when a correctness
// check fails (overbooking, a wrong count on the rushed slot, a search
// that disagrees with a full scan) or a scenario cannot run; missed speed
// targets are reported, not fatal: machines are noisy.
//
//	go run ./cmd/kofubench --quick
//	go run ./cmd/kofubench --counter     # the counter day of issue #17 only
//	go run ./cmd/kofubench --platform    # 200 cities in one process (issue #20)
//	go run ./cmd/kofubench hostile DIR   # the hostile files of issue #14
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/cmd/kofubench/internal/bench"
	"github.com/kofu-oss/kofu/internal/store"
)

func main() {
	if bench.ServeChild() { // started by the bench as its server process
		return
	}
	if len(os.Args) == 3 && os.Args[1] == "hostile" {
		os.Exit(writeHostile(os.Args[2], os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kofubench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "小さい件数（10 万件）で数分で実行する")
	engines := fs.String("engines", "sqlite,postgres", "対象のエンジン（カンマ区切り）")
	pg := fs.String("postgres", envOr("KOFU_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"),
		"PostgreSQL の URL（専用のスキーマを作り、終了時に削除する）")
	dir := fs.String("dir", os.TempDir(), "SQLite のファイルを作るフォルダ（終了時に削除する）")
	out := fs.String("out", "", "結果の表を書き出すファイル（省略時は標準出力のみ）")
	counterDay := fs.Bool("counter", false, "窓口の一日（受付 500 件/分・窓口 50・呼出表示 200、サーバー 2 台）だけを実行する（--quick で 20 秒）")
	platformRun := fs.Bool("platform", false, "1 つのプロセスで 200 の団体（SQLite）: 待機中・稼働中の団体ごとのメモリ、ある団体への殺到中の別の団体の応答時間")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg := bench.Config{Sizes: bench.Full(), Dir: *dir, Postgres: *pg,
		// A progress line's stamp is a log timestamp.
		Progress: func(msg string) { fmt.Fprintf(stderr, "%s %s\n", time.Now().Format("15:04:05"), msg) }}
	if *quick {
		cfg.Sizes = bench.Quick()
	}
	for _, e := range strings.Split(*engines, ",") {
		switch e := store.Engine(strings.TrimSpace(e)); e {
		case store.SQLite, store.Postgres:
			cfg.Engines = append(cfg.Engines, e)
		default:
			fmt.Fprintf(stderr, "kofubench: エンジン %q は使えません（sqlite または postgres）\n", e)
			return 2
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var rp *bench.Report
	var err error
	switch {
	case *platformRun:
		s := bench.PlatformFull()
		if *quick {
			s.Name, s.Cities, s.Measure = "quick", 20, 3*time.Second
		}
		rp, err = bench.RunPlatform(ctx, cfg, s)
	case *counterDay:
		s := bench.CounterFull()
		if *quick {
			s.Name, s.Duration = "quick", 20*time.Second
		}
		rp, err = bench.RunCounter(ctx, cfg, s)
	default:
		rp, err = bench.Run(ctx, cfg)
	}
	var table strings.Builder
	rp.WriteMarkdown(&table)
	fmt.Fprint(stdout, table.String())
	if *out != "" {
		if werr := os.WriteFile(*out, []byte(table.String()), 0o644); werr != nil {
			fmt.Fprintf(stderr, "kofubench: %v\n", werr)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "kofubench: %v\n", err)
		return 1
	}
	if err := rp.Broken(); err != nil {
		fmt.Fprintf(stderr, "kofubench: 正しさの確認に失敗しました:\n%v\n", err)
		return 1
	}
	return 0
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
