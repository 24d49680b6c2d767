package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// rushRequests is how many residents try to book the one slot at once.
const rushRequests = 200

// startInstance runs one `kofu serve` process (in-process, with its own
// database pool) on dsn at the clock's time.
func startInstance(t *testing.T, dsn string, clk clock.Clock) *Main {
	t.Helper()
	fs := (env{stderr: io.Discard}).newFlags("serve")
	cfg := config.Bind(fs)
	// The rush test measures the booking engine, not the admission limit.
	if err := fs.Parse([]string{"--addr", "127.0.0.1:0", "--db", dsn, "--public-max-inflight", "10000"}); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Finish(fs); err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Stdout: io.Discard, Log: io.Discard, HashParams: secret.TestParams(), Clock: clk}
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// balancer is a round-robin load balancer in front of the instances: each
// request goes to the next one. hits counts the requests per instance.
type balancer struct {
	*httptest.Server
	hits []atomic.Int64
}

func roundRobin(t *testing.T, backends ...*Main) *balancer {
	t.Helper()
	var next atomic.Uint64
	lb := &balancer{hits: make([]atomic.Int64, len(backends))}
	targets := make([]*url.URL, len(backends))
	for i, m := range backends {
		targets[i] = &url.URL{Scheme: "http", Host: m.Addr()}
	}
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		i := next.Add(1) % uint64(len(targets))
		lb.hits[i].Add(1)
		pr.SetURL(targets[i])
		pr.SetXForwarded()
	}}
	lb.Server = httptest.NewServer(proxy)
	t.Cleanup(lb.Close)
	return lb
}

// rushCase is one slot with capacity seats and a service to book it for.
type rushCase struct {
	service  string
	capacity int
}

// Several `kofu serve` processes behind a load balancer on one PostgreSQL
// cannot overbook: of 200 residents booking one slot at once, exactly
// capacity get it and the others are told it is full.
func TestInstancesShareOneSlotWithoutOverbooking(t *testing.T) {
	if !slices.Contains(storetest.Engines(), store.Postgres) {
		t.Skip("KOFU_TEST_ENGINES excludes postgres")
	}
	for _, tc := range []rushCase{{"pickup", 1}, {"pickup", 5}, {"cert_renewal", 1}, {"cert_renewal", 5}} {
		t.Run(fmt.Sprintf("%s/capacity_%d", tc.service, tc.capacity), func(t *testing.T) {
			clk := clock.NewFixed(rushTime(t, "2026-11-20T10:00:00+09:00"))
			dsn := storetest.MustDSN(t, store.Postgres)
			a := startInstance(t, dsn, clk)
			b := startInstance(t, dsn, clk)
			prepareRush(t, a, tc)
			lb := roundRobin(t, a, b)

			statuses := rush(t, lb.URL, tc.service)
			if statuses["201"] != tc.capacity || statuses["409 slot_full"] != rushRequests-tc.capacity {
				t.Fatalf("want %d booked and %d slot_full, got %v", tc.capacity, rushRequests-tc.capacity, statuses)
			}
			if lb.hits[0].Load() != rushRequests/2 || lb.hits[1].Load() != rushRequests/2 {
				t.Fatalf("both instances must serve the rush: %d and %d requests", lb.hits[0].Load(), lb.hits[1].Load())
			}
			checkAfterRush(t, b.DB, tc)
		})
	}
}

func rushTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// rushStart is the slot everybody wants: Tuesday 2026-12-01 09:00 Tokyo.
const rushStart = "2026-12-01T09:00:00+09:00"

// prepareRush saves settings with the slot's capacity (and a per-IP limit
// that lets the rush through: every request comes from the balancer's
// address) and, for pickups, one card waiting for each resident.
func prepareRush(t *testing.T, m *Main, tc rushCase) {
	t.Helper()
	st := booking.DefaultSettings()
	st.Places[0].Capacity = tc.capacity
	st.PublicRateLimitPerMinute = 10000
	admin := auth.Principal{UserID: 1, Username: "admin", Role: auth.RoleAdmin}
	if err := m.City.Reserve.SaveSettings(ctx, admin, auth.Meta{}, st); err != nil {
		t.Fatal(err)
	}
	if tc.service != "pickup" {
		return
	}
	for i := range rushRequests {
		ledgertest.MustCard(t, m.DB, ledgertest.Seed{App: i + 1, Notice: rushNotice(i), Birth: rushBirth(i), Status: card.StatusNoticeSent})
	}
}

func rushNotice(i int) string { return fmt.Sprintf("MLT-%06d", i+1) }

func rushBirth(i int) string {
	return time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*53).Format(time.DateOnly)
}

// rushBody is resident i's booking request: a card for pickups, a name
// for renewals; everyone is a different person.
func rushBody(service string, i int) string {
	person := map[string]string{"birth_date": rushBirth(i)}
	if service == "pickup" {
		person["notice_number"] = rushNotice(i)
	} else {
		person["name"], person["name_kana"] = fmt.Sprintf("住民　%d", i), fmt.Sprintf("ジュウミン　%d", i)
	}
	body, _ := json.Marshal(map[string]any{"service": service, "place": "main", "start": rushStart,
		"people": []map[string]string{person}, "email": fmt.Sprintf("r%d@example.jp", i)})
	return string(body)
}

// rush sends the requests at once and counts the answers by status and
// error code.
func rush(t *testing.T, base, service string) map[string]int {
	t.Helper()
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: rushRequests}}
	t.Cleanup(client.CloseIdleConnections)
	var mu sync.Mutex
	statuses := map[string]int{}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range rushRequests {
		wg.Go(func() {
			<-start
			key := post(client, base+"/api/v1/public/bookings", rushBody(service, i))
			mu.Lock()
			statuses[key]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return statuses
}

// post answers "201", or the status and the error code ("409 slot_full").
func post(client *http.Client, url, body string) string {
	res, err := client.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return "transport error: " + err.Error()
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusCreated {
		return "201"
	}
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	json.NewDecoder(res.Body).Decode(&e)
	return fmt.Sprintf("%d %s", res.StatusCode, e.Error.Code)
}

// checkAfterRush checks the database itself: seat counts match the
// bookings, exactly capacity bookings exist, and exactly their cards are
// reserved.
func checkAfterRush(t *testing.T, db *store.DB, tc rushCase) {
	t.Helper()
	err := db.View(ctx, func(tx *store.Tx) error {
		if err := tx.VerifySlotUsage(ctx); err != nil {
			return err
		}
		bs, err := tx.ListBookings(ctx, store.BookingFilter{Date: "2026-12-01"})
		if err != nil {
			return err
		}
		if len(bs) != tc.capacity {
			return fmt.Errorf("%d bookings stored for %d seats", len(bs), tc.capacity)
		}
		_, reserved, err := tx.SearchCards(ctx, store.CardFilter{Statuses: []card.Status{card.StatusReserved}, Limit: 1})
		if want := map[bool]int{true: tc.capacity}[tc.service == "pickup"]; err == nil && reserved != want {
			return fmt.Errorf("%d cards reserved, want %d", reserved, want)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
