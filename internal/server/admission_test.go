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
	h := newAdmission(1, 20*time.Millisecond).middleware(slow)

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
	after := httptest.NewRecorder()
	h.ServeHTTP(after, httptest.NewRequest("GET", "/", nil))
	if after.Code != 200 {
		t.Fatalf("after the rush: %d", after.Code)
	}
}
