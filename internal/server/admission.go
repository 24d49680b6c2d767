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
type admission struct {
	slots chan struct{}
	wait  time.Duration // how long a request may wait for a slot
	key   []byte        // signs the tickets

	mu      sync.Mutex
	waiting map[string]waiter // by ticket ID: visitors seen on the waiting page
	last    int64             // the last arrival handed out, to keep them distinct
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

func newAdmission(maxInFlight int, wait time.Duration, key []byte) *admission {
	return &admission{slots: make(chan struct{}, maxInFlight), wait: wait, key: key, waiting: map[string]waiter{}}
}

// citizen reports whether a path belongs to the public site. Its static
// files are not limited, so the waiting page itself always loads.
func citizen(path string) bool {
	return path == "/" || strings.HasPrefix(path, "/booking/") || strings.HasPrefix(path, "/api/v1/public/")
}

func (a *admission) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !citizen(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		t, held := a.ticketOf(r)
		if !held {
			t = a.newTicket()
		}
		if !a.admit(r, t, held) {
			if !held {
				a.giveTicket(w, r, t)
			}
			busy(w, r)
			return
		}
		defer func() { <-a.slots }()
		next.ServeHTTP(w, r)
	})
}

// admit takes a slot for the request unless older tickets are waiting for
// the free ones. Without anyone ahead it waits a short while for a slot.
// Only a visitor who came back with their ticket (held) joins the queue: a
// client that keeps no cookies, as most bots, never holds a place that
// nobody will claim, so it cannot leave the slots idle while real
// visitors wait behind it.
func (a *admission) admit(r *http.Request, t ticket, held bool) bool {
	now := time.Now()
	a.mu.Lock()
	a.prune(now)
	ahead := a.ahead(t, now)
	free := cap(a.slots) - len(a.slots)
	if ahead < free && a.tryAcquire() {
		delete(a.waiting, t.id)
		a.mu.Unlock()
		return true
	}
	a.mu.Unlock()
	if ahead == 0 && a.acquire(r) {
		a.mu.Lock()
		delete(a.waiting, t.id)
		a.mu.Unlock()
		return true
	}
	if !held {
		return false
	}
	a.mu.Lock()
	if _, ok := a.waiting[t.id]; ok || len(a.waiting) < maxWaiting {
		a.waiting[t.id] = waiter{arrival: t.arrival, seen: now}
	}
	a.mu.Unlock()
	return false
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
}

func (a *admission) tryAcquire() bool {
	select {
	case a.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// acquire takes a slot, waiting a short while when all are taken.
func (a *admission) acquire(r *http.Request) bool {
	if a.tryAcquire() {
		return true
	}
	t := time.NewTimer(a.wait)
	defer t.Stop()
	select {
	case a.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-r.Context().Done():
		return false
	}
}

// ticket is a visitor's place in the queue.
type ticket struct {
	id      string
	arrival int64 // unix nanoseconds
}

// newTicket hands out a ticket for now, later than every earlier one.
func (a *admission) newTicket() ticket {
	a.mu.Lock()
	arrival := max(time.Now().UnixNano(), a.last+1)
	a.last = arrival
	a.mu.Unlock()
	return ticket{id: rand.Text()[:16], arrival: arrival}
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

// pressure is the share of the slots in use, 1 while anyone waits.
func (a *admission) pressure() float64 {
	a.mu.Lock()
	waiting := len(a.waiting)
	a.mu.Unlock()
	if waiting > 0 {
		return 1
	}
	return float64(len(a.slots)) / float64(cap(a.slots))
}
