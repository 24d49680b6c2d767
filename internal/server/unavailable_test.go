package server

import (
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// TestDatabaseOutOfReachAnswers503: while PostgreSQL cannot be reached (a
// failover: its port refuses connections), the API, the staff pages and
// the citizen site answer 503 with Retry-After and a calm Japanese message,
// not a 500 "system error".
func TestDatabaseOutOfReachAnswers503(t *testing.T) {
	if !slices.Contains(storetest.Engines(), store.Postgres) {
		t.Skip("PostgreSQL is not among KOFU_TEST_ENGINES")
	}
	db, _, cut := storetest.CuttablePostgres(t)
	h := newHarness(t, db)
	staff := h.login("staff1")
	cut()

	const calm = "データベースに接続できません"
	check := func(what string, path string, cookie bool) string {
		t.Helper()
		c := staff
		if !cookie {
			c = nil
		}
		res := h.do("GET", path, c, "")
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 503 || res.Header.Get("Retry-After") != "5" {
			t.Fatalf("%s %s: %d, Retry-After %q, want 503 and 5:\n%.300s", what, path, res.StatusCode, res.Header.Get("Retry-After"), body)
		}
		if !strings.Contains(string(body), calm) || strings.Contains(string(body), "システムエラー") {
			t.Fatalf("%s %s: not the calm message:\n%.500s", what, path, body)
		}
		return string(body)
	}
	var out struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal([]byte(check("API", "/api/v1/cards", true)), &out); err != nil || out.Error.Code != "unavailable" {
		t.Fatalf("API error %+v (%v), want code unavailable", out, err)
	}
	check("staff page", "/staff/", true)
	check("citizen site", "/", false)
}
