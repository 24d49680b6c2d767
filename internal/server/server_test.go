package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/app"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/logx"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var ctx = context.Background()

const password = "umi-no-mieru-machi-7"

type harness struct {
	t   *testing.T
	db  *store.DB
	srv *Server
	ts  *httptest.Server
}

func newHarness(t *testing.T, db *store.DB) *harness {
	t.Helper()
	return newClockHarness(t, db, clock.System{})
}

// login returns the session cookie of the user.
func (h *harness) login(username string) *http.Cookie {
	h.t.Helper()
	res, err := http.Post(h.ts.URL+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"username":"`+username+`","password":"`+password+`"}`))
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		h.t.Fatalf("login %s: %d", username, res.StatusCode)
	}
	for _, c := range res.Cookies() {
		if c.Name == cookiePlain {
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				h.t.Fatalf("session cookie must be HttpOnly and SameSite: %+v", c)
			}
			return c
		}
	}
	h.t.Fatal("no session cookie")
	return nil
}

func (h *harness) do(method, path string, cookie *http.Cookie, body string) *http.Response {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.ts.URL+path, strings.NewReader(body))
	if cookie != nil {
		req.AddCookie(cookie)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { res.Body.Close() })
	return res
}

// concrete fills path parameters with values that exist in the harness.
func concrete(path string) string {
	r := strings.NewReplacer("{username}", "viewer1", "{id}", "1", "{name}", "missing.css", "{$}", "")
	return r.Replace(path)
}

func TestEveryRouteDeclaresAPolicyAndEnforcesIt(t *testing.T) {
	h := newHarness(t, storetest.MustOpen(t, store.SQLite))
	viewer, staff := h.login("viewer1"), h.login("staff1")
	routes := h.srv.Routes()
	if len(routes) < 20 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	for _, rt := range routes {
		if !rt.Policy.Declared() {
			t.Errorf("%s has no policy", rt.Pattern)
		}
		if rt.Policy.IsPublic() {
			continue
		}
		res := h.do(rt.Method, concrete(rt.Path), nil, "")
		switch {
		case strings.HasPrefix(rt.Path, "/api/"):
			if res.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s without login: want 401, got %d", rt.Pattern, res.StatusCode)
			}
		case res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/staff/login":
			t.Errorf("%s without login: want redirect to login, got %d", rt.Pattern, res.StatusCode)
		}
		mutating := rt.Method != "GET" && rt.Method != "HEAD"
		if mutating && rt.Policy != route.Self {
			if res := h.do(rt.Method, concrete(rt.Path), viewer, ""); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s as viewer: want 403, got %d", rt.Pattern, res.StatusCode)
			}
		}
		if rt.Policy == route.Admin {
			if res := h.do(rt.Method, concrete(rt.Path), staff, ""); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s as staff: want 403, got %d", rt.Pattern, res.StatusCode)
			}
		}
	}
}

func TestNoGetRouteChangesData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		admin := h.login("admin1")
		// Reads are logged (audit_log), keep sessions alive and count against
		// abuse limits (login_attempts, rate_limits); none of that is data.
		skip := []string{"audit_log", "audit_head", "sessions", "login_attempts", "rate_limits"}
		before, err := db.Snapshot(ctx, skip...)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, rt := range h.srv.Routes() {
			if rt.Method != "GET" && rt.Method != "HEAD" {
				continue
			}
			h.do(rt.Method, concrete(rt.Path), admin, "")
			n++
		}
		after, err := db.Snapshot(ctx, skip...)
		if err != nil {
			t.Fatal(err)
		}
		if n < 10 {
			t.Fatalf("only %d GET routes walked", n)
		}
		for table := range after {
			if !reflect.DeepEqual(before[table], after[table]) {
				t.Errorf("GET routes changed table %s:\nbefore %v\nafter  %v", table, before[table], after[table])
			}
		}
	})
}

func TestSecurityHeadersAndHSTS(t *testing.T) {
	h := newHarness(t, storetest.MustOpen(t, store.SQLite))
	res := h.do("GET", "/staff/login", nil, "")
	hd := res.Header
	csp := hd.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("CSP: %q", csp)
	}
	if hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Referrer-Policy") == "" || hd.Get("X-Request-Id") == "" {
		t.Fatalf("headers missing: %v", hd)
	}
	if hd.Get("Strict-Transport-Security") != "" {
		t.Fatal("no HSTS over plain HTTP")
	}
	req, _ := http.NewRequest("GET", h.ts.URL+"/healthz", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	res2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if res2.Header.Get("Strict-Transport-Security") == "" {
		t.Fatal("HSTS expected behind a trusted TLS proxy")
	}
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	h := newHarness(t, storetest.MustOpen(t, store.SQLite))
	req, _ := http.NewRequest("POST", h.ts.URL+"/staff/login", strings.NewReader("username=admin1&password="+password))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden || len(res.Cookies()) != 0 {
		t.Fatalf("cross-site login post: want 403 without cookie, got %d", res.StatusCode)
	}
}

func TestErrorsAreCodedAndRevealNothing(t *testing.T) {
	h := newHarness(t, storetest.MustOpen(t, store.SQLite))
	admin := h.login("admin1")
	cases := []struct {
		method, path, body string
		status             int
		code               string
	}{
		{"POST", "/api/v1/auth/login", `{"username":`, 422, "invalid"},
		{"POST", "/api/v1/auth/login", `{"username":"admin1","password":"nope"}`, 401, "unauthenticated"},
		{"POST", "/api/v1/users", `{"username":"admin1","role":"staff"}`, 422, "invalid"},
		{"POST", "/api/v1/users/nobody/lock", ``, 404, "not_found"}, // the message names the user
		{"PUT", "/api/v1/settings/security", `{"lockout_threshold":0}`, 422, "invalid"},
	}
	for _, c := range cases {
		res := h.do(c.method, c.path, admin, c.body)
		var body struct {
			Error struct{ Code, Message string }
		}
		raw, _ := io.ReadAll(res.Body)
		json.Unmarshal(raw, &body)
		if res.StatusCode != c.status || body.Error.Code != c.code || body.Error.Message == "" ||
			(c.code == "not_found" && !strings.Contains(body.Error.Message, "nobody")) {
			t.Errorf("%s %s: want %d %s, got %d %s", c.method, c.path, c.status, c.code, res.StatusCode, raw)
		}
		for _, leak := range []string{"goroutine", "SQL", "sqlite", "pgx", ".go:", "/work/"} {
			if strings.Contains(string(raw), leak) {
				t.Errorf("%s %s leaks %q: %s", c.method, c.path, leak, raw)
			}
		}
	}
}

func TestOperationsEndpoints(t *testing.T) {
	h := newHarness(t, storetest.MustOpen(t, store.SQLite))
	h.login("admin1")
	h.do("POST", "/api/v1/auth/login", nil, `{"username":"admin1","password":"wrong"}`)
	// /metrics is not on the listener that faces residents (issue #14).
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/static/": 404, "/static/nothing.css": 404, "/metrics": 404} {
		if res := h.do("GET", path, nil, ""); res.StatusCode != want {
			t.Errorf("%s: want %d, got %d", path, want, res.StatusCode)
		}
	}
	rec := httptest.NewRecorder()
	h.srv.Metrics().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	text := rec.Body.String()
	for _, want := range []string{`kofu_http_requests_total{code="200",route="POST /api/v1/auth/login"} 1`,
		`kofu_logins_total{result="ok"} 1`, `kofu_logins_total{result="failed"} 1`,
		"kofu_http_request_duration_seconds_bucket", "go_sql_open_connections"} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func sitesRoutes(t *testing.T, sites string) []route.Route {
	db := storetest.MustOpen(t, store.SQLite)
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	srv, err := build(app.Deps{Config: &config.Config{Location: tokyo, Sites: sites}, DB: db,
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Auth: auth.NewService(db, clock.System{}, secret.TestParams(), ""), Clock: clock.System{}})
	if err != nil {
		t.Fatal(err)
	}
	return srv.Routes()
}

func isStaffRoute(path string) bool {
	return strings.HasPrefix(path, "/staff") || (strings.HasPrefix(path, "/api/v1/") && !strings.HasPrefix(path, "/api/v1/public/"))
}

func TestSplitSitesServeOnlyTheirRoutes(t *testing.T) {
	for _, rt := range sitesRoutes(t, "public") {
		if isStaffRoute(rt.Path) {
			t.Errorf("public site registers staff route %s", rt.Pattern)
		}
	}
	for _, rt := range sitesRoutes(t, "staff") {
		if rt.Policy.IsPublic() && !isStaffRoute(rt.Path) && !strings.HasPrefix(rt.Path, "/static/") &&
			rt.Path != "/healthz" && rt.Path != "/readyz" {
			t.Errorf("staff site registers citizen route %s", rt.Pattern)
		}
	}
}

func TestLogLinesCarryTheRequestID(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	var logs strings.Builder
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	srv, err := build(app.Deps{Config: &config.Config{Location: tokyo, Sites: "all"}, DB: db, Log: logx.New(&logs, slog.LevelInfo),
		Auth: auth.NewService(db, clock.System{}, secret.TestParams(), ""), Clock: clock.System{}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz?name=山田", nil))
	id := rec.Header().Get("X-Request-Id")
	var line map[string]any
	if err := json.Unmarshal([]byte(logs.String()), &line); err != nil {
		t.Fatalf("log is not one JSON line: %q", logs.String())
	}
	if id == "" || line["request_id"] != id || line["route"] != "GET /healthz" || strings.Contains(logs.String(), "山田") {
		t.Fatalf("log line %v (request id %q; the query must not be logged)", line, id)
	}
}
