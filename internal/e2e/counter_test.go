package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
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
// counter screen and the waiting room's display shows it, live. At the
// desk each of the family signs the 交付受付確認票 on the tablet page with
// a finger (Chromium's input events on the canvas), and the clerk sees
// the signatures on the handover screen and issues both cards.
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
	signOnTheTablet(t, s, b.Booking, pw)
	issueAfterSigning(t, s, clerk, b.Booking)
	clerk.do(chromedp.Navigate(s.url + "/staff/calls?place=main&desk=3"))
	staffSubmit(clerk, `button[name=action][value=finish]`)
	admin.do(chromedp.Navigate(s.url + "/staff/dashboard"))
	staffCheck(admin)
	admin.mustSee("窓口の待ち時間")
}

// signOnTheTablet opens the tablet reception as a clerk on a tablet-sized
// tab and has each person of the booking tick the confirmation and sign
// on the canvas with pointer input.
func signOnTheTablet(t *testing.T, s *site, b store.Booking, pw string) {
	t.Helper()
	tablet := newTab(t, s.url, 1024, 768)
	login(tablet, "kclerk", pw)
	tablet.do(chromedp.Navigate(s.url + "/staff/bookings/" + strconv.FormatInt(b.ID, 10) + "/reception"))
	for range b.People {
		staffCheck(tablet)
		tablet.mustSee("交付受付確認票", "暗証番号はこの画面では入力しません", "生年月日")
		if tablet.has(".js-off:not([hidden])") || !tablet.has("button.sign:not([hidden])") {
			t.Fatal("the signature pad is not offered although scripts run")
		}
		// Sending without a signature is refused in plain words.
		for _, key := range []string{"details", "identity", "notice", "pin"} {
			tablet.do(chromedp.Click(chromedp.CSS(`input[name=ticks][value=` + key + `]`)))
		}
		tablet.do(chromedp.Click(chromedp.CSS(`input[name=brought][value="運転免許証"]`)))
		staffSubmit(tablet, "button.sign")
		tablet.mustSee("署名がありません")
		if tablet.has(`input[name=ticks][value=pin]:not(:checked)`) {
			t.Fatal("the refused form lost the ticks")
		}
		drawSignature(t, tablet)
		staffSubmit(tablet, "button.sign")
		tablet.mustSee("確認票を受け付けました")
	}
	tablet.mustSee("全員の確認が終わりました")
}

// drawSignature draws a zigzag across the canvas with the mouse: pressed,
// moved, released, as a finger's pointer events arrive.
func drawSignature(t *testing.T, tb *tab) {
	t.Helper()
	var box struct{ X, Y, W, H float64 }
	tb.eval(`(() => { const c = document.getElementById("signature-pad"); c.scrollIntoView({block: "center"});
		const r = c.getBoundingClientRect(); return {X: r.left, Y: r.top, W: r.width, H: r.height}; })()`, &box)
	if box.W < 200 || box.H < 50 {
		t.Fatalf("signature pad %+v", box)
	}
	at := func(i int) (float64, float64) {
		x := box.X + box.W*(0.1+0.8*float64(i)/20)
		y := box.Y + box.H*0.3
		if i%2 == 1 {
			y = box.Y + box.H*0.7
		}
		return x, y
	}
	x, y := at(0)
	acts := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft)}
	for i := 1; i <= 20; i++ {
		x, y = at(i)
		acts = append(acts, chromedp.MouseEvent(chromedp.MouseMoved, x, y, chromedp.ButtonLeft, leftHeld))
	}
	acts = append(acts, chromedp.MouseEvent(chromedp.MouseReleased, x, y, chromedp.ButtonLeft))
	tb.do(acts...)
}

// issueAfterSigning has the clerk open the handover screen for each
// person, see the signature from the tablet and issue the card.
func issueAfterSigning(t *testing.T, s *site, clerk *tab, b store.Booking) {
	t.Helper()
	for _, p := range b.People {
		clerk.do(chromedp.Navigate(s.url + "/staff/bookings/" + strconv.FormatInt(b.ID, 10) + "/issue?person=" + strconv.FormatInt(p.ID, 10)))
		staffCheck(clerk)
		clerk.mustSee("タブレットで署名済み")
		var loaded bool
		clerk.eval(`(() => { const i = document.querySelector("img.signature"); return !!i && i.complete && i.naturalWidth > 0; })()`, &loaded)
		if !loaded {
			t.Fatal("the handover screen does not show the signature")
		}
		if !clerk.has(`input[name=documents][value="運転免許証"]:checked`) {
			t.Error("the documents the resident named on the tablet are not offered to the clerk")
		}
		staffSubmit(clerk, `form[action$="/issue"] button[type=submit]`)
		clerk.mustSee("交付を記録しました")
	}
	got, err := s.city.Reserve.StaffGet(t.Context(), auth.System("test"), auth.Meta{}, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range got.People {
		if p.Status != store.PersonIssued {
			t.Errorf("person %d is %s after the handover", p.ID, p.Status)
		}
	}
}

// leftHeld marks a mouse move with the left button held down.
func leftHeld(p *input.DispatchMouseEventParams) { p.Buttons = 1 }
