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

// shedHarness is an admission of one slot, taken by a request that holds
// it until released, with the service time set by the test.
type shedHarness struct {
	a       *admission
	h       http.Handler
	release chan struct{}
	wg      sync.WaitGroup
}

func newShedHarness(t *testing.T, maxWait, service time.Duration) *shedHarness {
	q := &shedHarness{a: newAdmission(1, maxWait, []byte("test key")), release: make(chan struct{})}
	entered := make(chan struct{}, 1)
	q.h = q.a.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/booking/slow" {
			entered <- struct{}{}
			<-q.release
		}
		w.Write([]byte("ok"))
	}))
	q.wg.Go(func() { q.h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/booking/slow", nil)) })
	<-entered
	q.a.all.service.Store(int64(service))
	t.Cleanup(func() {
		select {
		case <-q.release:
		default:
			close(q.release)
		}
		q.wg.Wait()
	})
	return q
}

// visit sends a newcomer's request in the background; its status arrives
// on the channel.
func (q *shedHarness) visit() <-chan int {
	done := make(chan int, 1)
	q.wg.Go(func() {
		rec := httptest.NewRecorder()
		q.h.ServeHTTP(rec, httptest.NewRequest("GET", "/booking/start", nil))
		done <- rec.Code
	})
	return done
}

// waitQueued waits until n requests wait for a slot.
func (q *shedHarness) waitQueued(t *testing.T, n int64) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); q.a.all.queued.Load() != n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests queued, want %d", q.a.all.queued.Load(), n)
		}
	}
}

func answer(t *testing.T, done <-chan int, within time.Duration) int {
	t.Helper()
	select {
	case code := <-done:
		return code
	case <-time.After(within):
		t.Fatalf("no answer within %v", within)
		return 0
	}
}

// When the slots free up too slowly for the wait to fit the budget, the
// waiting page comes at once: here the wait allowed is an hour, and the
// request must not take it.
func TestExcessIsShedAtOnceWhenTheExpectedWaitIsTooLong(t *testing.T) {
	q := newShedHarness(t, time.Hour, time.Minute) // one slot, freeing once a minute
	q.a.budget = 10 * time.Millisecond
	if code := answer(t, q.visit(), 5*time.Second); code != 503 {
		t.Fatalf("status %d", code)
	}
	if n := q.a.all.shed.Load(); n != 1 {
		t.Fatalf("shed %d", n)
	}
}

// When a slot is expected soon the request waits for it and is served.
func TestARequestWaitsBrieflyWhenASlotIsExpectedSoon(t *testing.T) {
	q := newShedHarness(t, time.Hour, time.Millisecond) // expected wait 1 ms ≤ budget 30 min
	done := q.visit()
	q.waitQueued(t, 1)
	close(q.release)
	if code := answer(t, done, 5*time.Second); code != 200 {
		t.Fatalf("the queued request: %d", code)
	}
}

// The queue is as long as the budget allows: with a service time of 10 ms
// on one slot and a budget of 25 ms, the first two wait and the third is
// turned away at once.
func TestTheQueueIsAsLongAsTheBudgetAllows(t *testing.T) {
	q := newShedHarness(t, time.Hour, 10*time.Millisecond)
	q.a.budget = 25 * time.Millisecond
	first := q.visit()
	q.waitQueued(t, 1)
	second := q.visit()
	q.waitQueued(t, 2)
	if code := answer(t, q.visit(), 5*time.Second); code != 503 {
		t.Fatalf("the third: %d", code)
	}
	close(q.release)
	for _, done := range []<-chan int{first, second} {
		if code := answer(t, done, 5*time.Second); code != 200 {
			t.Fatalf("a queued request: %d", code)
		}
	}
}

// A request that queued waits no longer than maxWait.
func TestTheWaitIsCapped(t *testing.T) {
	q := newShedHarness(t, 30*time.Millisecond, time.Microsecond)
	start := time.Now()
	if code := answer(t, q.visit(), 5*time.Second); code != 503 {
		t.Fatalf("status %d", code)
	}
	if waited := time.Since(start); waited < 30*time.Millisecond {
		t.Fatalf("gave up after %v, before maxWait", waited)
	}
}

// The service time is learned from the admitted requests.
func TestServiceTimeFollowsTheRequests(t *testing.T) {
	a := newAdmission(4, admissionMaxWait, []byte("test key"))
	h := a.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
	}))
	a.all.service.Store(0)
	for range 3 * serviceWeight {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/booking/start", nil))
	}
	if got := time.Duration(a.all.service.Load()); got < 15*time.Millisecond {
		t.Fatalf("service time %v after requests of 20 ms", got)
	}
	if got := a.all.expectedWait(8); got != 2*time.Duration(a.all.service.Load()) {
		t.Fatalf("the 8th in the queue of 4 slots waits two service times, not %v", got)
	}
}

// Requests that write hold at most a quarter of the slots: a rush of
// bookings waiting on the database's writer cannot take the slots the
// pages need.
func TestWritesCannotTakeEverySlot(t *testing.T) {
	a := newAdmission(4, time.Hour, []byte("test key"))
	release, entered := make(chan struct{}), make(chan struct{}, 1)
	h := a.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			entered <- struct{}{}
			<-release
		}
		w.Write([]byte("ok"))
	}))
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(release)
	wg.Go(func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/api/v1/public/bookings", nil))
	})
	<-entered                                    // the only write slot is taken
	a.writes.service.Store(int64(2 * time.Hour)) // longer than the budget (half of maxWait)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/booking/confirm", nil))
	if rec.Code != 503 {
		t.Fatalf("a second write while the write slot is taken: %d", rec.Code)
	}
	for range 3 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/booking/start", nil))
		if rec.Code != 200 {
			t.Fatalf("a page while the writes are full: %d", rec.Code)
		}
	}
	if n := len(a.all.slots); n != 1 {
		t.Fatalf("%d slots taken after the pages, want the one write", n)
	}
}

// A form sent during the rush is not reloaded by the waiting page (a
// reload would ask for the form's address without the form).
func TestAFormSentDuringTheRushIsNotReloaded(t *testing.T) {
	q := newQueueHarness(t)
	rec := httptest.NewRecorder()
	q.h.ServeHTTP(rec, httptest.NewRequest("POST", "/booking/identify", strings.NewReader("s=x")))
	if rec.Code != 503 || strings.Contains(rec.Body.String(), `http-equiv="refresh"`) || !strings.Contains(rec.Body.String(), "もう一度送信") {
		t.Fatalf("a form during the rush: %d %s", rec.Code, rec.Body.String())
	}
}

// writeHarness is an admission of 4 slots (so one write slot) whose
// write slot a slow post holds until free is called.
type writeHarness struct {
	a    *admission
	h    http.Handler
	wg   sync.WaitGroup
	free func()
}

func newWriteHarness(t *testing.T, maxWait, service time.Duration) *writeHarness {
	q := &writeHarness{a: newAdmission(4, maxWait, []byte("test key"))}
	release, entered := make(chan struct{}), make(chan struct{}, 1)
	q.free = sync.OnceFunc(func() { close(release) })
	q.h = q.a.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/booking/slow" {
			entered <- struct{}{}
			<-release
		}
		w.Write([]byte("ok"))
	}))
	t.Cleanup(func() { q.free(); q.wg.Wait() })
	q.wg.Go(func() { q.h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/booking/slow", nil)) })
	<-entered // the only write slot is taken
	q.a.writes.service.Store(int64(service))
	return q
}

// post sends a write in the background and waits until it queued for
// the write slot; its status arrives on the channel.
func (q *writeHarness) post(t *testing.T, path string) <-chan int {
	t.Helper()
	done := make(chan int, 1)
	q.wg.Go(func() {
		rec := httptest.NewRecorder()
		q.h.ServeHTTP(rec, httptest.NewRequest("POST", path, nil))
		done <- rec.Code
	})
	for deadline := time.Now().Add(5 * time.Second); q.a.writes.queued.Load() != 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the second write did not queue (shed %d)", q.a.writes.shed.Load())
		}
	}
	return done
}

// A write that queued for its slot is not turned away after maxWait: a
// booking answered late beats asking the resident to send it again.
func TestAQueuedWriteWaitsPastMaxWait(t *testing.T) {
	q := newWriteHarness(t, 10*time.Millisecond, time.Millisecond)
	done := q.post(t, "/booking/confirm")
	time.Sleep(50 * time.Millisecond) // five times maxWait
	q.free()
	if code := answer(t, done, 5*time.Second); code != 200 {
		t.Fatalf("the queued write: %d", code)
	}
}

// A write queues for its slot on the longer write budget where a page
// view would be turned away: with the write slot taken and 100 ms
// expected, more than the pages' budget, a booking post waits and is
// served.
func TestAWriteQueuesWhereAPageIsShed(t *testing.T) {
	q := newWriteHarness(t, 40*time.Millisecond, 100*time.Millisecond) // pages' budget 20 ms
	if q.a.writes.expectedWait(1) <= q.a.budget {
		t.Fatalf("expected wait %v is within the pages' budget %v: the test shows nothing", q.a.writes.expectedWait(1), q.a.budget)
	}
	done := q.post(t, "/api/v1/public/bookings")
	q.free()
	if code := answer(t, done, 5*time.Second); code != 200 {
		t.Fatalf("the queued write: %d", code)
	}
}
