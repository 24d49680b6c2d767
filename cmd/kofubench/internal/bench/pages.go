package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// get builds a GET from one resident.
func (v *env) get(path string) request {
	return func(i int) (*http.Request, error) {
		req, err := http.NewRequest(http.MethodGet, v.url+path, nil)
		if err == nil {
			req.Header.Set("X-Forwarded-For", residentIP(i))
		}
		return req, err
	}
}

// goodput is the answers per second that served the resident (any
// answer but 503 "busy" and server errors).
func goodput(t *tally, took time.Duration) float64 {
	n := 0
	for s, d := range t.by {
		if s != 0 && s < 500 {
			n += len(d)
		}
	}
	return float64(n) / took.Seconds()
}

// page compares the booking start page with a hello-world handler on the
// same server and the same load.
func (v *env) page(ctx context.Context, s Sizes) (Result, error) {
	c := newClient(s.Workers)
	pt, ptook := closedLoop(ctx, c, s.Workers, s.Duration, 0, v.get("/booking/start"))
	ht, htook := closedLoop(ctx, c, s.Workers, s.Duration, 0, v.get("/bench/hello"))
	r := Result{Figure: "予約ページ（/booking/start）", Value: float64(pt.count(200)) / ptook.Seconds(), Unit: "件/秒",
		Baseline: float64(ht.count(200)) / htook.Seconds(), BaseUnit: "件/秒", BaseText: "同じサーバーの hello-world",
		Target: AtLeast(0.25, "≥ 25%"), Note: fmt.Sprintf("%d 並列", s.Workers)}
	if bad := len(pt.by) + len(ht.by) - 2; bad != 0 || pt.count(200) == 0 {
		r.Note += "、応答: " + pt.String()
	}
	return r, nil
}

// availabilityConns is the load of the availability figure: 64
// connections, as issue #14 measured it with wrk (at most as many as the
// public site admits at once, so that none is sent to the waiting page).
const availabilityConns = 64

// availability compares a month of GET /api/v1/public/availability with
// the hello-world handler on the same server, each request from its own
// client address through the trusted proxy: every address is new to the
// per-IP limit, as in a rush of residents (issue #14).
func (v *env) availability(ctx context.Context, s Sizes) (Result, error) {
	q := url.Values{"service": {monthQuery.Service}, "place": {monthQuery.Place}, "from": {monthQuery.From},
		"to": {monthQuery.To}, "people": {"1"}}
	conns := min(availabilityConns, s.MaxInFlight)
	c := newClient(conns)
	at, atook := closedLoop(ctx, c, conns, s.Duration, 0, v.get("/api/v1/public/availability?"+q.Encode()))
	ht, htook := closedLoop(ctx, c, conns, s.Duration, 0, v.get("/bench/hello"))
	r := Result{Figure: "1 か月の空き状況 API（HTTP、多数のクライアントアドレス）", Value: float64(at.count(200)) / atook.Seconds(), Unit: "件/秒",
		Baseline: float64(ht.count(200)) / htook.Seconds(), BaseUnit: "件/秒", BaseText: "同じサーバーの hello-world",
		Target: AtLeast(0.5, "≥ 50%"), Note: fmt.Sprintf("%d 接続、要求ごとに別の X-Forwarded-For", conns)}
	if bad := len(at.by) + len(ht.by) - 2; bad != 0 || at.count(200) == 0 {
		r.Note += "、応答: " + at.String()
	}
	if n := at.serverErrors() + at.count(http.StatusServiceUnavailable); n > 0 {
		r.Broken = fmt.Errorf("空き状況の 5xx が %d 件", n)
	}
	return r, nil
}

// overload first finds the sustainable rate (as many clients as the
// public site admits), then sends ten times that rate open-loop, 90% page
// views and 10% bookings of the 5-seat counter "over".
func (v *env) overload(ctx context.Context, s Sizes, maxInFlight int) ([]Result, error) {
	v.raw.SetMaxIdleConns(0) // the baselines' own page cache is not the server's
	v.raw.SetMaxIdleConns(2)
	resetPeakRSS()
	c := newClient(4096)
	peakT, peakTook := closedLoop(ctx, c, maxInFlight, s.Duration, 0, v.get("/booking/start"))
	peak := goodput(peakT, peakTook)
	steadyRSS, _ := readRSS()
	steadyGo := goMemory()
	resetPeakRSS()
	ss, err := windowStarts("over")
	if err != nil {
		return nil, err
	}
	page := v.get("/booking/start")
	mixed := func(i int) (*http.Request, error) {
		if i%10 == 9 {
			return v.bookingPost("over", ss[(i/10)%min(4, len(ss))], residentIP(2_000_000+i))
		}
		return page(i)
	}
	rate := 10 * peak
	v.served.Store(newTally())
	t, dropped, took := openLoop(ctx, c, rate, s.Duration, 4096, mixed)
	served := v.served.Swap(nil)
	lanes := v.shedByLane(ctx)
	over, err := v.overbooked(ctx)
	if err != nil {
		return nil, err
	}
	peakRSS, rss := readRSS()
	good := Result{Figure: "過負荷（10 倍）での有効応答", Value: goodput(t, took), Unit: "件/秒",
		Baseline: peak, BaseUnit: "件/秒", BaseText: "持続可能な最大", Target: AtLeast(0.8, "≥ 80%"),
		Note: fmt.Sprintf("送信 %.0f 件/秒、%s、生成側で送れず %d", rate, t.String(), dropped)}
	if len(over) > 0 {
		good.Broken = fmt.Errorf("定員超過: %s", strings.Join(over, ", "))
	}
	shedTimes := served.durations(http.StatusServiceUnavailable)
	shed := Result{Figure: "過負荷: 503（混み合っています）を返すまで p99（サーバー内）",
		Value: percentile(shedTimes, 0.99), Unit: "ms", Target: AtMost(50, "< 50 ms"),
		Note: fmt.Sprintf("503 %d 件（うち 20 ms 以上 %d 件、p50 %.1f ms%s）、クライアントから見た p99 %.0f ms",
			t.count(http.StatusServiceUnavailable), longer(shedTimes, 20*time.Millisecond), percentile(shedTimes, 0.5), lanes,
			percentile(t.by[http.StatusServiceUnavailable], 0.99))}
	if t.count(http.StatusServiceUnavailable) == 0 {
		shed.Note = "503 なし"
	}
	errs := Result{Figure: "過負荷: 503 以外の 5xx", Value: float64(t.serverErrors()), Unit: "件", Target: AtMost(0, "0 件"),
		Note: fmt.Sprintf("通信エラー %d 件 %v", t.count(0), t.errs)}
	if n := t.serverErrors(); n > 0 {
		errs.Broken = fmt.Errorf("503 以外の 5xx が %d 件", n)
	}
	mem := Result{Figure: fmt.Sprintf("ベンチのプロセスの RSS 最大: 持続可能な負荷（%d 並列）", maxInFlight), Value: steadyRSS,
		Unit: "MB", Note: "負荷生成と、直前の作成・取込の名残を含む、" + steadyGo}
	memOver := Result{Figure: "ベンチのプロセスの RSS 最大: 過負荷（10 倍）", Value: peakRSS, Unit: "MB",
		Note: fmt.Sprintf("終了時 %.0f MB、同じプロセスの負荷生成（最大 4096 接続）を含む", rss)}
	return []Result{good, shed, errs, mem, memOver}, nil
}

// shedByLane reads from the server's /metrics why it sent requests to
// the waiting page: the lane that had no slot, and how many of them had
// waited for one in vain.
func (v *env) shedByLane(ctx context.Context) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.url+"/metrics", nil)
	if err != nil {
		return ""
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return ""
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var parts []string
	for line := range strings.Lines(string(b)) {
		for _, name := range []string{"kofu_public_shed_total", "kofu_public_shed_late_total"} {
			if rest, ok := strings.CutPrefix(line, name+"{"); ok {
				label, value, _ := strings.Cut(strings.TrimSpace(rest), "} ")
				parts = append(parts, strings.TrimPrefix(name, "kofu_public_")+"{"+label+"} "+value)
			}
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "、" + strings.Join(parts, " ")
}

// longer counts the durations of at least d.
func longer(durs []time.Duration, d time.Duration) int {
	n := 0
	for _, x := range durs {
		if x >= d {
			n++
		}
	}
	return n
}

// resetPeakRSS returns freed memory to the system and restarts VmHWM
// (Linux: writing 5 to clear_refs), so the peak is this load's.
func resetPeakRSS() {
	debug.FreeOSMemory()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// goMemory tells how much of the process the Go runtime holds (heap and
// stacks, not yet returned to the system); the rest of the RSS is the
// SQLite page caches and the binary.
func goMemory() string {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	mb := func(b uint64) float64 { return float64(b) / (1 << 20) }
	return fmt.Sprintf("うち Go のヒープ %.0f MB・スタック %.0f MB", mb(m.HeapInuse), mb(m.StackInuse))
}

// readRSS returns VmHWM and VmRSS of this process in MB (0 off Linux).
func readRSS() (peak, now float64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	return statusMB(string(b), "VmHWM:"), statusMB(string(b), "VmRSS:")
}

// statusMB reads a "Key:   123 kB" line of /proc/self/status.
func statusMB(status, key string) float64 {
	for line := range strings.Lines(status) {
		if rest, ok := strings.CutPrefix(line, key); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
