package server

import (
	"bufio"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var pairLink = regexp.MustCompile(`/staff/device/pair\?token=(kofu_device_[a-z0-9]+)`)

// pairDevice registers a device as admin and pairs a fresh browser with
// it, as the tablet would.
func pairDevice(t *testing.T, h *harness, admin *browser, kind, name string) *browser {
	t.Helper()
	status, _, body := admin.post("/staff/devices", url.Values{"name": {name}, "kind": {kind}, "place": {"main"}})
	m := pairLink.FindStringSubmatch(body)
	if status != 200 || m == nil {
		t.Fatalf("register %s: %d", kind, status)
	}
	dev := newBrowser(t, h)
	if status, _, body := dev.get("/staff/device/pair?token=" + m[1]); status != 200 || !strings.Contains(body, "この端末で使う") {
		t.Fatalf("pair page: %d", status)
	}
	status, loc, _ := dev.post("/staff/device/pair", url.Values{"token": {m[1]}})
	if status != 303 || !strings.HasPrefix(loc, "/staff/"+kind) {
		t.Fatalf("pair: %d %s", status, loc)
	}
	return dev
}

// The counter day in pages: a kiosk checks a resident in with the booking
// QR's text, the display shows the number once a desk calls it, and the
// display and kiosk see no name and open no other page.
func TestKioskDisplayAndCounterScreen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(jstTime(t, "2026-11-20 10:00"))
		h := newClockHarness(t, db, clk)
		seedCounterCards(t, db)
		cards := counterCards()
		code := bookCounterCard(t, h, "2026-12-01 10:00", cards[0])
		second := bookCounterCard(t, h, "2026-12-01 10:30", cards[2])
		clk.Advance(jstTime(t, "2026-12-01 09:30").Sub(clk.Now()))
		admin := newBrowser(t, h)
		admin.post("/staff/login", url.Values{"username": {"admin1"}, "password": {password}})
		kiosk := pairDevice(t, h, admin, "kiosk", "入口の受付機")
		display := pairDevice(t, h, admin, "display", "待合の表示")

		status, _, body := kiosk.get("/staff/kiosk")
		if status != 200 || !strings.Contains(body, "番号札を受け取る") {
			t.Fatalf("kiosk page: %d", status)
		}
		status, _, body = kiosk.post("/staff/kiosk", url.Values{"code": {reserve.FormatCode(code)}})
		if status != 200 || !strings.Contains(body, `id="ticket-number">A001<`) || !strings.Contains(body, "data:image/png;base64,") {
			t.Fatalf("kiosk check-in: %d\n%s", status, body)
		}
		status, _, body = kiosk.post("/staff/kiosk", url.Values{"code": {"ZZZZ-ZZZZ"}})
		if status != 404 || !strings.Contains(body, "予約を確認できませんでした") {
			t.Fatalf("unknown code at the kiosk: %d", status)
		}
		for _, p := range []string{"/staff/cards", "/staff/counter", "/staff/calls", "/staff/checkin"} {
			if status, loc, _ := kiosk.get(p); status != 303 || loc != "/staff/login" {
				t.Errorf("kiosk opens %s: %d %s", p, status, loc)
			}
		}
		if status, _, _ := display.post("/staff/kiosk", url.Values{"code": {code}}); status != 403 {
			t.Errorf("display checks in: %d", status)
		}

		// A clerk checks the second resident in at the counter and calls.
		clerk := newBrowser(t, h)
		clerk.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
		status, _, body = clerk.post("/staff/checkin", url.Values{"place": {"main"}, "code": {cards[2].notice}})
		if status != 200 || !strings.Contains(body, `>A002<`) || !strings.Contains(body, "2 番目") {
			t.Fatalf("counter check-in: %d\n%s", status, body)
		}
		_ = second

		events := openEvents(t, h, display)
		status, loc, _ := clerk.post("/staff/calls", url.Values{"place": {"main"}, "desk": {"4"}, "action": {"next"}})
		if status != 303 {
			t.Fatalf("call: %d", status)
		}
		if status, _, body := clerk.get(loc); status != 200 || !strings.Contains(body, "<strong>A001</strong>") {
			t.Fatalf("counter screen after the call: %d\n%s", status, body)
		}
		if !events.waitFor(`"ticket":"A001","desk":"4"`) {
			t.Fatal("the call never reached the display's event stream")
		}
		status, _, body = display.get("/staff/display")
		if status != 200 || !strings.Contains(body, `<span class="number">A001</span><span class="desk">4 番窓口へ</span>`) {
			t.Fatalf("display: %d\n%s", status, body)
		}
		clk.Advance(12 * time.Minute)
		clerk.post("/staff/calls", url.Values{"place": {"main"}, "desk": {"4"}, "action": {"finish"}})
		status, _, body = admin.get("/staff/dashboard")
		if status != 200 || !strings.Contains(body, "窓口の待ち時間") || !strings.Contains(body, `<th scope="row">4</th><td>1</td>`) ||
			!strings.Contains(body, "<td>12.0</td>") {
			t.Fatalf("dashboard without the counter's waits: %d", status)
		}
		status, _, body = display.get("/staff/display")
		for _, c := range cards {
			name := strings.Split(c.name, "　")[0]
			if strings.Contains(body, name) || strings.Contains(events.seen.String(), name) {
				t.Errorf("the display shows the name %s", name)
			}
		}
	})
}

type eventStream struct {
	t    *testing.T
	res  *http.Response
	seen strings.Builder
	got  chan string
}

func openEvents(t *testing.T, h *harness, b *browser) *eventStream {
	t.Helper()
	req, _ := http.NewRequest("GET", h.ts.URL+"/staff/display/events", nil)
	res, err := b.client.Do(req)
	if err != nil || res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %v %v", err, res)
	}
	t.Cleanup(func() { res.Body.Close() })
	s := &eventStream{t: t, res: res, got: make(chan string, 100)}
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			s.got <- sc.Text()
		}
		close(s.got)
	}()
	return s
}

func (s *eventStream) waitFor(want string) bool {
	timeout := time.After(5 * time.Second)
	for {
		select {
		case line, ok := <-s.got:
			if !ok {
				return false
			}
			s.seen.WriteString(line + "\n")
			if strings.Contains(line, want) {
				return true
			}
		case <-timeout:
			return false
		}
	}
}
