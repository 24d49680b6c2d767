package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auditlog"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
)

func (ui *UI) registerAdmin(rt *route.Router) {
	rt.Handle("GET /staff/users", route.Admin, ui.usersPage)
	rt.Handle("POST /staff/users", route.Admin, ui.createUser)
	rt.Handle("POST /staff/users/{username}/lock", route.Admin, ui.userAction("lock", ui.Auth.Lock))
	rt.Handle("POST /staff/users/{username}/unlock", route.Admin, ui.userAction("unlock", ui.Auth.Unlock))
	rt.Handle("POST /staff/users/{username}/end-sessions", route.Admin, ui.userAction("end-sessions", ui.Auth.EndSessions))
	rt.Handle("POST /staff/users/{username}/disable-totp", route.Admin, ui.userAction("disable-totp", ui.Auth.DisableTOTP))
	rt.Handle("POST /staff/users/{username}/reset-password", route.Admin, ui.resetPassword)
	rt.Handle("POST /staff/users/{username}/role", route.Admin, ui.setRole)
	rt.Handle("POST /staff/tokens/{id}/revoke", route.Admin, ui.revokeToken)
	rt.Handle("GET /staff/audit", route.Admin, ui.auditPage)
	rt.Handle("GET /staff/audit/export.csv", route.Admin, ui.auditExport)
	rt.Handle("GET /staff/settings/security", route.Admin, ui.securityPage)
	rt.Handle("POST /staff/settings/security", route.Admin, ui.saveSecurity)
}

type userRow struct {
	store.User
	Locked bool
}

type usersView struct {
	Users    []userRow
	Tokens   []store.APIToken
	Roles    []string
	Created  string // username whose one-time password is shown
	OneTime  string
	NewInput map[string]string
}

var doneMessages = map[string]string{
	"lock":         "アカウントをロックしました。",
	"unlock":       "ロックを解除しました。",
	"end-sessions": "ログイン中のセッションをすべて終了しました。",
	"disable-totp": "二要素認証を解除しました。",
	"role":         "役割を変更しました。",
	"revoke":       "トークンを失効させました。",
	"saved":        "設定を保存しました。",
}

func (ui *UI) usersView(ctx context.Context) (usersView, error) {
	us, err := ui.Auth.Users(ctx)
	if err != nil {
		return usersView{}, err
	}
	ts, err := ui.Auth.Tokens(ctx)
	if err != nil {
		return usersView{}, err
	}
	now := ui.Auth.Now()
	rows := make([]userRow, len(us))
	for i, u := range us {
		rows[i] = userRow{User: u, Locked: u.AdminLocked || now.Before(u.LockedUntil)}
	}
	return usersView{Users: rows, Tokens: ts, Roles: []string{auth.RoleAdmin, auth.RoleStaff, auth.RoleViewer}}, nil
}

func (ui *UI) usersPage(w http.ResponseWriter, r *http.Request) {
	ui.renderUsers(w, r, http.StatusOK, view{Notice: doneMessages[r.URL.Query().Get("done")]}, nil)
}

// renderUsers shows the user list with v's messages; fill adjusts the data.
func (ui *UI) renderUsers(w http.ResponseWriter, r *http.Request, status int, v view, fill func(*usersView)) {
	data, err := ui.usersView(r.Context())
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	if fill != nil {
		fill(&data)
	}
	v.Title, v.Data = "利用者管理", data
	ui.render(w, r, status, "users", v)
}

func (ui *UI) createUser(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	nu := auth.NewUser{Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"), Role: r.PostFormValue("role")}
	pw, err := ui.Auth.CreateUser(r.Context(), p, route.MetaOf(r), nu)
	if err != nil {
		ui.renderUsers(w, r, statusFor(err), withError(view{}, err), func(d *usersView) {
			d.NewInput = map[string]string{"username": nu.Username, "display_name": nu.DisplayName, "role": nu.Role}
		})
		return
	}
	ui.renderUsers(w, r, http.StatusOK, view{Notice: "利用者を作成しました。"}, func(d *usersView) {
		d.Created, d.OneTime = strings.ToLower(strings.TrimSpace(nu.Username)), pw
	})
}

func (ui *UI) userAction(done string, fn func(context.Context, auth.Principal, auth.Meta, string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, _ := route.PrincipalOf(r)
		if err := fn(r.Context(), p, route.MetaOf(r), r.PathValue("username")); err != nil {
			ui.renderUsers(w, r, statusFor(err), withError(view{}, err), nil)
			return
		}
		http.Redirect(w, r, "/staff/users?done="+done, http.StatusSeeOther)
	}
}

func (ui *UI) resetPassword(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	username := r.PathValue("username")
	pw, err := ui.Auth.ResetPassword(r.Context(), p, route.MetaOf(r), username)
	if err != nil {
		ui.renderUsers(w, r, statusFor(err), withError(view{}, err), nil)
		return
	}
	ui.renderUsers(w, r, http.StatusOK, view{Notice: "仮パスワードを発行しました。"}, func(d *usersView) {
		d.Created, d.OneTime = username, pw
	})
}

func (ui *UI) setRole(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	if err := ui.Auth.SetRole(r.Context(), p, route.MetaOf(r), r.PathValue("username"), r.PostFormValue("role")); err != nil {
		ui.renderUsers(w, r, statusFor(err), withError(view{}, err), nil)
		return
	}
	http.Redirect(w, r, "/staff/users?done=role", http.StatusSeeOther)
}

func (ui *UI) revokeToken(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := ui.Auth.RevokeToken(r.Context(), p, route.MetaOf(r), id); err != nil {
		ui.renderUsers(w, r, statusFor(err), withError(view{}, err), nil)
		return
	}
	http.Redirect(w, r, "/staff/users?done=revoke", http.StatusSeeOther)
}

type auditView struct {
	Entries []audit.Entry
	Total   int
	Query   url.Values
	Export  string
	Prev    string
	Next    string
}

func (ui *UI) auditPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := auditlog.ParseFilter(q, ui.Loc)
	if err != nil {
		ui.render(w, r, statusFor(err), "audit", withError(view{Title: "監査ログ", Data: auditView{Query: q}}, err))
		return
	}
	p, _ := route.PrincipalOf(r)
	pg, err := ui.Audit.Search(r.Context(), p, route.MetaOf(r), f)
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	v := auditView{Entries: pg.Entries, Total: pg.Total, Query: q, Export: "/staff/audit/export.csv?" + q.Encode()}
	if f.Offset > 0 {
		v.Prev = pageLink(q, max(0, f.Offset-f.Limit))
	}
	if f.Offset+f.Limit < pg.Total {
		v.Next = pageLink(q, f.Offset+f.Limit)
	}
	ui.render(w, r, http.StatusOK, "audit", view{Title: "監査ログ", Data: v})
}

func pageLink(q url.Values, offset int) string {
	c := url.Values{}
	for k, v := range q {
		c[k] = v
	}
	c.Set("offset", strconv.Itoa(offset))
	return "/staff/audit?" + c.Encode()
}

func (ui *UI) auditExport(w http.ResponseWriter, r *http.Request) {
	f, err := auditlog.ParseFilter(r.URL.Query(), ui.Loc)
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	export.SetHeaders(w.Header(), "audit-log.csv", export.UTF8)
	if err := ui.Audit.ExportCSV(r.Context(), p, route.MetaOf(r), f, w); err != nil {
		ui.ErrorPage(w, r, err)
	}
}

func (ui *UI) securityPage(w http.ResponseWriter, r *http.Request) {
	st, err := ui.Auth.Settings(r.Context())
	if err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	ui.render(w, r, http.StatusOK, "security", view{Title: "セキュリティ設定", Notice: doneMessages[r.URL.Query().Get("done")], Data: st})
}

func (ui *UI) saveSecurity(w http.ResponseWriter, r *http.Request) {
	st, err := parseSecurityForm(r)
	if err == nil {
		p, _ := route.PrincipalOf(r)
		err = ui.Auth.SaveSettings(r.Context(), p, route.MetaOf(r), st)
	}
	if err != nil {
		ui.render(w, r, statusFor(err), "security", withError(view{Title: "セキュリティ設定", Data: st}, err))
		return
	}
	http.Redirect(w, r, "/staff/settings/security?done=saved", http.StatusSeeOther)
}

// parseSecurityForm reads the settings form; a field that is not a number
// is reported by name.
func parseSecurityForm(r *http.Request) (auth.Settings, error) {
	st := auth.DefaultSettings()
	var fe []apperr.FieldError
	ints := map[string]*int{
		"password_min_length": &st.PasswordMinLength, "password_require_classes": &st.PasswordRequireClasses,
		"password_expiry_days": &st.PasswordExpiryDays, "lockout_threshold": &st.LockoutThreshold,
		"lockout_minutes": &st.LockoutMinutes, "login_throttle_per_minute": &st.LoginThrottlePerMinute,
		"session_idle_minutes": &st.SessionIdleMinutes, "session_absolute_hours": &st.SessionAbsoluteHours,
		"audit_retention_years": &st.AuditRetentionYears,
	}
	for name, dst := range ints {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name)))
		if err != nil {
			fe = append(fe, apperr.FieldError{Field: name, Message: "半角数字で入力してください。"})
			continue
		}
		*dst = n
	}
	for _, line := range strings.Split(r.PostFormValue("password_blocked"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			st.PasswordBlocked = append(st.PasswordBlocked, line)
		}
	}
	st.TOTPRequiredRoles = r.PostForm["totp_required_roles"]
	if len(fe) > 0 {
		return st, apperr.WithFields("入力に誤りがあります。", fe)
	}
	return st, nil
}
