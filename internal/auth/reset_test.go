package auth

import (
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// An admin's password reset is for an account that may be in the wrong
// hands: it revokes the account's API tokens as well as its sessions, and
// says so in the audit log. The user's own password change leaves them.
func TestPasswordResetRevokesTheUsersTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.mustUser(t, "tanaka", RoleStaff)
		f.mustUser(t, "sato", RoleStaff)
		mine, _, err := f.svc.CreateToken(ctx, System("test"), Meta{}, "tanaka", "連携 1")
		if err != nil {
			t.Fatal(err)
		}
		other, _, err := f.svc.CreateToken(ctx, System("test"), Meta{}, "sato", "連携 2")
		if err != nil {
			t.Fatal(err)
		}
		p, _, err := f.svc.Login(ctx, Meta{}, "tanaka", goodPassword, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.ChangeOwnPassword(ctx, p, Meta{}, goodPassword, goodPassword+"-new"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AuthenticateToken(ctx, mine); err != nil {
			t.Fatalf("the user's own change must leave the tokens: %v", err)
		}
		if _, err := f.svc.ResetPassword(ctx, System("admin"), Meta{}, "tanaka"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AuthenticateToken(ctx, mine); err == nil {
			t.Fatal("a token of the reset account still works")
		}
		if _, err := f.svc.AuthenticateToken(ctx, other); err != nil {
			t.Fatalf("another user's token: %v", err)
		}
		var detail string
		db.View(ctx, func(tx *store.Tx) error {
			return tx.EachAudit(ctx, func(e audit.Entry) error {
				if e.Action == "auth.password_reset" {
					detail = e.Detail
				}
				return nil
			})
		})
		if !strings.Contains(detail, `"tokens_revoked":1`) {
			t.Fatalf("reset entry %s", detail)
		}
	})
}
