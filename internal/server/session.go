package server

import (
	"net/http"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
)

// Cookie names: over HTTPS the __Host- prefix pins the cookie to this host
// and path "/" and forces Secure.
const (
	cookieSecure = "__Host-kofu_session"
	cookiePlain  = "kofu_session"
)

// Set stores the session ID in the cookie. The ID is new at every login.
func (s *Server) Set(w http.ResponseWriter, r *http.Request, sid string) {
	name := cookiePlain
	if s.isHTTPS(r) {
		name = cookieSecure
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: sid, Path: "/", HttpOnly: true, Secure: s.isHTTPS(r),
		SameSite: http.SameSiteLaxMode})
}

// Clear removes the session cookie.
func (s *Server) Clear(w http.ResponseWriter, r *http.Request) {
	for _, name := range []string{cookieSecure, cookiePlain} {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
			Secure: name == cookieSecure, SameSite: http.SameSiteLaxMode})
	}
}

// Principal resolves the caller from a bearer token or the session cookie.
func (s *Server) Principal(r *http.Request) (auth.Principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return auth.Principal{}, apperr.New(apperr.Unauthenticated, "Authorization ヘッダーは Bearer 形式で指定してください。")
		}
		return s.auth.AuthenticateToken(r.Context(), token)
	}
	for _, name := range []string{cookieSecure, cookiePlain} {
		if c, err := r.Cookie(name); err == nil && c.Value != "" {
			return s.auth.Authenticate(r.Context(), c.Value)
		}
	}
	return auth.Principal{}, auth.ErrNoSession
}
