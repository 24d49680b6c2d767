package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/store"
)

func (e env) migrate(ctx context.Context, args []string) error {
	fs := e.newFlags("migrate")
	dsn := dbFlag(fs)
	dry := fs.Bool("dry-run", false, "適用される移行を表示するだけで、何も変更しない")
	if err := fs.Parse(args); err != nil {
		return errSilent
	}
	// Migration 0016 seals the personal data already in the database:
	// it needs the data key when there is any.
	keys, err := fieldcrypt.Load(os.Getenv("KOFU_DATA_KEY"), os.Getenv("KOFU_DATA_KEY_FILE"), os.Getenv("KOFU_DATA_OLD_KEY_FILE"))
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

func (e env) user(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("サブコマンドを指定してください: add, list, lock, unlock, reset-password, disable-totp")
	}
	fs := e.newFlags("user " + args[0])
	dsn := dbFlag(fs)
	username := fs.String("username", "", "ユーザー名")
	role := fs.String("role", "", "役割: admin, staff, viewer (add のみ)")
	display := fs.String("display-name", "", "氏名 (add のみ)")
	generate := fs.Bool("generate", false, "仮パスワードを発行して表示する (初回ログイン時に変更が必要)")
	if err := fs.Parse(args[1:]); err != nil {
		return errSilent
	}
	if args[0] != "list" && *username == "" {
		return errors.New("--username を指定してください")
	}
	op, m := operator(), auth.Meta{}
	return withAuth(ctx, *dsn, func(a *auth.Service) error {
		switch args[0] {
		case "add":
			return e.userAdd(ctx, a, auth.NewUser{Username: *username, DisplayName: *display, Role: *role}, *generate)
		case "list":
			return e.userList(ctx, a)
		case "lock":
			return report(e, a.Lock(ctx, op, m, *username), *username+" をロックしました。ログイン中のセッションは終了しました。")
		case "unlock":
			return report(e, a.Unlock(ctx, op, m, *username), *username+" のロックを解除しました。")
		case "disable-totp":
			return report(e, a.DisableTOTP(ctx, op, m, *username), *username+" の二要素認証を解除しました。")
		case "reset-password":
			pw, err := a.ResetPassword(ctx, op, m, *username)
			return report(e, err, "仮パスワード: "+pw+"\n初回ログイン時に変更が必要です。")
		}
		return fmt.Errorf("不明なサブコマンドです: user %s", args[0])
	})
}

func report(e env, err error, msg string) error {
	if err == nil {
		fmt.Fprintln(e.stdout, msg)
	}
	return err
}

func (e env) userAdd(ctx context.Context, a *auth.Service, nu auth.NewUser, generate bool) error {
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

func (e env) userList(ctx context.Context, a *auth.Service) error {
	us, err := a.Users(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tROLE\tSTATE\tTOTP\tDISPLAY NAME")
	now := time.Now()
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

func (e env) token(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("サブコマンドを指定してください: create, list, revoke")
	}
	fs := e.newFlags("token " + args[0])
	dsn := dbFlag(fs)
	username := fs.String("username", "", "トークンが代理する利用者 (create)")
	name := fs.String("name", "", "トークンの名前・用途 (create)")
	id := fs.Int64("id", 0, "失効させるトークンの番号 (revoke)")
	if err := fs.Parse(args[1:]); err != nil {
		return errSilent
	}
	return withAuth(ctx, *dsn, func(a *auth.Service) error {
		switch args[0] {
		case "create":
			token, tok, err := a.CreateToken(ctx, operator(), auth.Meta{}, *username, *name)
			return report(e, err, fmt.Sprintf("トークン %d を発行しました。この値は二度と表示されません:\n%s", tok.ID, token))
		case "list":
			return e.tokenList(ctx, a)
		case "revoke":
			return report(e, a.RevokeToken(ctx, operator(), auth.Meta{}, *id), "トークン "+strconv.FormatInt(*id, 10)+" を失効させました。")
		}
		return fmt.Errorf("不明なサブコマンドです: token %s", args[0])
	})
}

func (e env) tokenList(ctx context.Context, a *auth.Service) error {
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
