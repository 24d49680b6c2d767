package main

import (
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/api"
	"github.com/kofu-oss/kofu/internal/challenge"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// Birth-date guesses for one notice number are counted in the database:
// spread over two instances they still reach the limit together, past it
// the right birth date is asked for a proof of work on either instance,
// and with the proof it books (issue #14: reads moved their per-IP limit
// into each instance's memory; the brute-force limits must not follow).
func TestBirthDateGuessesAreLimitedAcrossTwoInstances(t *testing.T) {
	if !containsEngine(store.Postgres) {
		t.Skip("KOFU_TEST_ENGINES excludes postgres")
	}
	clk := clock.NewFixed(rushTime(t, "2026-11-20T10:00:00+09:00"))
	dsn := storetest.MustDSN(t, store.Postgres)
	a, b := startInstance(t, dsn, clk), startInstance(t, dsn, clk)
	prepareRush(t, a, rushCase{"pickup", 5})
	lb := roundRobin(t, a, b)

	right := rushBody("pickup", 0)
	wrong := strings.Replace(right, rushBirth(0), "1999-09-09", 1)
	for i := range 10 { // five on each instance
		if status, out := postBooking(t, lb.URL, wrong, "", ""); status != 422 || out.Error.Code != "card_not_matched" {
			t.Fatalf("guess %d: %d %+v", i+1, status, out)
		}
	}
	var offer *challenge.Offer
	for i := range 2 { // each instance knows of the guesses on the other
		status, out := postBooking(t, lb.URL, right, "", "")
		if status != 429 || out.Error.Code != challenge.CodeRequired.String() || out.Challenge == nil {
			t.Fatalf("the right birth date on instance %d after 10 guesses: want a challenge, got %d %+v", i, status, out)
		}
		offer = out.Challenge
	}
	if lb.hits[0].Load() != 6 || lb.hits[1].Load() != 6 {
		t.Fatalf("both instances must have answered: %d and %d", lb.hits[0].Load(), lb.hits[1].Load())
	}
	if status, out := postBooking(t, lb.URL, right, offer.Token, solvePoW(offer.Token, offer.Bits)); status != 201 {
		t.Fatalf("with the proof the resident books: %d %+v", status, out)
	}
}

type bookingAnswer struct {
	Error struct {
		Code string `json:"code"`
	} `json:"error"`
	Challenge *challenge.Offer `json:"challenge"`
}

func postBooking(t *testing.T, base, body, token, answer string) (int, bookingAnswer) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/api/v1/public/bookings", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set(api.ChallengeHeader, token)
		req.Header.Set(api.ChallengeAnswerHeader, answer)
	}
	client := &http.Client{Timeout: time.Minute}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out bookingAnswer
	json.Unmarshal(raw, &out)
	return res.StatusCode, out
}

// solvePoW finds the answer to a challenge as the browser's script does.
func solvePoW(token string, bits int) string {
	for n := 0; ; n++ {
		if challenge.ZeroBits(sha256.Sum256([]byte(token+":"+strconv.Itoa(n)))) >= bits {
			return strconv.Itoa(n)
		}
	}
}
