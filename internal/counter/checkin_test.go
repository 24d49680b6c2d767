package counter_test

import (
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/counter"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestParseScanReadsEveryPrintedForm(t *testing.T) {
	for in, want := range map[string]counter.Scanned{
		"RWDS-Y5YH":  {Kind: counter.ScanBooking, Value: "RWDSY5YH"},
		"rwdsy5yh":   {Kind: counter.ScanBooking, Value: "RWDSY5YH"},
		"ＲＷＤＳ－Ｙ５ＹＨ":  {Kind: counter.ScanBooking, Value: "RWDSY5YH"},
		"A1B-123456": {Kind: counter.ScanNotice, Value: "A1B-123456"},
		"a1b123456":  {Kind: counter.ScanNotice, Value: "A1B-123456"},
		"https://city.example/booking/manage?code=RWDS-Y5YH":   {Kind: counter.ScanBooking, Value: "RWDSY5YH"},
		"https://city.example/booking/start?notice=A1B-123456": {Kind: counter.ScanNotice, Value: "A1B-123456"},
		"HTTPS://YOYAKU.EXAMPLE.LG.JP/N/A1B-123456":            {Kind: counter.ScanNotice, Value: "A1B-123456"},
	} {
		if got, ok := counter.ParseScan(in); !ok || got != want {
			t.Errorf("ParseScan(%q) = %+v, %v; want %+v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "RWDS-Y5Y", "RWDS-Y5YHX", "A1B-12345", "https://city.example/", "山田太郎", "O0OO-1111"} {
		if got, ok := counter.ParseScan(in); ok {
			t.Errorf("ParseScan(%q) = %+v; want refused", in, got)
		}
	}
}

func TestCheckInGivesOneNumberedTicketPerBooking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 3)
		b1 := f.book(t, "main", "2026-12-01 10:00", 1)
		b2 := f.book(t, "main", "2026-12-01 10:30", 2)
		f.at(t, "2026-12-01 09:40")

		tk, created := mustCheckIn(t, f.svc, reserve.FormatCode(b1.Code), "main")
		if !created || tk.Number != "A001" || tk.Position != 1 || tk.BookingID != b1.ID || tk.Follow == "" {
			t.Fatalf("first check-in: %+v created=%v", tk, created)
		}
		again, created := mustCheckIn(t, f.svc, notice(1), "main")
		if created || again.Number != "A001" || again.ID != tk.ID || again.Follow != tk.Follow {
			t.Fatalf("second check-in by notice number: %+v created=%v, want the same ticket", again, created)
		}
		tk2, created := mustCheckIn(t, f.svc, strings.ToLower(b2.Code), "main")
		if !created || tk2.Number != "A002" || tk2.Position != 2 {
			t.Fatalf("second booking: %+v", tk2)
		}
		got, err := f.res.StaffGet(t.Context(), staff, meta, b1.ID)
		if err != nil || got.Status != store.BookingCheckedIn {
			t.Fatalf("booking after check-in: %v %v", got.Status, err)
		}
	})
}

func TestCheckInRefusesInPlainWords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 5)
		other := f.book(t, "main", "2026-12-02 10:00", 1)
		annex := f.book(t, "annex", "2026-12-01 10:00", 2)
		late := f.book(t, "main", "2026-12-01 15:00", 3)
		gone := f.book(t, "main", "2026-12-01 10:00", 4)
		done := f.book(t, "main", "2026-12-01 10:00", 5)
		if _, err := f.res.StaffCancel(t.Context(), staff, meta, gone.ID, reserve.Override{Reason: "電話で取消"}); err != nil {
			t.Fatal(err)
		}
		f.at(t, "2026-12-01 09:30")
		if _, err := f.res.Issue(t.Context(), staff, meta, done.ID, reserve.IssueRequest{Attendance: reserve.AttendanceSelf, Documents: []string{"運転免許証"}}); err != nil {
			t.Fatal(err)
		}
		for code, want := range map[string]apperr.Code{
			other.Code: counter.CodeNotToday, annex.Code: counter.CodeWrongPlace, late.Code: counter.CodeTooEarly,
			gone.Code: counter.CodeCancelled, done.Code: counter.CodeAlreadyIssued,
		} {
			_, _, err := f.svc.CheckIn(t.Context(), clerk, code, "main")
			wantCode(t, err, want)
			if msg := apperr.MessageOf(err); !strings.ContainsAny(msg, "。") {
				t.Errorf("%s: message %q is not a sentence", want, msg)
			}
		}
		// An unknown code and a malformed one get the very same answer.
		_, _, unknown := f.svc.CheckIn(t.Context(), clerk, "ZZZZ-ZZZZ", "main")
		_, _, malformed := f.svc.CheckIn(t.Context(), clerk, "こんにちは", "main")
		_, _, noBooking := f.svc.CheckIn(t.Context(), clerk, "XYZ-999999", "main")
		wantCode(t, unknown, apperr.NotFound)
		if apperr.MessageOf(unknown) != apperr.MessageOf(malformed) || apperr.MessageOf(unknown) != apperr.MessageOf(noBooking) ||
			apperr.CodeOf(malformed) != apperr.NotFound {
			t.Fatalf("unknown %v, malformed %v, no booking %v: want one answer", unknown, malformed, noBooking)
		}
		// The too-early setting: 0 opens check-in all day.
		f.settings(t, func(s *counter.Settings) { s.EarlyMinutes = 0 })
		if tk, _ := mustCheckIn(t, f.svc, late.Code, "main"); tk.Number != "A001" {
			t.Fatalf("late booking with early check-in allowed: %+v", tk)
		}
	})
}

func TestWalkInsOnlyWhenTheCityAllows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 0)
		f.at(t, "2026-12-01 09:00")
		_, err := f.svc.WalkIn(t.Context(), clerk, "main")
		wantCode(t, err, counter.CodeWalkInsOff)
		f.settings(t, func(s *counter.Settings) { s.WalkIns = true })
		tk, err := f.svc.WalkIn(t.Context(), clerk, "main")
		if err != nil || tk.Number != "B001" || tk.BookingID != 0 || tk.Position != 1 {
			t.Fatalf("walk-in: %+v %v", tk, err)
		}
	})
}
