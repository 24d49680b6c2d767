package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// client is the load generator's HTTP client: keep-alive connections to
// the loopback server, a timeout so a stuck server shows as errors.
func newClient(conns int) *http.Client {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: 30 * time.Second}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// request builds the i-th request of a load.
type request func(i int) (*http.Request, error)

// outcome is one answered (or failed) request.
type outcome struct {
	status int // 0: transport error
	took   time.Duration
}

// tally collects outcomes by status.
type tally struct {
	mu   sync.Mutex
	by   map[int][]time.Duration
	errs []string
}

func newTally() *tally { return &tally{by: map[int][]time.Duration{}} }

func (t *tally) add(o outcome, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.by[o.status] = append(t.by[o.status], o.took)
	if err != nil && len(t.errs) < 3 {
		t.errs = append(t.errs, err.Error())
	}
}

func (t *tally) count(status int) int { return len(t.durations(status)) }

// durations returns a copy of the times of one status; the server may
// still be recording its last answers when the load ends.
func (t *tally) durations(status int) []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.by[status])
}

// serverErrors counts 5xx answers other than 503.
func (t *tally) serverErrors() int {
	n := 0
	for s, d := range t.by {
		if s >= 500 && s != http.StatusServiceUnavailable {
			n += len(d)
		}
	}
	return n
}

func (t *tally) String() string {
	var parts []string
	for s, d := range t.by {
		parts = append(parts, fmt.Sprintf("%d×%d", s, len(d)))
	}
	return strings.Join(parts, " ")
}

// do sends one request and reads the whole answer.
func do(c *http.Client, req *http.Request) (outcome, error) {
	start := time.Now()
	res, err := c.Do(req)
	if err != nil {
		return outcome{took: time.Since(start)}, err
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return outcome{status: res.StatusCode, took: time.Since(start)}, err
}

// closedLoop runs workers that each send the next request as soon as the
// last is answered, for d (the last answers are awaited) or until n requests (n > 0) have been sent.
func closedLoop(ctx context.Context, c *http.Client, workers int, d time.Duration, n int, mk request) (*tally, time.Duration) {
	t := newTally()
	var next atomic.Int64
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := int(next.Add(1)) - 1
				if n > 0 && i >= n {
					return
				}
				req, err := mk(i)
				if err != nil {
					t.add(outcome{}, err)
					return
				}
				t.add(do(c, req.WithContext(ctx)))
			}
		})
	}
	wg.Wait()
	return t, time.Since(start)
}

// openLoop sends rate requests per second for d whatever the answers,
// as residents do when a booking opens; at most maxOutstanding wait at
// once (the rest count as the generator's own drops). The time returned
// runs until the last answer.
//
// While maxOutstanding requests wait, the generator blocks until one is
// answered and counts the arrivals due meanwhile as dropped, rather than
// spinning through them one by one: on a machine it shares with the
// server, that spinning took a core from the server it measures.
func openLoop(ctx context.Context, c *http.Client, rate float64, d time.Duration, maxOutstanding int, mk request) (*tally, int, time.Duration) {
	t := newTally()
	interval := time.Duration(float64(time.Second) / rate)
	sem := make(chan struct{}, maxOutstanding)
	var wg sync.WaitGroup
	dropped := 0
	start := time.Now()
	end := time.NewTimer(d)
	defer end.Stop()
	for i := 0; ; i++ {
		at := start.Add(time.Duration(i) * interval)
		if at.Sub(start) >= d || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Until(at))
		select {
		case sem <- struct{}{}:
		default:
			select {
			case sem <- struct{}{}:
			case <-end.C:
				dropped += int(d-at.Sub(start)) / int(interval)
				wg.Wait()
				return t, dropped, time.Since(start)
			case <-ctx.Done():
				wg.Wait()
				return t, dropped, time.Since(start)
			}
			missed := int(time.Since(at) / interval)
			dropped += missed
			i += missed
		}
		req, err := mk(i)
		if err != nil {
			<-sem
			t.add(outcome{}, err)
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			t.add(do(c, req.WithContext(ctx)))
		})
	}
	wg.Wait()
	return t, dropped, time.Since(start)
}

// residentIP is the address of the i-th simulated resident.
func residentIP(i int) string { return fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255) }
