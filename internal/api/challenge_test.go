package api_test

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/api"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/challenge"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// post sends a public booking with the challenge headers.
func post(t *testing.T, h http.Handler, body, token, answer string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/public/bookings", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set(api.ChallengeHeader, token)
		req.Header.Set(api.ChallengeAnswerHeader, answer)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

func TestPublicBookingAPIAsksForAProofUnderLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newBookingEnv(t, db, nil)
		pow := challenge.New(db, e.clock)
		rt := route.New(roleAuthn{""}, func(w http.ResponseWriter, r *http.Request, err error) { api.WriteError(w, r, err) })
		(&api.BookingHandlers{Reserve: e.svc, Challenge: pow}).Register(rt)
		body := pickupBody("2026-12-01T09:00:00+09:00", "ABC-000001")
		if status, out := post(t, rt, body, "", ""); status != 201 {
			t.Fatalf("off by default: %d %v", status, out)
		}
		st := challenge.DefaultSettings()
		st.Mode, st.Bits = challenge.ModeAlways, 10
		if _, err := pow.Save(t.Context(), auth.Principal{Username: "admin"}, auth.Meta{}, st); err != nil {
			t.Fatal(err)
		}
		body = pickupBody("2026-12-01T09:00:00+09:00", "ABC-000002")
		status, out := post(t, rt, body, "", "")
		offer, _ := out["challenge"].(map[string]any)
		token, _ := offer["token"].(string)
		if status != 429 || errorCode(out) != challenge.CodeRequired.String() || token == "" || offer["bits"] != 10.0 {
			t.Fatalf("a proof is required: %d %v", status, out)
		}
		if status, out := post(t, rt, pickupBody("2026-12-01T09:00:00+09:00", "ABC-000003"), token, solveAPI(token, 10)); status != 429 ||
			errorCode(out) != challenge.CodeRequired.String() {
			t.Fatalf("a proof belongs to its request: %d %v", status, out)
		}
		if status, out := post(t, rt, body, token, "x"); status != 429 || errorCode(out) != challenge.CodeWait.String() {
			t.Fatalf("a wrong answer before the wait is over: %d %v", status, out)
		}
		answer := solveAPI(token, 10)
		if status, out := post(t, rt, body, token, answer); status != 201 {
			t.Fatalf("a correct proof passes: %d %v", status, out)
		}
		if status, out := post(t, rt, body, token, answer); status != 409 || errorCode(out) != challenge.CodeUsed.String() {
			t.Fatalf("a replay is refused: %d %v", status, out)
		}
		// After the wait, the same request without an answer passes.
		body = pickupBody("2026-12-01T10:00:00+09:00", "ABC-000004")
		_, out = post(t, rt, body, "", "")
		token = out["challenge"].(map[string]any)["token"].(string)
		e.clock.Advance(time.Duration(st.WaitSeconds) * time.Second)
		if status, out := post(t, rt, body, token, ""); status != 201 {
			t.Fatalf("after the wait: %d %v", status, out)
		}
	})
}

func solveAPI(token string, bits int) string {
	for n := 0; ; n++ {
		if challenge.ZeroBits(sha256.Sum256([]byte(token+":"+strconv.Itoa(n)))) >= bits {
			return strconv.Itoa(n)
		}
	}
}

// Past a notice number's attempts the right booking is not refused: it
// is asked for a proof of work, even with the challenge switched off, and
// with one it goes through (issue #14: a guesser locked the resident out).
func TestPublicBookingPastTheNoticeLimitAsksForAProof(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newBookingEnv(t, db, nil)
		pow := challenge.New(db, e.clock) // mode off
		rt := route.New(roleAuthn{""}, func(w http.ResponseWriter, r *http.Request, err error) { api.WriteError(w, r, err) })
		(&api.BookingHandlers{Reserve: e.svc, Challenge: pow}).Register(rt)
		right := pickupBody("2026-12-01T09:00:00+09:00", "ABC-000001")
		wrong := strings.Replace(right, "1980-01-01", "1970-05-05", 1)
		for i := range 10 {
			if status, out := post(t, rt, wrong, "", ""); status != 422 {
				t.Fatalf("guess %d: %d %v", i+1, status, out)
			}
		}
		status, out := post(t, rt, right, "", "")
		offer, _ := out["challenge"].(map[string]any)
		token, _ := offer["token"].(string)
		if status != 429 || errorCode(out) != challenge.CodeRequired.String() || token == "" {
			t.Fatalf("the right answer past the limit: want a challenge, got %d %v", status, out)
		}
		if status, out := post(t, rt, wrong, token, solveAPI(token, int(offer["bits"].(float64)))); status != 429 {
			t.Fatalf("a challenge belongs to its form: %d %v", status, out)
		}
		if status, out := post(t, rt, right, token, solveAPI(token, int(offer["bits"].(float64)))); status != 201 {
			t.Fatalf("with the proof the resident books: %d %v", status, out)
		}
	})
}
