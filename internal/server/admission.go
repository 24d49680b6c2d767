package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/api"
	"github.com/kofu-oss/kofu/internal/apperr"
)

// admission bounds how many citizen requests run at once. When a booking
// opens and thousands arrive together, the excess is answered at once with
// a calm waiting page that retries by itself, instead of queueing until
// everyone times out. Staff pages, the staff API and operations endpoints
// are never held back: the counter keeps working during a rush.
type admission struct {
	slots chan struct{}
	wait  time.Duration // how long a request may wait for a slot
}

func newAdmission(maxInFlight int, wait time.Duration) *admission {
	return &admission{slots: make(chan struct{}, maxInFlight), wait: wait}
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
		if !a.acquire(r) {
			busy(w, r)
			return
		}
		defer func() { <-a.slots }()
		next.ServeHTTP(w, r)
	})
}

// acquire takes a slot, waiting a short while when all are taken.
func (a *admission) acquire(r *http.Request) bool {
	select {
	case a.slots <- struct{}{}:
		return true
	default:
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

// busyRetry is how soon the waiting page tries again.
const busyRetry = "5"

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
<p role="status">このページは 5 秒ごとに自動で読み込み直します。そのままお待ちください。予約の受付は終わっていません。</p>
<p lang="en">The booking site is busy. This page reloads by itself every 5 seconds; please wait.</p>
</main>
</body>
</html>
`
