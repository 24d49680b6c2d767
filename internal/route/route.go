// Package route is the one place where HTTP routes are registered. Every
// route declares who may call it; the router enforces it before the handler
// runs, so a handler cannot forget.
package route

import (
	"net/http"
	"sort"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
)

// Policy says who may call a route. The zero Policy is "undeclared" and
// refused at registration.
type Policy struct {
	Name         string
	public       bool
	minRole      string
	restrictedOK bool // usable before a forced password change / TOTP enrolment
}

// The policies.
var (
	// Public: anyone, no login.
	Public = Policy{Name: "public", public: true}
	// Self: any logged-in staff member acting on their own account, even
	// when a password change or TOTP enrolment is pending.
	Self = Policy{Name: "self", minRole: auth.RoleViewer, restrictedOK: true}
	// AnyStaff: any logged-in staff member, reading.
	AnyStaff = Policy{Name: "any_staff", minRole: auth.RoleViewer}
	// Staff: staff and admins; the viewer role changes nothing.
	Staff = Policy{Name: "staff", minRole: auth.RoleStaff}
	// Admin: administrators only.
	Admin = Policy{Name: "admin", minRole: auth.RoleAdmin}
	// Device: a registered kiosk or display, or a staff member. The router
	// lets the request through; the handler authenticates the device's
	// credential (counter devices are no staff principals) or the staff
	// member, and refuses anyone else.
	Device = Policy{Name: "device", public: true}
)

// Declared reports whether the policy was chosen on purpose.
func (p Policy) Declared() bool { return p.Name != "" }

// IsPublic reports whether the route needs no login.
func (p Policy) IsPublic() bool { return p.public }

// MinRole is the least role that may call the route ("" when public).
func (p Policy) MinRole() string { return p.minRole }

// Route is a registered route.
type Route struct {
	Pattern string // "METHOD /path/{param}"
	Method  string
	Path    string
	Policy  Policy
}

// Authenticator resolves the caller of a request.
type Authenticator interface {
	Principal(r *http.Request) (auth.Principal, error)
}

// Router registers routes with their policies on a ServeMux.
type Router struct {
	mux    *http.ServeMux
	routes []Route
	authn  Authenticator
	deny   func(w http.ResponseWriter, r *http.Request, err error)
}

// New returns a router. deny writes the answer when a policy refuses a
// request (JSON for the API, a page or a redirect for HTML).
func New(authn Authenticator, deny func(w http.ResponseWriter, r *http.Request, err error)) *Router {
	return &Router{mux: http.NewServeMux(), authn: authn, deny: deny}
}

// Handle registers a route. A pattern without a method, or a mutating
// route open to viewers, is a programming error.
func (rt *Router) Handle(pattern string, p Policy, h http.HandlerFunc) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || method == "" {
		panic("route: pattern needs a method: " + pattern)
	}
	if !p.Declared() {
		panic("route: no policy declared for " + pattern)
	}
	if mutating(method) && p == AnyStaff {
		panic("route: viewers change nothing; use Staff, Admin or Self for " + pattern)
	}
	rt.routes = append(rt.routes, Route{Pattern: pattern, Method: method, Path: path, Policy: p})
	rt.mux.Handle(pattern, rt.guard(p, h))
}

func mutating(method string) bool { return method != http.MethodGet && method != http.MethodHead }

// Routes lists the registered routes, sorted by pattern.
func (rt *Router) Routes() []Route {
	out := append([]Route(nil), rt.routes...)
	sort.Slice(out, func(i, j int) bool { return out[i].Pattern < out[j].Pattern })
	return out
}

// ServeHTTP dispatches to the matching route.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) { rt.mux.ServeHTTP(w, r) }

// guard enforces the policy and puts the principal into the context.
func (rt *Router) guard(p Policy, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.public {
			h(w, r)
			return
		}
		pr, err := rt.authn.Principal(r)
		if err != nil {
			rt.deny(w, r, err)
			return
		}
		if pr.Restricted() && !p.restrictedOK {
			code := apperr.PasswordChangeRequired
			msg := "パスワードを変更してから操作してください。"
			if !pr.MustChangePassword {
				code, msg = apperr.TOTPRequired, "二要素認証を設定してから操作してください。"
			}
			rt.deny(w, WithPrincipal(r, pr), apperr.New(code, msg))
			return
		}
		if !auth.AtLeast(pr.Role, p.minRole) {
			rt.deny(w, WithPrincipal(r, pr), apperr.New(apperr.Forbidden, "この操作を行う権限がありません。"))
			return
		}
		h(w, WithPrincipal(r, pr))
	})
}
