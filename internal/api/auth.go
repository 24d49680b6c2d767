package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
)

// LoginCounter counts login outcomes for /metrics.
type LoginCounter interface{ Login(ok bool) }

// Handlers holds what the JSON handlers need.
type Handlers struct {
	Auth    *auth.Service
	Session SessionCookies
	Logins  LoginCounter
}

// SessionCookies sets and clears the staff session cookie.
type SessionCookies interface {
	Set(w http.ResponseWriter, r *http.Request, sid string)
	Clear(w http.ResponseWriter, r *http.Request)
}

// Register adds the API routes.
func (h *Handlers) Register(rt *route.Router) {
	rt.Handle("POST /api/v1/auth/login", route.Public, h.login)
	rt.Handle("POST /api/v1/auth/logout", route.Self, h.logout)
	rt.Handle("GET /api/v1/auth/me", route.Self, h.me)
	rt.Handle("POST /api/v1/auth/password", route.Self, h.changePassword)
	rt.Handle("POST /api/v1/auth/totp/begin", route.Self, h.totpBegin)
	rt.Handle("POST /api/v1/auth/totp/confirm", route.Self, h.totpConfirm)

	rt.Handle("GET /api/v1/users", route.Admin, h.users)
	rt.Handle("POST /api/v1/users", route.Admin, h.createUser)
	rt.Handle("POST /api/v1/users/{username}/lock", route.Admin, h.userAction(h.Auth.Lock))
	rt.Handle("POST /api/v1/users/{username}/unlock", route.Admin, h.userAction(h.Auth.Unlock))
	rt.Handle("POST /api/v1/users/{username}/end-sessions", route.Admin, h.userAction(h.Auth.EndSessions))
	rt.Handle("POST /api/v1/users/{username}/disable-totp", route.Admin, h.userAction(h.Auth.DisableTOTP))
	rt.Handle("POST /api/v1/users/{username}/reset-password", route.Admin, h.resetPassword)
	rt.Handle("PUT /api/v1/users/{username}/role", route.Admin, h.setRole)

	rt.Handle("GET /api/v1/tokens", route.Admin, h.tokens)
	rt.Handle("POST /api/v1/tokens", route.Admin, h.createToken)
	rt.Handle("DELETE /api/v1/tokens/{id}", route.Admin, h.revokeToken)

	rt.Handle("GET /api/v1/settings/security", route.Admin, h.securitySettings)
	rt.Handle("PUT /api/v1/settings/security", route.Admin, h.saveSecuritySettings)
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	OTP      string `json:"otp"`
}

func (h *Handlers) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, err)
		return
	}
	p, sid, err := h.Auth.Login(r.Context(), route.MetaOf(r), req.Username, req.Password, req.OTP)
	if h.Logins != nil && !apperr.Is(err, apperr.RateLimited) {
		h.Logins.Login(err == nil)
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	h.Session.Set(w, r, sid)
	WriteJSON(w, http.StatusOK, map[string]any{"user": p})
}

func (h *Handlers) logout(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	if p.Via == "session" {
		if err := h.Auth.Logout(r.Context(), p, route.MetaOf(r)); err != nil {
			WriteError(w, r, err)
			return
		}
	}
	h.Session.Clear(w, r)
	WriteJSON(w, http.StatusOK, map[string]any{"ok": true})
}

func (h *Handlers) me(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	WriteJSON(w, http.StatusOK, map[string]any{"user": p})
}

func (h *Handlers) changePassword(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	if err := h.Auth.ChangeOwnPassword(r.Context(), p, route.MetaOf(r), req.Current, req.New); err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"ok": true})
}

func (h *Handlers) totpBegin(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	sec, url, err := h.Auth.BeginTOTP(r.Context(), p, route.MetaOf(r))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"secret": sec, "otpauth_url": url})
}

func (h *Handlers) totpConfirm(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Code string `json:"code"`
	}
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	codes, err := h.Auth.ConfirmTOTP(r.Context(), p, route.MetaOf(r), req.Code)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"recovery_codes": codes})
}

// userJSON is the API view of an account (never the hash or secret).
type userJSON struct {
	ID                 int64      `json:"id"`
	Username           string     `json:"username"`
	DisplayName        string     `json:"display_name"`
	Role               string     `json:"role"`
	Locked             bool       `json:"locked"`
	LockedUntil        *time.Time `json:"locked_until,omitempty"`
	FailedLogins       int        `json:"failed_logins"`
	MustChangePassword bool       `json:"must_change_password"`
	TOTPEnabled        bool       `json:"totp_enabled"`
	CreatedAt          time.Time  `json:"created_at"`
}

func toUserJSON(u store.User, now time.Time) userJSON {
	j := userJSON{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role,
		Locked: u.AdminLocked || now.Before(u.LockedUntil), FailedLogins: u.FailedLogins,
		MustChangePassword: u.MustChangePassword, TOTPEnabled: u.TOTPEnabled, CreatedAt: u.CreatedAt}
	if now.Before(u.LockedUntil) {
		j.LockedUntil = &u.LockedUntil
	}
	return j
}

func (h *Handlers) users(w http.ResponseWriter, r *http.Request) {
	us, err := h.Auth.Users(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	out := make([]userJSON, 0, len(us))
	for _, u := range us {
		out = append(out, toUserJSON(u, h.Auth.Now()))
	}
	WriteJSON(w, http.StatusOK, map[string]any{"users": out})
}

func (h *Handlers) createUser(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Username    string `json:"username"`
		DisplayName string `json:"display_name"`
		Role        string `json:"role"`
	}
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	pw, err := h.Auth.CreateUser(r.Context(), p, route.MetaOf(r), auth.NewUser{Username: req.Username, DisplayName: req.DisplayName, Role: req.Role})
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, map[string]any{"username": strings.ToLower(strings.TrimSpace(req.Username)), "one_time_password": pw})
}

func (h *Handlers) userAction(fn func(ctx context.Context, p auth.Principal, m auth.Meta, username string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, _ := route.PrincipalOf(r)
		if err := fn(r.Context(), p, route.MetaOf(r), r.PathValue("username")); err != nil {
			WriteError(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, map[string]any{"ok": true})
	}
}

func (h *Handlers) resetPassword(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	pw, err := h.Auth.ResetPassword(r.Context(), p, route.MetaOf(r), r.PathValue("username"))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"one_time_password": pw})
}

func (h *Handlers) setRole(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Role string `json:"role"`
	}
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	if err := h.Auth.SetRole(r.Context(), p, route.MetaOf(r), r.PathValue("username"), req.Role); err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"ok": true})
}

type tokenJSON struct {
	ID         int64      `json:"id"`
	Username   string     `json:"username"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	Revoked    bool       `json:"revoked"`
}

func (h *Handlers) tokens(w http.ResponseWriter, r *http.Request) {
	ts, err := h.Auth.Tokens(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	out := make([]tokenJSON, 0, len(ts))
	for _, t := range ts {
		j := tokenJSON{ID: t.ID, Username: t.Username, Name: t.Name, CreatedAt: t.CreatedAt, Revoked: !t.RevokedAt.IsZero()}
		if !t.LastUsedAt.IsZero() {
			j.LastUsedAt = &t.LastUsedAt
		}
		out = append(out, j)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"tokens": out})
}

func (h *Handlers) createToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Username string `json:"username"`
		Name     string `json:"name"`
	}
	if err := decode(w, r, &req); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	token, tok, err := h.Auth.CreateToken(r.Context(), p, route.MetaOf(r), req.Username, req.Name)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, map[string]any{"id": tok.ID, "token": token})
}

func (h *Handlers) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		WriteError(w, r, apperr.New(apperr.NotFound, "トークンが見つかりません。"))
		return
	}
	p, _ := route.PrincipalOf(r)
	if err := h.Auth.RevokeToken(r.Context(), p, route.MetaOf(r), id); err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"ok": true})
}

func (h *Handlers) securitySettings(w http.ResponseWriter, r *http.Request) {
	st, err := h.Auth.Settings(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, st)
}

func (h *Handlers) saveSecuritySettings(w http.ResponseWriter, r *http.Request) {
	var st auth.Settings
	if err := decode(w, r, &st); err != nil {
		WriteError(w, r, err)
		return
	}
	p, _ := route.PrincipalOf(r)
	if err := h.Auth.SaveSettings(r.Context(), p, route.MetaOf(r), st); err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, st)
}
