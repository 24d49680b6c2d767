package server

import (
	"net/http"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/counter"
	"github.com/kofu-oss/kofu/internal/route"
)

// deviceCookie holds a kiosk's or display's credential in its browser.
const deviceCookie = "kofu_device"

// counterCaller resolves the caller of a route.Device route: a device's
// credential (bearer token or the device cookie), else a staff member of
// at least the staff role. A device credential is never a staff
// principal, so a kiosk cannot reach any other route.
func (s *Server) counterCaller(svc *counter.Service) func(*http.Request) (counter.Caller, error) {
	return func(r *http.Request) (counter.Caller, error) {
		token := ""
		if h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && counter.IsDeviceToken(h) {
			token = h
		} else if c, err := r.Cookie(deviceCookie); err == nil && r.Header.Get("Authorization") == "" {
			token = c.Value
		}
		if token != "" {
			d, err := svc.AuthenticateDevice(r.Context(), token)
			if err != nil {
				return counter.Caller{}, err
			}
			return counter.Caller{Actor: counter.DeviceActor(d, route.MetaOf(r)), Device: &d}, nil
		}
		p, err := s.Principal(r)
		if err != nil {
			return counter.Caller{}, err
		}
		if p.Restricted() || !auth.AtLeast(p.Role, auth.RoleStaff) {
			return counter.Caller{}, apperr.New(apperr.Forbidden, "この操作を行う権限がありません。")
		}
		return counter.Caller{Actor: counter.StaffActor(p, route.MetaOf(r))}, nil
	}
}

// SetDevice stores a device's credential in its browser's cookie.
func (s *Server) SetDevice(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.isHTTPS(r),
		SameSite: http.SameSiteLaxMode, MaxAge: 400 * 24 * 3600})
}
