package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/store"
)

func (e env) migrate(ctx context.Context, fs *flag.FlagSet, args []string) error {
	dsn := dbFlag(fs)
	dry := fs.Bool("dry-run", false, "適用される移行を表示するだけで、何も変更しない")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	// Migration 0016 seals the personal data already in the database:
	// it needs the data key when there is any.
	keys, err := envKeys()
	if err != nil && !errors.Is(err, fieldcrypt.ErrNoKey) {
		return err
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.UseKeys(keys)
	if *dry {
		return e.pendingMigrations(ctx, db)
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	v, _ := db.Version(ctx)
	fmt.Fprintf(e.stdout, "%d 件の移行を適用しました。スキーマのバージョン: %d (%s)\n", n, v, db.Engine)
	return nil
}

func (e env) pendingMigrations(ctx context.Context, db *store.DB) error {
	names, err := db.Pending(ctx)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		fmt.Fprintln(e.stdout, "適用する移行はありません。")
		return nil
	}
	fmt.Fprintf(e.stdout, "適用される移行 (%d 件):\n", len(names))
	for _, n := range names {
		fmt.Fprintln(e.stdout, "  "+n)
	}
	return nil
}

// withAuth opens the database named by --db and runs fn with the service.
func withAuth(ctx context.Context, dsn string, fn func(*auth.Service) error) error {
	db, err := openDB(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(newAuth(db))
}

// userCommands are the subcommands of `kofu user`, each with its own
// flags.
var userCommands = []command{
	{"user add", "--username U --role admin|staff|viewer [オプション]",
		"利用者を追加する (パスワードは標準入力から。--generate で仮パスワードを発行する)", env.userAdd},
	{"user list", "[オプション]", "利用者の一覧を表示する", env.userList},
	{"user lock", "--username U [オプション]", "利用者をロックし、ログイン中のセッションを終了する",
		userAction(func(ctx context.Context, a *auth.Service, u string) (string, error) {
			return u + " をロックしました。ログイン中のセッションは終了しました。", a.Lock(ctx, operator(), auth.Meta{}, u)
		})},
	{"user unlock", "--username U [オプション]", "利用者のロックを解除する",
		userAction(func(ctx context.Context, a *auth.Service, u string) (string, error) {
			return u + " のロックを解除しました。", a.Unlock(ctx, operator(), auth.Meta{}, u)
		})},
	{"user reset-password", "--username U [オプション]", "仮パスワードを発行する (初回ログイン時に変更が必要)",
		userAction(func(ctx context.Context, a *auth.Service, u string) (string, error) {
			pw, err := a.ResetPassword(ctx, operator(), auth.Meta{}, u)
			return "仮パスワード: " + pw + "\n初回ログイン時に変更が必要です。", err
		})},
	{"user disable-totp", "--username U [オプション]", "利用者の二要素認証を解除する",
		userAction(func(ctx context.Context, a *auth.Service, u string) (string, error) {
			return u + " の二要素認証を解除しました。", a.DisableTOTP(ctx, operator(), auth.Meta{}, u)
		})},
}

// userAction is a `kofu user` subcommand that acts on one user named by
// --username and prints what it did.
func userAction(do func(ctx context.Context, a *auth.Service, username string) (string, error)) func(env, context.Context, *flag.FlagSet, []string) error {
	return func(e env, ctx context.Context, fs *flag.FlagSet, args []string) error {
		dsn := dbFlag(fs)
		username := fs.String("username", "", "対象の利用者のユーザー名 (必須)")
		if err := e.parse(fs, args); err != nil {
			return err
		}
		if *username == "" {
			return e.badUsage(fs, "--username を指定してください")
		}
		return withAuth(ctx, *dsn, func(a *auth.Service) error {
			msg, err := do(ctx, a, *username)
			return report(e, err, msg)
		})
	}
}

func report(e env, err error, msg string) error {
	if err == nil {
		fmt.Fprintln(e.stdout, msg)
	}
	return err
}

func (e env) userAdd(ctx context.Context, fs *flag.FlagSet, args []string) error {
	dsn := dbFlag(fs)
	username := fs.String("username", "", "ユーザー名 (必須)")
	role := fs.String("role", "", "役割: admin, staff, viewer (必須)")
	display := fs.String("display-name", "", "氏名")
	generate := fs.Bool("generate", false, "仮パスワードを発行して表示する (初回ログイン時に変更が必要)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *username == "" {
		return e.badUsage(fs, "--username を指定してください")
	}
	return withAuth(ctx, *dsn, func(a *auth.Service) error {
		return e.addUser(ctx, a, auth.NewUser{Username: *username, DisplayName: *display, Role: *role}, *generate)
	})
}

func (e env) addUser(ctx context.Context, a *auth.Service, nu auth.NewUser, generate bool) error {
	if !generate {
		pw, err := readSecret(e.stdin)
		if err != nil {
			return err
		}
		if pw == "" {
			return errors.New("標準入力からパスワードを渡すか、--generate を指定してください")
		}
		nu.Password = pw
	}
	oneTime, err := a.CreateUser(ctx, operator(), auth.Meta{}, nu)
	if err != nil {
		return err
	}
	if oneTime != "" {
		fmt.Fprintf(e.stdout, "利用者 %s を追加しました。\n仮パスワード: %s\n初回ログイン時に変更が必要です。\n", nu.Username, oneTime)
		return nil
	}
	fmt.Fprintf(e.stdout, "利用者 %s を追加しました。\n", nu.Username)
	return nil
}

func (e env) userList(ctx context.Context, fs *flag.FlagSet, args []string) error {
	dsn := dbFlag(fs)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	return withAuth(ctx, *dsn, func(a *auth.Service) error { return e.printUsers(ctx, a) })
}

func (e env) printUsers(ctx context.Context, a *auth.Service) error {
	us, err := a.Users(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tROLE\tSTATE\tTOTP\tDISPLAY NAME")
	now := a.Now()
	for _, u := range us {
		state := "active"
		switch {
		case u.AdminLocked:
			state = "locked (admin)"
		case now.Before(u.LockedUntil):
			state = "locked until " + u.LockedUntil.Format("2006-01-02 15:04")
		case u.MustChangePassword:
			state = "must change password"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\n", u.Username, u.Role, state, u.TOTPEnabled, u.DisplayName)
	}
	return tw.Flush()
}

// tokenCommands are the subcommands of `kofu token`.
var tokenCommands = []command{
	{"token create", "--username U --name N [オプション]", "API トークンを発行する (値は一度だけ表示)", env.tokenCreate},
	{"token list", "[オプション]", "API トークンの一覧を表示する", env.tokenList},
	{"token revoke", "--id N [オプション]", "API トークンを失効させる", env.tokenRevoke},
}

func (e env) tokenCreate(ctx context.Context, fs *flag.FlagSet, args []string) error {
	dsn := dbFlag(fs)
	username := fs.String("username", "", "トークンが代理する利用者 (必須)")
	name := fs.String("name", "", "トークンの名前・用途 (必須)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	return withAuth(ctx, *dsn, func(a *auth.Service) error {
		token, tok, err := a.CreateToken(ctx, operator(), auth.Meta{}, *username, *name)
		return report(e, err, fmt.Sprintf("トークン %d を発行しました。この値は二度と表示されません:\n%s", tok.ID, token))
	})
}

func (e env) tokenRevoke(ctx context.Context, fs *flag.FlagSet, args []string) error {
	dsn := dbFlag(fs)
	id := fs.Int64("id", 0, "失効させるトークンの番号 (必須。kofu token list の ID)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	return withAuth(ctx, *dsn, func(a *auth.Service) error {
		return report(e, a.RevokeToken(ctx, operator(), auth.Meta{}, *id), "トークン "+strconv.FormatInt(*id, 10)+" を失効させました。")
	})
}

func (e env) tokenList(ctx context.Context, fs *flag.FlagSet, args []string) error {
	dsn := dbFlag(fs)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	return withAuth(ctx, *dsn, func(a *auth.Service) error { return e.printTokens(ctx, a) })
}

func (e env) printTokens(ctx context.Context, a *auth.Service) error {
	ts, err := a.Tokens(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tNAME\tCREATED\tLAST USED\tREVOKED")
	for _, t := range ts {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Username, t.Name, stamp(t.CreatedAt), stamp(t.LastUsedAt), stamp(t.RevokedAt))
	}
	return tw.Flush()
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("2006-01-02 15:04")
}
