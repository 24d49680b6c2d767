package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// TestCounterDayAtTheKiosk runs the counter day in Chromium: a family's
// booking's QR (read off its image with zbarimg) is typed by the reader
// into the kiosk, which hands out A001; the clerk calls it from the
// counter screen and the waiting room's display shows it, live.
func TestCounterDayAtTheKiosk(t *testing.T) {
	if browserCtx == nil {
		t.Skip("e2e: " + skipReason)
	}
	s := newSite(t, storetest.MustOpen(t, store.SQLite))
	ctx := t.Context()
	from := s.clock.Now().AddDate(0, 0, 8).In(s.tokyo).Format(time.DateOnly)
	to := s.clock.Now().AddDate(0, 0, 20).In(s.tokyo).Format(time.DateOnly)
	av, err := s.city.Reserve.Availability(ctx, reserve.AvailabilityQuery{Service: "pickup", Place: "main", From: from, To: to, People: 2})
	if err != nil || len(av.Slots) == 0 {
		t.Fatalf("no slot for the family: %v", err)
	}
	start := av.Slots[0].Start
	b, _, err := s.city.Reserve.Book(ctx, auth.Meta{IP: "203.0.113.5"}, reserve.CreateRequest{Service: "pickup", Place: "main",
		Start: start.Format(time.RFC3339), Email: "family@example.jp",
		People: []reserve.PersonInput{{NoticeNumber: notice(1), BirthDate: birth(1)}, {NoticeNumber: notice(2), BirthDate: birth(2)}}})
	if err != nil {
		t.Fatal(err)
	}
	qrText := readBookingQR(t, s.url, reserve.FormatCode(b.Code))
	// The family's day: half an hour before the booking.
	s.clock.Advance(start.Add(-30 * time.Minute).Sub(s.clock.Now()))
	a := auth.NewService(s.db, s.clock, secret.TestParams(), "Kofu")
	const pw = "umi-no-mieru-machi-7"
	for _, u := range []auth.NewUser{{Username: "kadmin", Role: auth.RoleAdmin, Password: pw}, {Username: "kclerk", Role: auth.RoleStaff, Password: pw}} {
		if _, err := a.CreateUser(ctx, auth.System("test"), auth.Meta{}, u); err != nil {
			t.Fatal(err)
		}
	}
	admin := newTab(t, s.url, 1366, 768)
	login(admin, "kadmin", pw)
	pair := func(kind, name string) *tab {
		admin.do(chromedp.Navigate(s.url + "/staff/devices"))
		staffCheck(admin)
		admin.do(chromedp.SetValue(chromedp.ID("name"), name), chromedp.SetValue(chromedp.ID("kind"), kind))
		staffSubmit(admin, `form[action="/staff/devices"] button[type=submit]`)
		link := strings.TrimSpace(admin.text("code.token"))
		dev := newTab(t, s.url, 1024, 768)
		dev.do(chromedp.Navigate(s.url + link))
		dev.waitLoad(chromedp.Click(chromedp.CSS(`form[action="/staff/device/pair"] button`)))
		return dev
	}
	kiosk := pair("kiosk", "1階入口 受付機")
	display := pair("display", "待合 呼出表示")
	staffCheck(kiosk)
	staffCheck(display)
	display.mustSee("ただいまお呼びしている番号はありません")

	kiosk.do(chromedp.SendKeys(chromedp.ID("code"), qrText))
	kiosk.waitLoad(chromedp.Click(chromedp.CSS(`form[action="/staff/kiosk"] button`)))
	staffCheck(kiosk)
	if got := kiosk.text("#ticket-number"); got != "A001" {
		t.Fatalf("kiosk ticket %q", got)
	}
	kiosk.mustSee("1 番目")
	if !kiosk.has(`img.qr[src^="data:image/png"]`) {
		t.Fatal("the ticket has no QR to follow it")
	}

	clerk := newTab(t, s.url, 1366, 768)
	login(clerk, "kclerk", pw)
	clerk.do(chromedp.Navigate(s.url + "/staff/checkin"))
	staffCheck(clerk)
	clerk.do(chromedp.Navigate(s.url + "/staff/calls?place=main&desk=3"))
	staffCheck(clerk)
	staffSubmit(clerk, `button[name=action][value=next]`)
	clerk.mustSee("A001 番を呼び出しました")

	// The display follows the call without reloading (Server-Sent Events).
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(display.text(".calling"), "A001") {
		if time.Now().After(deadline) {
			t.Fatalf("the display never showed the call: %q", display.text(".board"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := display.text(".calling"); !strings.Contains(got, "3 番窓口へ") || strings.Contains(display.text("body"), "試験") {
		t.Fatalf("display shows %q", got)
	}
	staffSubmit(clerk, `button[name=action][value=finish]`)
	admin.do(chromedp.Navigate(s.url + "/staff/dashboard"))
	staffCheck(admin)
	admin.mustSee("窓口の待ち時間")
}
