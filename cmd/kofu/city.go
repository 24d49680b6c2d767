package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/platform"
	"github.com/kofu-oss/kofu/internal/store"
)

// cityCommands manage the cities of a platform (issue #20): each with its
// own database and data key, listed in the platform's catalog.
var cityCommands = []command{
	{"city add", "--code CODE --slug NAME --name 名称 [--db URL] [オプション]",
		"団体を登録する (専用の暗号鍵とデータベースを作る。--db がなければデータフォルダに SQLite)", env.cityAdd},
	{"city list", "[オプション]", "登録されている団体の一覧を表示する", env.cityList},
	{"city suspend", "CODE|NAME [オプション]", "団体のサイトを停止する (データは残る)", env.citySuspend},
	{"city resume", "CODE|NAME [オプション]", "停止した団体のサイトを再開する", env.cityResume},
	{"city remove", "CODE|NAME [オプション]",
		"停止した団体を削除する (暗号鍵を消すので、その団体のデータとバックアップは読めなくなる)", env.cityRemove},
}

// catalogFlags are where a platform keeps its catalog and its cities' keys
// and SQLite files.
func catalogFlags(fs *flag.FlagSet) (catalog, dataDir *string) {
	def, dir := "./data/catalog.db", "./data"
	if v := os.Getenv("KOFU_CATALOG"); v != "" {
		def = v
	}
	if v := os.Getenv("KOFU_DATA_DIR"); v != "" {
		dir = v
	}
	catalog = fs.String("catalog", def, "カタログのデータベース: SQLite のファイル、または postgres:// の URL [KOFU_CATALOG]")
	dataDir = fs.String("data-dir", dir, "団体ごとの暗号鍵と SQLite を置くフォルダ [KOFU_DATA_DIR]")
	return catalog, dataDir
}

// withPlatform opens the catalog for one command.
func withPlatform(ctx context.Context, catalog, dataDir string, fn func(*platform.Service) error) error {
	cat, err := store.OpenCatalog(ctx, catalog)
	if err != nil {
		return err
	}
	defer cat.Close()
	return fn(platform.New(cat, dataDir, clock.System{}))
}

func (e env) cityAdd(ctx context.Context, fs *flag.FlagSet, args []string) error {
	catalog, dataDir := catalogFlags(fs)
	var in platform.CityInput
	fs.StringVar(&in.Code, "code", "", "地方公共団体コード 6 桁 (検査数字つき。例: 282197) (必須)")
	fs.StringVar(&in.Slug, "slug", "", "URL 用の短い名前 (例: sanda → /sanda/) (必須)")
	fs.StringVar(&in.Name, "name", "", "団体名 (例: 三田市) (必須)")
	fs.StringVar(&in.Host, "host", "", "団体専用のホスト名 (例: sanda.example.lg.jp)。そのホスト名への要求をこの団体のサイトが受ける")
	fs.StringVar(&in.DB, "db", "", "団体のデータベース (postgres:// の URL)。省略するとデータフォルダに SQLite を作る")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if in.Code == "" || in.Slug == "" || in.Name == "" {
		return e.badUsage(fs, "--code、--slug、--name を指定してください")
	}
	return withPlatform(ctx, *catalog, *dataDir, func(p *platform.Service) error {
		c, err := p.Add(ctx, operator().Username, in)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s (%s) を登録しました: /%s/\n暗号鍵: %s (この鍵がなければ団体のデータは読めません。バックアップの鍵と同じく別に保管してください)\n",
			c.Name, c.Code, c.Slug, c.KeyFile)
		return nil
	})
}

func (e env) cityList(ctx context.Context, fs *flag.FlagSet, args []string) error {
	catalog, dataDir := catalogFlags(fs)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	return withPlatform(ctx, *catalog, *dataDir, func(p *platform.Service) error {
		cs, err := p.Cities(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CODE\tSLUG\tNAME\tSTATUS\tENGINE\tHOST")
		for _, c := range cs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Code, c.Slug, c.Name, c.Status, store.EngineOf(c.DB), c.Host)
		}
		return tw.Flush()
	})
}

func (e env) citySuspend(ctx context.Context, fs *flag.FlagSet, args []string) error {
	return e.cityAction(ctx, fs, args, " を停止しました", (*platform.Service).Suspend)
}

func (e env) cityResume(ctx context.Context, fs *flag.FlagSet, args []string) error {
	return e.cityAction(ctx, fs, args, " を再開しました", (*platform.Service).Resume)
}

func (e env) cityRemove(ctx context.Context, fs *flag.FlagSet, args []string) error {
	return e.cityAction(ctx, fs, args, " を削除しました (暗号鍵を消去しました)", (*platform.Service).Remove)
}

// cityAction runs one operator action on the city named by the argument.
func (e env) cityAction(ctx context.Context, fs *flag.FlagSet, args []string, done string,
	act func(*platform.Service, context.Context, string, string) error) error {
	catalog, dataDir := catalogFlags(fs)
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return e.badUsage(fs, "団体の地方公共団体コードか URL 用の名前を 1 つ指定してください")
	}
	return withPlatform(ctx, *catalog, *dataDir, func(p *platform.Service) error {
		if err := act(p, ctx, operator().Username, pos[0]); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, pos[0]+done)
		return nil
	})
}
