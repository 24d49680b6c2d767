// Package demo fills a database with a fictional city so a newcomer sees a
// working system at once. Everything here is made up.
package demo

import (
	"context"
	"fmt"
	"io"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
)

// Account is a demo staff account and its password for this run.
type Account struct {
	Username, DisplayName, Role, Password string
}

var accounts = []Account{
	{Username: "demo-admin", DisplayName: "三田 花子（デモ管理者）", Role: auth.RoleAdmin},
	{Username: "demo-staff", DisplayName: "交付 太郎（デモ職員）", Role: auth.RoleStaff},
	{Username: "demo-viewer", DisplayName: "閲覧 一郎（デモ閲覧者）", Role: auth.RoleViewer},
}

// Seed makes sure the demo accounts exist and gives each a fresh random
// password for this run (never a fixed one: a demo left running on a
// network must not have a known password).
func Seed(ctx context.Context, a *auth.Service) ([]Account, error) {
	sys := auth.System("demo")
	var out []Account
	for _, acc := range accounts {
		acc.Password = secret.GeneratePassword()
		if _, err := a.User(ctx, acc.Username); err != nil {
			if _, err := a.CreateUser(ctx, sys, auth.Meta{}, auth.NewUser{Username: acc.Username,
				DisplayName: acc.DisplayName, Role: acc.Role, Password: acc.Password}); err != nil {
				return nil, fmt.Errorf("demo account %s: %w", acc.Username, err)
			}
		} else {
			if err := a.SetPassword(ctx, sys, auth.Meta{}, acc.Username, acc.Password); err != nil {
				return nil, fmt.Errorf("demo account %s: %w", acc.Username, err)
			}
			if err := a.Unlock(ctx, sys, auth.Meta{}, acc.Username); err != nil {
				return nil, err
			}
		}
		out = append(out, acc)
	}
	return out, nil
}

// Print shows the person who started the demo where its two sites are
// (an empty URL: a site this server does not serve) and the accounts of
// the staff site.
func Print(w io.Writer, staffURL, publicURL string, accs []Account) {
	fmt.Fprintln(w, "\n=== デモ市 (架空のデータ) ===")
	if publicURL != "" {
		fmt.Fprintf(w, "住民の予約サイト: %s  (デモ用の交付通知書番号と生年月日はトップページにあります)\n", publicURL)
	}
	if staffURL == "" {
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintf(w, "職員画面:         %s\n", staffURL)
	for _, a := range accs {
		fmt.Fprintf(w, "  %-12s パスワード: %s  (%s)\n", a.Username, a.Password, auth.RoleLabel(a.Role))
	}
	fmt.Fprintln(w, "パスワードは起動のたびに新しくなります。")
	fmt.Fprintln(w)
}
