package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kofu-oss/kofu/internal/app"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/demo"
	"github.com/kofu-oss/kofu/internal/server"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
	"github.com/kofu-oss/kofu/internal/web"
)

// TestScreenshots captures the pages of the staff manual from a demo city:
//
//	KOFU_SCREENSHOTS=$PWD/docs/screenshots go test -run TestScreenshots ./internal/e2e/
//
// Without KOFU_SCREENSHOTS it is skipped.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("KOFU_SCREENSHOTS")
	if dir == "" {
		t.Skip("KOFU_SCREENSHOTS is not set")
	}
	if browserCtx == nil {
		t.Skip("e2e: " + skipReason)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	url, password, sample := demoServer(t, storetest.MustOpen(t, store.SQLite))
	staff := newShooter(t, url, dir, 1280, 960, false)
	staff.login("demo-admin", password)
	cardURL := staff.hrefOf("/staff/cards?q=タカハシ", `table a[href^="/staff/cards/"]`)
	batchURL := staff.hrefOf("/staff/notices/batches", `table a[href^="/staff/notices/batches/"]`)
	busyDay := strings.TrimPrefix(staff.busyCounterDay(), "/staff/counter?date=")
	bookingURL := staff.hrefOf("/staff/counter?date="+busyDay, `table a[href^="/staff/bookings/"]`)
	for _, p := range []struct{ name, path string }{
		{"staff-home", "/staff/"},
		{"staff-card-search", "/staff/cards?q=タカハシ"},
		{"staff-card", cardURL},
		{"staff-imports", "/staff/imports"},
		{"staff-notices", "/staff/notices"},
		{"staff-returns", "/staff/returns"},
		{"staff-counter", staff.busyCounterDay()},
		{"staff-dashboard", "/staff/dashboard"},
		{"staff-booking-new", "/staff/bookings/new"},
		{"staff-bookings", "/staff/bookings?from=" + busyDay + "&to=" + busyDay},
		{"staff-booking", bookingURL},
		{"staff-booking-settings", "/staff/settings/booking"},
		{"staff-storage", "/staff/storage"},
		{"staff-renotices", "/staff/renotices"},
		{"staff-disposals", "/staff/disposals"},
		{"staff-juki", "/staff/juki"},
		{"staff-atapp-visit", "/staff/atapp/visit"},
		{"staff-reissues", "/staff/reissues"},
		{"staff-reissue-report", "/staff/reissues/report"},
		{"staff-surface", "/staff/surface"},
		{"staff-ledger-import", "/staff/imports/ledger"},
		{"staff-gaiji", "/staff/gaiji"},
		{"staff-audit", "/staff/audit"},
		{"staff-users", "/staff/users"},
		{"staff-texts", "/staff/settings/texts"},
		{"staff-mail", "/staff/settings/mail"},
		{"staff-notice-batches", "/staff/notices/batches"},
		{"staff-notice-batch", batchURL},
		{"staff-notice-plan", "/staff/notices/plan"},
		{"staff-notice-settings", "/staff/settings/notices"},
		{"staff-national-report", "/staff/reports/national"},
		{"staff-checkin", "/staff/checkin"},
		{"staff-calls", "/staff/calls?place=main&desk=2"},
		{"staff-devices", "/staff/devices"},
		{"counter-kiosk", "/staff/kiosk"},
		{"counter-display", "/staff/display"},
	} {
		staff.shoot(p.name, p.path)
	}
	// A booking's counter page, opened from the counter list as a clerk does.
	staff.do(chromedp.Navigate(staff.base + staff.busyCounterDay()))
	staff.next(`form[action$="/issue"] button`)
	staff.shootHere("staff-booking-issue")
	issued := staff.hrefOf("/staff/cards?status=issued", `table a[href^="/staff/cards/"]`)
	staff.shoot("staff-handover-slip", strings.Replace(issued, "/staff/cards/", "/staff/print/handover/", 1))
	citizen := newShooter(t, url, dir, 400, 800, true)
	citizen.shoot("citizen-top", "/")
	citizen.shoot("citizen-manage", "/booking/manage")
	citizen.shoot("citizen-identify", "/booking/start?service=pickup")
	citizen.bookSample(sample)
}

// bookSample books the demo sample, capturing the steps on the way.
func (s *shooter) bookSample(sample web.DemoSample) {
	s.t.Helper()
	p := strings.Split(sample.BirthDate, "-")
	if len(p) != 3 {
		s.t.Fatalf("demo sample born %q", sample.BirthDate)
	}
	y, m, d := p[0], strings.TrimLeft(p[1], "0"), strings.TrimLeft(p[2], "0")
	s.do(chromedp.SendKeys(chromedp.ID("notice0"), sample.NoticeNumber),
		chromedp.SetValue(chromedp.ID("by0"), y), chromedp.SetValue(chromedp.ID("bm0"), m),
		chromedp.SetValue(chromedp.ID("bd0"), d))
	s.next(`.buttons button.primary`)
	if s.has(`#place0`) {
		s.do(chromedp.Click(chromedp.ID("place0")))
		s.shootHere("citizen-place")
		s.next(`.buttons button.primary`)
	}
	for range 3 {
		if s.has(`table.cal button[name=date]`) {
			break
		}
		s.next(`.month-nav > button:last-child`)
	}
	s.shootHere("citizen-date")
	s.next(`table.cal button[name=date]`)
	s.shootHere("citizen-time")
	s.next(`button.slot`)
	s.do(chromedp.Click(chromedp.ID("who0")))
	s.shootHere("citizen-questions")
	s.next(`.buttons button.primary`)
	s.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("input[name=tick]").forEach(e => e.checked || e.click())`))
	s.shootHere("citizen-checklist")
	s.next(`.buttons button.primary`)
	s.do(chromedp.SendKeys(chromedp.ID("email"), "demo@example.jp"))
	s.next(`.buttons button.primary`)
	s.shootHere("citizen-confirm")
	s.next(`.buttons button.primary`)
	s.shootHere("citizen-done")
}

func (s *shooter) next(sel string) {
	s.t.Helper()
	s.waitLoad(chromedp.Click(chromedp.CSS(sel)))
}

// demoSite is a server seeded as `kofu serve --demo` does.
type demoSite struct {
	url, password string
	srv           *server.Server
	city          *app.City
	loc           *time.Location
	samples       []web.DemoSample
}

// startDemo starts a server on db seeded as `kofu serve --demo` does.
func startDemo(t *testing.T, db *store.DB) demoSite {
	t.Helper()
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	cfg := &config.Config{Location: tokyo, Sites: "all", Demo: true}
	a := auth.NewService(db, clock.System{}, secret.TestParams(), "Kofu")
	ctx := t.Context()
	city, err := app.New(ctx, app.Deps{Config: cfg, DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Auth: a, Clock: clock.System{}})
	if err != nil {
		t.Fatal(err)
	}
	accs, err := demo.City{DB: db, Auth: a, Reserve: city.Reserve, Clock: clock.System{}, Loc: tokyo}.Seed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	samples, err := demo.Samples(ctx, db, 3)
	if err != nil {
		t.Fatal(err)
	}
	var shown []web.DemoSample
	for _, s := range samples {
		shown = append(shown, web.DemoSample{NoticeNumber: s[0], BirthDate: s[1]})
	}
	srv, err := server.New(city, server.Options{DemoSamples: shown})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return demoSite{url: ts.URL, password: accs[0].Password, srv: srv, city: city, loc: tokyo, samples: shown}
}

// demoServer returns the demo's address, the demo admin's password and a
// sample card for the citizen pages.
func demoServer(t *testing.T, db *store.DB) (string, string, web.DemoSample) {
	d := startDemo(t, db)
	return d.url, d.password, d.samples[0]
}

// shooter is a tab that saves PNGs into dir: the first screen, or the
// whole page when full (the citizen pages are short; staff lists are not).
type shooter struct {
	*tab
	dir  string
	full bool
}

func newShooter(t *testing.T, base, dir string, w, h int64, full bool) *shooter {
	return &shooter{tab: newTab(t, base, w, h), dir: dir, full: full}
}

func (s *shooter) login(user, password string) {
	s.t.Helper()
	s.do(chromedp.Navigate(s.base+"/staff/login"),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), password))
	s.waitLoad(chromedp.Click(chromedp.CSS(`button[type=submit]`)))
}

// busyCounterDay is the counter list of the first day with demo pickups.
func (s *shooter) busyCounterDay() string {
	s.t.Helper()
	day := time.Now()
	for range 14 {
		path := "/staff/counter?date=" + day.Format("2006-01-02")
		s.do(chromedp.Navigate(s.base + path))
		if !strings.Contains(s.text("main"), "（0 件）") {
			return path
		}
		day = day.AddDate(0, 0, 1)
	}
	return "/staff/counter"
}

// hrefOf opens path and returns the link of the first element matching sel.
func (s *shooter) hrefOf(path, sel string) string {
	s.t.Helper()
	s.do(chromedp.Navigate(s.base + path))
	var href string
	s.eval(`document.querySelector(`+jsString(sel)+`).getAttribute("href")`, &href)
	return href
}

func jsString(s string) string { return "'" + s + "'" }

// shoot saves the page at path as name.png, the whole page long.
func (s *shooter) shoot(name, path string) {
	s.t.Helper()
	s.do(chromedp.Navigate(s.base + path))
	s.shootHere(name)
}

// shootHere saves the page on screen as name.png.
func (s *shooter) shootHere(name string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, stepTimeout)
	defer cancel()
	shot := chromedp.CaptureScreenshot()
	if s.full {
		shot = chromedp.FullScreenshot(100)
	}
	png, err := chromedp.Run(ctx, shot)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, name+".png"), png, 0o644); err != nil {
		s.t.Fatal(err)
	}
}
