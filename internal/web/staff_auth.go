package web

import (
	"net/http"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/route"
)

// RegisterStaff adds the staff pages.
func (ui *UI) RegisterStaff(rt *route.Router) {
	rt.Handle("GET /staff/login", route.Public, ui.loginPage)
	rt.Handle("POST /staff/login", route.Public, ui.login)
	rt.Handle("POST /staff/logout", route.Self, ui.logout)
	rt.Handle("GET /staff/{$}", route.AnyStaff, ui.home)
	rt.Handle("GET /staff/password", route.Self, ui.passwordPage)
	rt.Handle("POST /staff/password", route.Self, ui.changePassword)
	rt.Handle("GET /staff/totp", route.Self, ui.totpPage)
	rt.Handle("POST /staff/totp/begin", route.Self, ui.totpBegin)
	rt.Handle("POST /staff/totp/confirm", route.Self, ui.totpConfirm)
	ui.registerAdmin(rt)
	ui.registerCards(rt)
	ui.registerImports(rt)
	ui.registerGaiji(rt)
	ui.registerScanMode(rt)
}

func (ui *UI) loginPage(w http.ResponseWriter, r *http.Request) {
	v := view{Title: "ログイン"}
	if r.URL.Query().Get("done") == "logout" {
		v.Notice = "ログアウトしました。"
	}
	ui.render(w, r, http.StatusOK, "login", v)
}

func (ui *UI) login(w http.ResponseWriter, r *http.Request) {
	username := r.PostFormValue("username")
	p, sid, err := ui.Auth.Login(r.Context(), route.MetaOf(r), username, r.PostFormValue("password"), r.PostFormValue("otp"))
	if ui.Logins != nil && !apperr.Is(err, apperr.RateLimited) {
		ui.Logins.Login(err == nil)
	}
	if err != nil {
		ui.render(w, r, statusFor(err), "login", view{Title: "ログイン", Error: apperr.MessageOf(err), Data: username})
		return
	}
	ui.Session.Set(w, r, sid)
	switch {
	case p.MustChangePassword:
		http.Redirect(w, r, "/staff/password", http.StatusSeeOther)
	case p.NeedsTOTP:
		http.Redirect(w, r, "/staff/totp", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/staff/", http.StatusSeeOther)
	}
}

func (ui *UI) logout(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	if err := ui.Auth.Logout(r.Context(), p, route.MetaOf(r)); err != nil {
		ui.ErrorPage(w, r, err)
		return
	}
	ui.Session.Clear(w, r)
	http.Redirect(w, r, "/staff/login?done=logout", http.StatusSeeOther)
}

func (ui *UI) home(w http.ResponseWriter, r *http.Request) {
	ui.render(w, r, http.StatusOK, "home", view{Title: "ホーム"})
}

// passwordView shows the password form with the policy's minimum length.
func (ui *UI) passwordView(r *http.Request) view {
	st, err := ui.Auth.Settings(r.Context())
	if err != nil {
		st = auth.DefaultSettings()
	}
	return view{Title: "パスワード変更", Data: st.PasswordMinLength}
}

func (ui *UI) passwordPage(w http.ResponseWriter, r *http.Request) {
	v := ui.passwordView(r)
	if r.URL.Query().Get("done") == "1" {
		v.Notice = "パスワードを変更しました。"
	}
	ui.render(w, r, http.StatusOK, "password", v)
}

func (ui *UI) changePassword(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	next := r.PostFormValue("new_password")
	if next != r.PostFormValue("new_password_confirm") {
		v := ui.passwordView(r)
		v.Error, v.Fields = "確認用のパスワードが一致しません。", map[string]string{"new_password_confirm": "一致しません。"}
		ui.render(w, r, http.StatusUnprocessableEntity, "password", v)
		return
	}
	if err := ui.Auth.ChangeOwnPassword(r.Context(), p, route.MetaOf(r), r.PostFormValue("current_password"), next); err != nil {
		ui.render(w, r, statusFor(err), "password", withError(ui.passwordView(r), err))
		return
	}
	if p.NeedsTOTP {
		http.Redirect(w, r, "/staff/totp", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/staff/password?done=1", http.StatusSeeOther)
}

type totpView struct {
	Secret        string
	URL           string
	RecoveryCodes []string
}

func (ui *UI) totpPage(w http.ResponseWriter, r *http.Request) {
	ui.render(w, r, http.StatusOK, "totp", view{Title: "二要素認証", Data: totpView{}})
}

func (ui *UI) totpBegin(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	sec, url, err := ui.Auth.BeginTOTP(r.Context(), p, route.MetaOf(r))
	if err != nil {
		ui.render(w, r, statusFor(err), "totp", withError(view{Title: "二要素認証", Data: totpView{}}, err))
		return
	}
	ui.render(w, r, http.StatusOK, "totp", view{Title: "二要素認証", Data: totpView{Secret: sec, URL: url}})
}

func (ui *UI) totpConfirm(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	codes, err := ui.Auth.ConfirmTOTP(r.Context(), p, route.MetaOf(r), r.PostFormValue("code"))
	if err != nil {
		ui.render(w, r, statusFor(err), "totp", withError(view{Title: "二要素認証",
			Data: totpView{Secret: r.PostFormValue("secret")}}, err))
		return
	}
	p.TOTPEnabled, p.NeedsTOTP = true, false
	r = route.WithPrincipal(r, p)
	ui.render(w, r, http.StatusOK, "totp", view{Title: "二要素認証", Notice: "二要素認証を有効にしました。",
		Data: totpView{RecoveryCodes: codes}})
}
