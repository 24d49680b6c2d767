package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRushGetsTheWaitingPageWhileStaffKeepWorking(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/booking/start" {
			entered <- struct{}{}
			<-release
		}
		w.Write([]byte("ok"))
	})
	h := newAdmission(1, 20*time.Millisecond, []byte("test key")).middleware(slow)

	var wg sync.WaitGroup
	wg.Go(func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/booking/start", nil)) })
	<-entered // the only slot is taken

	start := time.Now()
	page := httptest.NewRecorder()
	h.ServeHTTP(page, httptest.NewRequest("GET", "/", nil))
	if page.Code != 503 || page.Header().Get("Retry-After") == "" || !strings.Contains(page.Body.String(), "混み合っています") ||
		!strings.Contains(page.Body.String(), `http-equiv="refresh"`) {
		t.Fatalf("citizen page during the rush: %d %s", page.Code, page.Body.String())
	}
	if waited := time.Since(start); waited > time.Second {
		t.Fatalf("the waiting page must come at once, took %v", waited)
	}
	apiRes := httptest.NewRecorder()
	h.ServeHTTP(apiRes, httptest.NewRequest("GET", "/api/v1/public/availability", nil))
	if apiRes.Code != 503 || !strings.Contains(apiRes.Body.String(), `"code":"busy"`) {
		t.Fatalf("public API during the rush: %d %s", apiRes.Code, apiRes.Body.String())
	}
	for _, path := range []string{"/staff/counter", "/api/v1/cards", "/healthz", "/static/public.css"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 200 {
			t.Errorf("%s must not wait behind the rush: %d", path, rec.Code)
		}
	}
	close(release)
	wg.Wait()
	// The visitors sent away come back with their tickets and get in.
	for _, res := range []*httptest.ResponseRecorder{page, apiRes} {
		after := httptest.NewRequest("GET", "/", nil)
		for _, c := range res.Result().Cookies() {
			after.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, after)
		if rec.Code != 200 {
			t.Fatalf("after the rush: %d", rec.Code)
		}
	}
}

// queueHarness is an admission of one slot whose slot a slow request holds
// until released.
type queueHarness struct {
	h       http.Handler
	release chan struct{}
	wg      sync.WaitGroup
}

func newQueueHarness(t *testing.T) *queueHarness {
	q := &queueHarness{release: make(chan struct{})}
	entered := make(chan struct{}, 1)
	q.h = newAdmission(1, time.Millisecond, []byte("test key")).middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/booking/slow" {
			entered <- struct{}{}
			<-q.release
		}
		w.Write([]byte("ok"))
	}))
	q.wg.Go(func() { q.h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/booking/slow", nil)) })
	<-entered
	t.Cleanup(func() { q.free(); q.wg.Wait() })
	return q
}

// free ends the slow request and waits until its slot is back.
func (q *queueHarness) free() {
	select {
	case <-q.release:
	default:
		close(q.release)
	}
	q.wg.Wait()
}

// visit requests the top page with the cookie (if any) and returns the
// status and the ticket cookie handed out (if any).
func (q *queueHarness) visit(ticket *http.Cookie) (int, *http.Cookie) {
	req := httptest.NewRequest("GET", "/", nil)
	if ticket != nil {
		req.AddCookie(ticket)
	}
	rec := httptest.NewRecorder()
	q.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == ticketCookie {
			return rec.Code, c
		}
	}
	return rec.Code, nil
}

func TestEarlierTicketsAreAdmittedFirst(t *testing.T) {
	q := newQueueHarness(t)
	codeA, first := q.visit(nil)
	codeB, second := q.visit(nil)
	if codeA != 503 || codeB != 503 || first == nil || second == nil || !first.HttpOnly {
		t.Fatalf("visitors during the rush get the waiting page and a ticket: %d %v, %d %v", codeA, first, codeB, second)
	}
	// Their waiting pages retry with the ticket, which takes their place.
	q.visit(first)
	q.visit(second)
	// Staff are never queued, however many residents wait.
	for _, path := range []string{"/staff/counter", "/api/v1/cards", "/staff/login"} {
		rec := httptest.NewRecorder()
		q.h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 200 {
			t.Errorf("%s waited behind the queue: %d", path, rec.Code)
		}
	}
	q.free()
	if code, _ := q.visit(second); code != 503 {
		t.Fatalf("the later ticket went ahead of the earlier one: %d", code)
	}
	if code, _ := q.visit(nil); code != 503 {
		t.Fatalf("a newcomer went ahead of the waiting tickets: %d", code)
	}
	if code, again := q.visit(first); code != 200 || again != nil {
		t.Fatalf("the earliest ticket must be admitted once a slot is free: %d %v", code, again)
	}
	if code, _ := q.visit(second); code != 200 {
		t.Fatalf("the second ticket is next: %d", code)
	}
}

func TestForgedTicketGetsNoPlace(t *testing.T) {
	q := newQueueHarness(t)
	_, first := q.visit(nil)
	q.visit(first) // the waiting page's retry takes the place
	// A ticket claiming an early arrival but not signed by us counts as none.
	other := newAdmission(1, 0, []byte("another key"))
	forged := &http.Cookie{Name: ticketCookie, Value: other.encode(ticket{id: "forged", arrival: 1})}
	code, fresh := q.visit(forged)
	if code != 503 || fresh == nil || fresh.Value == forged.Value {
		t.Fatalf("a forged ticket must be replaced by a fresh one at the back: %d %v", code, fresh)
	}
	q.free()
	if code, _ := q.visit(forged); code != 503 {
		t.Fatalf("the forged ticket went ahead of a real earlier one: %d", code)
	}
	if code, _ := q.visit(first); code != 200 {
		t.Fatalf("the real ticket: %d", code)
	}
}

func TestALongQueueStillGoesInArrivalOrder(t *testing.T) {
	q := newQueueHarness(t)
	tickets := make([]*http.Cookie, exactQueue+50)
	for i := range tickets {
		code, c := q.visit(nil)
		if code != 503 || c == nil {
			t.Fatalf("visitor %d: %d", i, code)
		}
		tickets[i] = c
	}
	for _, c := range tickets {
		q.visit(c) // each waiting page retries with its ticket
	}
	q.free()
	for _, i := range []int{len(tickets) - 1, exactQueue, 1} {
		if code, _ := q.visit(tickets[i]); code != 503 {
			t.Fatalf("ticket %d went ahead of the first: %d", i, code)
		}
	}
	if code, _ := q.visit(tickets[0]); code != 200 {
		t.Fatalf("the first ticket: %d", code)
	}
}

// A client that keeps no cookies (most bots) gets the waiting page but
// holds no place: when a slot frees, the next visitor is served instead
// of the slot idling for a place nobody claims.
func TestCookielessFloodHoldsNoPlace(t *testing.T) {
	q := newQueueHarness(t)
	for range 500 {
		if code, _ := q.visit(nil); code != 503 {
			t.Fatalf("during the rush: %d", code)
		}
	}
	_, resident := q.visit(nil)
	q.visit(resident) // a real browser comes back with its ticket
	q.free()
	if code, _ := q.visit(resident); code != 200 {
		t.Fatalf("the resident waited behind 500 cookieless requests: %d", code)
	}
}
