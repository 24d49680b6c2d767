package e2e

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// A resident phones to book, the clerk books for them; they phone again
// for another time and the clerk, finding the booking from the QR's text
// in the header scan field, moves it: the code stays and the resident
// gets one mail about the change.
func TestClerkMovesAPhoneCallersBooking(t *testing.T) {
	if browserCtx == nil {
		t.Skip("e2e: " + skipReason)
	}
	storetest.One(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		a := auth.NewService(db, s.clock, secret.TestParams(), "Kofu")
		const password = "kawasemi-2026-window"
		if _, err := a.CreateUser(t.Context(), auth.System("test"), auth.Meta{}, auth.NewUser{Username: "clerk", Role: auth.RoleStaff, Password: password}); err != nil {
			t.Fatal(err)
		}
		first, second := s.openDays(t)
		tb := newTab(t, s.url, 1366, 768)
		login(tb, "clerk", password)

		// The call: one card, a mail address, the first free time.
		staffOpen(tb, "/staff/bookings/new?"+url.Values{"service": {"pickup"}, "place": {"main"}, "date": {first},
			"people": {"1"}, "channel": {"phone"}}.Encode())
		tb.do(chromedp.Click(chromedp.CSS(`input[name=start]`)),
			chromedp.SendKeys(chromedp.ID("p0-notice"), notice(3)), chromedp.SendKeys(chromedp.ID("p0-birth"), birth(3)),
			chromedp.SendKeys(chromedp.ID("email"), "caller@example.jp"))
		staffSubmit(tb, `form[action="/staff/bookings/new"][method=post] button[type=submit]`)
		tb.mustSee("予約を登録しました")
		code := strings.TrimSpace(tb.text(".highlight .status"))
		s.sendMail()
		if n := mailsTo(s, "caller@example.jp"); n != 1 {
			t.Fatalf("the confirmation: %d mails", n)
		}

		// The caller reads the QR of the printout; the clerk scans it into
		// the header's field and lands on the booking.
		qrText := readBookingQR(t, s.url, code)
		tb.do(chromedp.SendKeys(chromedp.ID("scan-code"), qrText))
		tb.waitLoad(chromedp.SendKeys(chromedp.ID("scan-code"), kb.Enter))
		staffCheck(tb)
		if title := tb.title(); title != "予約 "+code {
			t.Fatalf("the scan field opens %q, want the booking %s", title, code)
		}
		tb.mustSee("試験　太郎3", "予約の登録")

		// Another day: show its free times, take the first.
		tb.do(chromedp.SetValue(chromedp.ID("move-date"), second))
		staffSubmit(tb, `form[aria-label="変更先の日付"] button[type=submit]`)
		tb.do(chromedp.Click(chromedp.CSS(`form[action$="/move"] input[name=start]`)))
		staffSubmit(tb, `form[action$="/move"] button[type=submit]`)
		tb.mustSee("予約の日時を変更しました。予約番号は変わりません。", code, second)
		if title := tb.title(); title != "予約 "+code {
			t.Fatalf("after the move the page is %q", title)
		}
		got := s.bookingByCode(t, code)
		if got.Date != second || got.Status != store.BookingBooked {
			t.Fatalf("moved booking %s %s", got.Date, got.Status)
		}
		s.sendMail()
		if n := mailsTo(s, "caller@example.jp"); n != 2 {
			t.Fatalf("one mail for the change: %d mails in all", n)
		}
		s.wantMail(t, "caller@example.jp", "【予約変更】", code, "DTSTART:"+got.Start.UTC().Format("20060102T150405Z"))

		// The search finds it by name across days; its card page shows it.
		staffOpen(tb, "/staff/bookings?q="+url.QueryEscape("太郎3"))
		tb.mustSee("検索結果（1 件）", code)
		staffSubmit(tb, `a[href="/staff/bookings/`+strconv.FormatInt(got.ID, 10)+`"]`)
		staffSubmit(tb, `a[href^="/staff/cards/"]`)
		tb.mustSee("交付予約", code, second)
	})
}

// openDays are the first two days with free times at the main place.
func (s *site) openDays(t *testing.T) (string, string) {
	t.Helper()
	now := s.clock.Now().In(s.tokyo)
	av, err := s.city.Reserve.Availability(t.Context(), reserve.AvailabilityQuery{Service: "pickup", Place: "main",
		From: now.AddDate(0, 0, 7).Format(time.DateOnly), To: now.AddDate(0, 0, 30).Format(time.DateOnly), People: 1,
		Channel: booking.ChannelPhone})
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, sl := range av.Slots {
		d := sl.Start.In(s.tokyo).Format(time.DateOnly)
		if len(days) == 0 || days[len(days)-1] != d {
			days = append(days, d)
		}
	}
	if len(days) < 2 {
		t.Fatalf("two open days: %v", days)
	}
	return days[0], days[1]
}

func (s *site) bookingByCode(t *testing.T, display string) store.Booking {
	t.Helper()
	code, _ := reserve.NormalizeCode(display)
	var b store.Booking
	err := s.db.View(t.Context(), func(tx *store.Tx) (err error) { b, err = tx.BookingByCode(t.Context(), code); return err })
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mailsTo(s *site, addr string) int {
	n := 0
	for _, r := range s.sink.Messages() {
		if r.To == addr {
			n++
		}
	}
	return n
}

// readBookingQR fetches the booking's QR as the citizen site draws it and
// reads it back with zbarimg, as a reader at the counter would.
func readBookingQR(t *testing.T, base, code string) string {
	t.Helper()
	res, err := http.Get(base + "/booking/qr?code=" + url.QueryEscape(code))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	png, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("QR: %d %v", res.StatusCode, err)
	}
	path := filepath.Join(t.TempDir(), "qr.png")
	if err := os.WriteFile(path, png, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", path).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	return strings.TrimSpace(string(out))
}
