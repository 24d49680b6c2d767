package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kofu-oss/kofu/internal/api"
	"github.com/kofu-oss/kofu/internal/apperr"
)

// admission bounds how many citizen requests run at once. When a booking
// opens and thousands arrive together, the excess is answered at once with
// a calm waiting page that retries by itself, instead of queueing until
// everyone times out. Staff pages, the staff API and operations endpoints
// are never held back: the counter keeps working during a rush.
//
// A visitor sent to the waiting page gets a signed ticket (a cookie) with
// the moment they arrived. When slots free up, the holders of the oldest
// tickets go first, so the rush is served roughly in arrival order rather
// than by whoever happens to reload at the right moment. The ticket's key
// is shared by every instance (it comes from the database), so a visitor
// keeps their place when the load balancer sends them elsewhere; the queue
// itself is each instance's own, as the slots are.
//
// An excess request is answered at once, not after a long wait: a request
// finding every slot taken may queue for one only while the expected wait
// (the requests queued before it × the recent service time ÷ the slots)
// stays within budget, and never longer than maxWait. So in an overload
// the waiting page comes in milliseconds and the CPU goes to the requests
// being served, not to holding on to those that will be turned away.
//
// Requests that write (the booking steps' posts, the public API's calls
// other than GET) also need one of the fewer write
// slots: they wait on the database's writer, and without a limit of
// their own a rush of them would hold every slot while the pages, which
// need no writer, wait. A write queues for its slot on the same expected
// wait, but once queued it is not turned away after maxWait: the time a
// write holds its slot swings too much for the estimate to be right
// within 40 ms (in kofubench's overload, writes that timed out were all
// the late 503s), and a booking answered late beats a waiting page that
// asks the resident to send it again. writeMaxWait only bounds a stuck
// queue.
type admission struct {
	all     *lane         // every citizen request
	writes  *lane         // requests that write, in addition
	maxWait time.Duration // the longest a request waits for a slot
	budget  time.Duration // the longest expected wait a request queues for
	// writeBudget is budget for the write slots.
	writeBudget time.Duration
	key         []byte // signs the tickets

	nWaiting atomic.Int64 // len(waiting), read without the lock
	last     atomic.Int64 // the last arrival handed out, to keep them distinct

	mu      sync.Mutex
	waiting map[string]waiter // by ticket ID: visitors seen on the waiting page
	// With many visitors waiting, places are counted in a sorted copy of
	// their arrivals refreshed now and then, and leavers are dropped now
	// and then, so a request costs a binary search, not a walk of the queue.
	sorted   []int64
	sortedAt time.Time
	prunedAt time.Time
}

// waiter is a ticket holder on the waiting page.
type waiter struct {
	arrival int64     // unix nanoseconds
	seen    time.Time // last retry; visitors who stop retrying are dropped
}

const (
	ticketCookie = "kofu_ticket"
	// ticketLife bounds how long a ticket keeps its place.
	ticketLife = 30 * time.Minute
	// waiterGone drops a waiting visitor who stopped retrying: the page
	// retries every busyRetrySeconds, so one who missed two is gone.
	waiterGone = (2*busyRetrySeconds + 1) * time.Second
	// maxWaiting bounds the memory the queue may use.
	maxWaiting = 200_000
	// exactQueue is the queue length up to which places are counted exactly.
	exactQueue = 2048
	// resortEvery and pruneEvery pace the upkeep of a long queue.
	resortEvery = 250 * time.Millisecond
	pruneEvery  = time.Second
)

// Defaults of the short wait for a slot.
const (
	// admissionMaxWait caps the wait, so the waiting page comes well
	// within 50 ms even for a request that queued and lost (issue #8).
	admissionMaxWait = 40 * time.Millisecond
	// serviceWeight is the weight of the newest request in the moving
	// average of the service time: 1/serviceWeight.
	serviceWeight = 16
	// initialService is the service time assumed before any request
	// was served: a rush at start-up queues a few requests, not all.
	initialService = 10 * time.Millisecond
	// writeShare is the part of the slots that requests writing may hold.
	writeShare = 4
	// writeMaxWait bounds the wait of a write that queued for its slot.
	writeMaxWait = 5 * time.Second
	// writeBudget is the longest expected wait a write queues for. A
	// write carries a form the resident filled in, and an answer to it
	// ("booked" or "full") is worth a wait a page view is not: with the
	// pages' budget, 200 simultaneous posts for one slot got 114–152
	// waiting pages and only the rest "full" (kofubench's hot slot).
	writeBudget = 500 * time.Millisecond
)

// newAdmission limits citizen requests to maxInFlight at once (a quarter
// of them writing); an excess request waits at most maxWait for a slot,
// and only when it expects to get one within half of that.
func newAdmission(maxInFlight int, maxWait time.Duration, key []byte) *admission {
	return &admission{all: newLane(maxInFlight), writes: newLane(max(1, maxInFlight/writeShare)),
		maxWait: maxWait, budget: maxWait / 2, writeBudget: max(writeBudget, maxWait/2), key: key, waiting: map[string]waiter{}}
}

// citizen reports whether a path belongs to the public site. Its static
// files are not limited, so the waiting page itself always loads.
func citizen(path string) bool {
	return path == "/" || strings.HasPrefix(path, "/booking/") || strings.HasPrefix(path, "/api/v1/public/")
}

// writes reports whether a citizen request may need the database's
// writer: the form posts and the public API's calls other than GET. A GET
// writes nothing: its per-IP limit is counted in memory (issue #14).
func writes(r *http.Request) bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead
}

// shedMarker is told that the request was sent to the waiting page (the
// request log leaves those out: in a flood, a line each would cost the
// CPU the served requests need; kofu_public_shed_total counts them).
type shedMarker interface{ markShed() }

func (a *admission) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !citizen(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		arrival := time.Now() // the queue runs on the monotonic clock: tickets age with time.Since
		t, held := a.ticketOf(r)
		if !held {
			// A newcomer is behind everyone already waiting; the ticket
			// itself is only drawn if it is sent to the waiting page.
			t = ticket{arrival: arrival.UnixNano()}
		}
		write := writes(r)
		if write && !a.writes.acquire(r, writeMaxWait, a.writeBudget) {
			a.turnAway(w, r, held, arrival, a.writes)
			return
		}
		if !a.admit(r, t, held, arrival) {
			if write {
				a.writes.giveBack()
			}
			a.turnAway(w, r, held, arrival, a.all)
			return
		}
		start := time.Now() // measures the service time
		defer func() {
			d := time.Since(start)
			a.all.release(d)
			if write {
				a.writes.release(d)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// turnAway answers with the waiting page, and gives a newcomer a ticket;
// the lane is the one that had no slot.
func (a *admission) turnAway(w http.ResponseWriter, r *http.Request, held bool, arrival time.Time, l *lane) {
	l.shed.Add(1)
	if m, ok := w.(shedMarker); ok {
		m.markShed()
	}
	if !held {
		a.giveTicket(w, r, a.newTicket(arrival))
	}
	busy(w, r)
}

// admit takes a slot for the request unless older tickets are waiting for
// the free ones. Without anyone ahead it may wait a short while for a
// slot. Only a visitor who came back with their ticket (held) joins the
// queue: a client that keeps no cookies, as most bots, never holds a place
// that nobody will claim, so it cannot leave the slots idle while real
// visitors wait behind it.
func (a *admission) admit(r *http.Request, t ticket, held bool, now time.Time) bool {
	if a.nWaiting.Load() == 0 && a.all.tryAcquire() {
		// Nobody waits on the waiting page: the common case, no lock.
		return true
	}
	a.mu.Lock()
	a.prune(now)
	ahead := len(a.waiting) // a newcomer is behind every waiting visitor
	if held {
		ahead = a.ahead(t, now)
	}
	if ahead < a.all.free() && a.all.tryAcquire() {
		a.leave(t, held)
		a.mu.Unlock()
		return true
	}
	a.mu.Unlock()
	if ahead == 0 && a.all.acquire(r, a.maxWait, a.budget) {
		if held {
			a.mu.Lock()
			a.leave(t, held)
			a.mu.Unlock()
		}
		return true
	}
	if !held {
		return false
	}
	a.mu.Lock()
	if _, ok := a.waiting[t.id]; ok || len(a.waiting) < maxWaiting {
		a.waiting[t.id] = waiter{arrival: t.arrival, seen: now}
		a.nWaiting.Store(int64(len(a.waiting)))
	}
	a.mu.Unlock()
	return false
}

// leave takes an admitted visitor off the waiting list (a.mu held).
func (a *admission) leave(t ticket, held bool) {
	if held {
		delete(a.waiting, t.id)
		a.nWaiting.Store(int64(len(a.waiting)))
	}
}

// ahead counts the waiting visitors who arrived before t: exactly for a
// short queue, from the sorted copy for a long one.
func (a *admission) ahead(t ticket, now time.Time) int {
	if len(a.waiting) <= exactQueue {
		n := 0
		for id, w := range a.waiting {
			if id != t.id && w.arrival < t.arrival {
				n++
			}
		}
		return n
	}
	if now.Sub(a.sortedAt) >= resortEvery {
		a.sorted = a.sorted[:0]
		for _, w := range a.waiting {
			a.sorted = append(a.sorted, w.arrival)
		}
		slices.Sort(a.sorted)
		a.sortedAt = now
	}
	n, _ := slices.BinarySearch(a.sorted, t.arrival)
	return n
}

// prune drops the visitors who stopped retrying (they closed the page).
func (a *admission) prune(now time.Time) {
	if now.Sub(a.prunedAt) < pruneEvery {
		return
	}
	a.prunedAt = now
	for id, w := range a.waiting {
		if now.Sub(w.seen) > waiterGone {
			delete(a.waiting, id)
		}
	}
	a.nWaiting.Store(int64(len(a.waiting)))
}

// lane is a number of slots with what it takes to judge a wait for one:
// how many wait now and how long a request recently held a slot.
type lane struct {
	slots   chan struct{}
	queued  atomic.Int64 // requests waiting for a slot
	service atomic.Int64 // recent time a request held a slot, ns (moving average)
	shed    atomic.Int64 // requests turned away for want of a slot here
	late    atomic.Int64 // of them, those that waited for one in vain
}

func newLane(n int) *lane {
	l := &lane{slots: make(chan struct{}, n)}
	l.service.Store(int64(initialService))
	return l
}

func (l *lane) tryAcquire() bool {
	select {
	case l.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// free is the number of slots not taken.
func (l *lane) free() int { return cap(l.slots) - len(l.slots) }

// acquire takes a slot, waiting for one when all are taken, but only if
// the wait expected is within budget, and at most maxWait.
func (l *lane) acquire(r *http.Request, maxWait, budget time.Duration) bool {
	if l.tryAcquire() {
		return true
	}
	n := l.queued.Add(1)
	defer l.queued.Add(-1)
	if maxWait <= 0 || l.expectedWait(n) > budget {
		return false
	}
	t := time.NewTimer(maxWait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return true
	case <-t.C:
	case <-r.Context().Done():
	}
	l.late.Add(1)
	return false
}

// expectedWait is how long the n-th request in the queue should wait for
// a slot: the slots free up at one per service time ÷ slots.
func (l *lane) expectedWait(n int64) time.Duration {
	return time.Duration(n * l.service.Load() / int64(cap(l.slots)))
}

// release frees a slot held for d and adds d to the moving average.
// Updates racing each other may lose one; an estimate needs no more.
func (l *lane) release(d time.Duration) {
	old := l.service.Load()
	l.service.Store(old + (int64(d)-old)/serviceWeight)
	<-l.slots
}

// giveBack frees a slot that was not used.
func (l *lane) giveBack() { <-l.slots }

// ticket is a visitor's place in the queue.
type ticket struct {
	id      string
	arrival int64 // unix nanoseconds
}

// newTicket hands out a ticket for the arrival, later than every
// earlier one.
func (a *admission) newTicket(at time.Time) ticket {
	for {
		last := a.last.Load()
		arrival := max(at.UnixNano(), last+1)
		if a.last.CompareAndSwap(last, arrival) {
			return ticket{id: rand.Text()[:16], arrival: arrival}
		}
	}
}

// encode is arrival(8) | id, base64url, then "." and the MAC.
func (a *admission) encode(t ticket) string {
	b := binary.BigEndian.AppendUint64(nil, uint64(t.arrival))
	body := base64.RawURLEncoding.EncodeToString(append(b, t.id...))
	return body + "." + base64.RawURLEncoding.EncodeToString(a.mac(body))
}

func (a *admission) mac(body string) []byte {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte("kofu admission ticket\x00" + body))
	return m.Sum(nil)[:16]
}

// ticketOf reads the request's ticket; a forged, damaged or stale one
// counts as none.
func (a *admission) ticketOf(r *http.Request) (ticket, bool) {
	c, err := r.Cookie(ticketCookie)
	if err != nil {
		return ticket{}, false
	}
	body, sig, ok := strings.Cut(c.Value, ".")
	got, err1 := base64.RawURLEncoding.DecodeString(sig)
	raw, err2 := base64.RawURLEncoding.DecodeString(body)
	if !ok || err1 != nil || err2 != nil || len(raw) <= 8 || !hmac.Equal(got, a.mac(body)) {
		return ticket{}, false
	}
	t := ticket{arrival: int64(binary.BigEndian.Uint64(raw)), id: string(raw[8:])}
	if time.Since(time.Unix(0, t.arrival)) > ticketLife {
		return ticket{}, false
	}
	return t, true
}

func (a *admission) giveTicket(w http.ResponseWriter, r *http.Request, t ticket) {
	http.SetCookie(w, &http.Cookie{Name: ticketCookie, Value: a.encode(t), Path: "/", MaxAge: int(ticketLife / time.Second),
		HttpOnly: true, Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https", SameSite: http.SameSiteLaxMode})
}

// busyRetrySeconds is how soon the waiting page tries again.
const (
	busyRetrySeconds = 5
	busyRetry        = "5"
)

// busy answers 503 with Retry-After: JSON for the API, a small page that
// refreshes itself (no JavaScript needed) for browsers.
func busy(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", busyRetry)
	if strings.HasPrefix(r.URL.Path, "/api/") {
		e := apperr.New("busy", "ただいま混み合っています。しばらくしてからもう一度お試しください。")
		api.WriteJSON(w, http.StatusServiceUnavailable, map[string]any{"error": map[string]string{"code": e.Code(), "message": e.Message}})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusServiceUnavailable)
	if r.Method == http.MethodPost {
		// Reloading would ask for the form's address without the form,
		// which is no page; the resident sends the form again instead.
		w.Write([]byte(busyPostPage))
		return
	}
	w.Write([]byte(busyPage))
}

// busyPage is static and tiny so that answering it costs next to nothing.
const busyPage = `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="` + busyRetry + `">
<title>混み合っています | Busy</title>
</head>
<body>
<main>
<h1>ただいま混み合っています</h1>
<p role="status">このページは 5 秒ごとに自動で読み込み直します。そのままお待ちください。先に来た方から順にご案内します（このページを閉じたり、ほかのページへ移ったりすると順番が後ろになることがあります）。予約の受付は終わっていません。</p>
<p lang="en">The booking site is busy. This page reloads by itself every 5 seconds; please wait. Visitors are let in in the order they arrived.</p>
</main>
</body>
</html>
`

// busyPostPage answers a form sent during the rush: it does not reload
// (that would lose the form), it asks to send the form again.
const busyPostPage = `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>混み合っています | Busy</title>
</head>
<body>
<main>
<h1>ただいま混み合っています</h1>
<p role="status">入力した内容はまだ送信されていません。ブラウザの「戻る」で前の画面に戻り、数秒待ってからもう一度送信してください。予約の受付は終わっていません。</p>
<p lang="en">The booking site is busy and your form was not sent. Please go back, wait a few seconds and send it again.</p>
</main>
</body>
</html>
`

// pressure is the share of the slots in use, 1 while anyone waits.
func (a *admission) pressure() float64 {
	if a.nWaiting.Load() > 0 {
		return 1
	}
	return float64(len(a.all.slots)) / float64(cap(a.all.slots))
}
