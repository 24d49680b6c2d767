package server

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/platform"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// platformCity is one city of the test platform, with a staff token.
type platformCity struct {
	host, token, notice string
}

// newTestPlatform registers two cities on the engine (catalog and cities'
// databases alike), each with a card and an admin's API token, and serves
// the platform.
func newTestPlatform(t testing.TB, e store.Engine, clk clock.Clock) (*Platform, *platform.Service, *httptest.Server, [2]platformCity) {
	t.Helper()
	cat, err := store.OpenCatalog(t.Context(), storetest.MustDSN(t, e))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	svc := platform.New(cat, t.TempDir(), clk)
	cities := [2]platformCity{{host: "sanda.test", notice: "A1B-000001"}, {host: "sabae.test", notice: "B2C-000002"}}
	for i, in := range []platform.CityInput{{Code: "282197", Slug: "sanda", Name: "三田市", Host: "sanda.test"},
		{Code: "182079", Slug: "sabae", Name: "鯖江市", Host: "sabae.test"}} {
		if e == store.Postgres {
			in.DB = storetest.MustDSN(t, e)
		}
		row, err := svc.Add(t.Context(), "op", in)
		if err != nil {
			t.Fatal(err)
		}
		db, err := platform.OpenCity(t.Context(), row)
		if err != nil {
			t.Fatal(err)
		}
		ledgertest.MustCard(t, db, ledgertest.Seed{App: i + 1, Notice: cities[i].notice, Status: card.StatusNoticeSent})
		a := auth.NewService(db, clk, secret.TestParams(), "Kofu")
		sys := auth.System("test")
		if _, err := a.CreateUser(t.Context(), sys, auth.Meta{}, auth.NewUser{Username: "admin1", Role: auth.RoleAdmin, Password: password}); err != nil {
			t.Fatal(err)
		}
		if cities[i].token, _, err = a.CreateToken(t.Context(), sys, auth.Meta{}, "admin1", "test"); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	p := NewPlatform(PlatformDeps{Cities: svc, Config: &config.Config{Location: tokyo, Sites: "all", BaseURL: "https://platform.test"},
		Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Hash: secret.TestParams()})
	ts := httptest.NewServer(p)
	t.Cleanup(func() { ts.Close(); p.closeAll() })
	return p, svc, ts, cities
}

// call sends a request to the platform under a host name.
func call(t *testing.T, ts *httptest.Server, host, method, path, token string, cookie *http.Cookie) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, nil)
	req.Host = host
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// TestPlatformKeepsCitiesApart: each city answers on its host with its own
// data; a city's token is refused under the other's host, and its card
// cannot be found there; an unknown host is 404 and a suspended city shows
// the maintenance page.
func TestPlatformKeepsCitiesApart(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			p, svc, ts, c := newTestPlatform(t, e, clock.System{})
			for i, own := range c {
				other := c[1-i]
				if res := call(t, ts, own.host, "GET", "/", "", nil); res.StatusCode != 200 {
					t.Fatalf("%s top page: %d", own.host, res.StatusCode)
				}
				if n := cardsFound(t, call(t, ts, own.host, "GET", "/api/v1/cards?notice_number="+own.notice, own.token, nil)); n != 1 {
					t.Fatalf("%s finds %d of its own cards", own.host, n)
				}
				if n := cardsFound(t, call(t, ts, own.host, "GET", "/api/v1/cards?notice_number="+other.notice, own.token, nil)); n != 0 {
					t.Fatalf("%s finds the other city's card", own.host)
				}
				if res := call(t, ts, other.host, "GET", "/api/v1/cards?notice_number="+own.notice, own.token, nil); res.StatusCode != 401 {
					t.Fatalf("%s's token under %s: %d, want 401", own.host, other.host, res.StatusCode)
				}
			}
			if res := call(t, ts, "nowhere.test", "GET", "/", "", nil); res.StatusCode != 404 {
				t.Fatalf("unknown host: %d", res.StatusCode)
			}
			if err := svc.Suspend(t.Context(), "op", "sabae"); err != nil {
				t.Fatal(err)
			}
			p.Refresh() // as catalogTTL passing would
			res := call(t, ts, "sabae.test", "GET", "/", "", nil)
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != 503 || res.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "鯖江市") {
				t.Fatalf("suspended city: %d %q", res.StatusCode, body)
			}
			if res := call(t, ts, "sanda.test", "GET", "/", "", nil); res.StatusCode != 200 {
				t.Fatalf("the other city while one is suspended: %d", res.StatusCode)
			}
		})
	}
}

// TestPlatformSessionOfOneCityIsNotAnother logs in on one city and sends
// its session cookie to the other.
func TestPlatformSessionOfOneCityIsNotAnother(t *testing.T) {
	storetest.One(t, func(t *testing.T, db *store.DB) {
		_, _, ts, c := newTestPlatform(t, db.Engine, clock.System{})
		session := loginOn(t, ts, c[0].host)
		if res := call(t, ts, c[0].host, "GET", "/api/v1/cards", "", session); res.StatusCode != 200 {
			t.Fatalf("own session: %d", res.StatusCode)
		}
		if res := call(t, ts, c[1].host, "GET", "/api/v1/cards", "", session); res.StatusCode != 401 {
			t.Fatalf("a session of %s under %s: %d, want 401", c[0].host, c[1].host, res.StatusCode)
		}
	})
}

// TestPlatformClosesIdleCities opens a city, lets it idle and checks it is
// closed, then served again on the next request.
func TestPlatformClosesIdleCities(t *testing.T) {
	storetest.One(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(time.Now())
		p, _, ts, c := newTestPlatform(t, db.Engine, clk)
		call(t, ts, c[0].host, "GET", "/", "", nil)
		call(t, ts, c[1].host, "GET", "/", "", nil)
		if p.Open() != 2 {
			t.Fatalf("%d cities open, want 2", p.Open())
		}
		if n := p.CloseIdle(); n != 0 {
			t.Fatalf("closed %d cities that were just used", n)
		}
		clk.Advance(16 * time.Minute)
		if n := p.CloseIdle(); n != 2 || p.Open() != 0 {
			t.Fatalf("closed %d, %d still open", n, p.Open())
		}
		if res := call(t, ts, c[0].host, "GET", "/", "", nil); res.StatusCode != 200 || p.Open() != 1 {
			t.Fatalf("reopened: %d, %d open", res.StatusCode, p.Open())
		}
	})
}

func cardsFound(t *testing.T, res *http.Response) int {
	t.Helper()
	if res.StatusCode != 200 {
		t.Fatalf("card search: %d", res.StatusCode)
	}
	var body struct {
		Total int `json:"total"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body.Total
}

// TestPlatformRoutesRefuseAnotherCitysCredentials calls every staff, API
// and device route under one city's host name with the other city's admin
// token and with its session: each turns the caller away (401, or the staff
// pages' redirect to their login) and the city's audit chain (which records
// every change) does not move.
func TestPlatformRoutesRefuseAnotherCitysCredentials(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			_, svc, ts, c := newTestPlatform(t, e, clock.System{})
			session := loginOn(t, ts, c[0].host)
			before := auditHead(t, svc, "sabae")
			checked := 0
			for _, rt := range sitesRoutes(t, "all") {
				if (rt.Policy.IsPublic() && rt.Policy != route.Device) || rt.Pattern == "GET /staff/device/pair" {
					continue // open to anyone: the citizen site, and the page where a new device enters its pairing code
				}
				path := concretePath(rt.Path)
				for _, cred := range []struct {
					token  string
					cookie *http.Cookie
				}{{token: c[0].token}, {cookie: session}} {
					res := callWithBody(t, ts, c[1].host, rt.Method, path, cred.token, cred.cookie)
					if !refused(res) {
						t.Errorf("%s %s under %s with %s's credential: %d %s, want 401 or the login page", rt.Method, path,
							c[1].host, c[0].host, res.StatusCode, res.Header.Get("Location"))
					}
				}
				checked++
			}
			if checked < 100 {
				t.Fatalf("only %d routes checked", checked)
			}
			if after := auditHead(t, svc, "sabae"); after != before {
				t.Fatalf("the other city's audit chain moved: %+v → %+v", before, after)
			}
		})
	}
}

// refused tells whether the answer turns the caller away: 401 from the
// API, a redirect to the login page from the staff pages.
func refused(res *http.Response) bool {
	return res.StatusCode == http.StatusUnauthorized ||
		(res.StatusCode == http.StatusSeeOther && res.Header.Get("Location") == "/staff/login")
}

// concretePath fills a route's wildcards with a plausible value.
func concretePath(p string) string {
	p = strings.ReplaceAll(p, "{$}", "")
	for strings.Contains(p, "{") {
		i, j := strings.Index(p, "{"), strings.Index(p, "}")
		p = p[:i] + "1" + p[j+1:]
	}
	return p
}

func callWithBody(t *testing.T, ts *httptest.Server, host, method, path, token string, cookie *http.Cookie) *http.Response {
	t.Helper()
	var body io.Reader
	if method != "GET" && method != "HEAD" {
		body = strings.NewReader(`{}`)
	}
	req, _ := http.NewRequest(method, ts.URL+path, body)
	req.Host = host
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

func loginOn(t *testing.T, ts *httptest.Server, host string) *http.Cookie {
	t.Helper()
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/auth/login", strings.NewReader(`{"username":"admin1","password":"`+password+`"}`))
	req.Host = host
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.Name == cookiePlain {
			return ck
		}
	}
	t.Fatalf("login on %s: %d, no session", host, res.StatusCode)
	return nil
}

// auditHead reads a city's audit head through its own key.
func auditHead(t *testing.T, svc *platform.Service, city string) audit.Head {
	t.Helper()
	row, err := svc.City(t.Context(), city)
	if err != nil {
		t.Fatal(err)
	}
	db, err := platform.OpenCity(t.Context(), row)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var h audit.Head
	if err := db.View(t.Context(), func(tx *store.Tx) (err error) { h, err = tx.AuditHead(t.Context()); return err }); err != nil {
		t.Fatal(err)
	}
	return h
}
