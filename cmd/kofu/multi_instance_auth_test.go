package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// Sessions and lockout counters live in the database, so two instances
// behind a round-robin balancer behave as one: a session made by one is
// honoured by the other, failures on both count towards one lockout, and
// a logout through one ends the session everywhere.
func TestTwoInstancesShareSessionsAndLockout(t *testing.T) {
	if !containsEngine(store.Postgres) {
		t.Skip("KOFU_TEST_ENGINES excludes postgres")
	}
	dsn := migratedDSN(t, store.Postgres)
	const pw = "futatsu-no-server-de"
	for _, u := range []string{"alpha", "beta"} {
		if code, _, errOut := cli(t, pw+"\n", "user", "add", "--db", dsn, "--username", u, "--role", "staff"); code != 0 {
			t.Fatal(errOut)
		}
	}
	a, b := startInstance(t, dsn, clock.System{}), startInstance(t, dsn, clock.System{})
	lb := roundRobin(t, a, b)
	base := lb.URL

	cookie := loginCookie(t, base, "alpha", pw)
	for i := range 4 { // alternates between the two instances
		if status := getWith(t, base+"/api/v1/auth/me", cookie); status != 200 {
			t.Fatalf("request %d with a session from the other instance: %d", i, status)
		}
	}
	for range 6 { // three failures on each instance
		if status, _ := postLogin(t, base, "beta", "wrong-password"); status != 401 {
			t.Fatalf("wrong password: %d", status)
		}
	}
	if status, _ := postLogin(t, base, "beta", pw); status != 401 {
		t.Fatalf("failures on both instances must lock the account together, got %d", status)
	}
	req, _ := http.NewRequest("POST", base+"/api/v1/auth/logout", nil)
	req.AddCookie(cookie)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for i := range 2 {
		if status := getWith(t, base+"/api/v1/auth/me", cookie); status != 401 {
			t.Fatalf("after logout, instance %d still accepts the session: %d", i, status)
		}
	}
}

func containsEngine(e store.Engine) bool {
	for _, x := range storetest.Engines() {
		if x == e {
			return true
		}
	}
	return false
}

func postLogin(t *testing.T, base, username, password string) (int, *http.Cookie) {
	t.Helper()
	res, err := http.Post(base+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"username":"`+username+`","password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	for _, c := range res.Cookies() {
		if c.Value != "" {
			return res.StatusCode, c
		}
	}
	return res.StatusCode, nil
}

func loginCookie(t *testing.T, base, username, password string) *http.Cookie {
	t.Helper()
	status, c := postLogin(t, base, username, password)
	if status != 200 || c == nil {
		t.Fatalf("login %s: %d", username, status)
	}
	return c
}

func getWith(t *testing.T, url string, c *http.Cookie) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.AddCookie(c)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
