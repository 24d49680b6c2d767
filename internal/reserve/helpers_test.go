package reserve_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
)

// staff is the principal of staff actions in tests.
var staff = auth.Principal{UserID: 7, Username: "kofu-tanaka", Role: auth.RoleStaff}

func mustTokyo(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

// jst returns a Tokyo wall-clock time "2026-12-01 09:00".
func jst(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, mustTokyo(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// fixture is a service on a fresh database at a fixed time: Friday
// 2026-11-20 10:00 in Tokyo, so Tuesday 2026-12-01 is bookable and can be
// changed until the end of 2026-11-28.
type fixture struct {
	db    *store.DB
	clock *clock.Fixed
	svc   *reserve.Service
	meta  auth.Meta
}

func newFixture(t *testing.T, db *store.DB, edit func(*booking.Settings)) *fixture {
	t.Helper()
	f := &fixture{db: db, clock: clock.NewFixed(jst(t, "2026-11-20 10:00")), meta: auth.Meta{IP: "192.0.2.10", RequestID: "req-1"}}
	f.svc = reserve.New(db, f.clock)
	st := booking.DefaultSettings()
	st.PublicRateLimitPerMinute = 10000
	if edit != nil {
		edit(&st)
	}
	if err := f.svc.SaveSettings(t.Context(), auth.Principal{UserID: 1, Username: "admin", Role: auth.RoleAdmin}, auth.Meta{}, st); err != nil {
		t.Fatalf("settings: %v", err)
	}
	return f
}

// capacity sets the seats of the default place.
func capacity(n int) func(*booking.Settings) {
	return func(st *booking.Settings) { st.Places[0].Capacity = n }
}

// notice returns the notice number of test card i.
func notice(i int) string { return fmt.Sprintf("ABC-%06d", i) }

// birth returns the birth date of the resident of test card i.
func birth(i int) string {
	return time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*37).Format(time.DateOnly)
}

// mustCards seeds cards 1..n waiting for pickup.
func mustCards(t *testing.T, db *store.DB, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: i, Notice: notice(i), Birth: birth(i), Status: card.StatusNoticeSent,
			Name: fmt.Sprintf("住民　%d", i), Kana: "ジュウミン", Storage: fmt.Sprintf("A棚-%d", i)})
	}
}

// pickup is a web request for the cards at the start (Tokyo time).
func pickup(tb testing.TB, start string, cards ...int) reserve.CreateRequest {
	req := reserve.CreateRequest{Service: "pickup", Place: "main", Start: jst(tb, start).Format(time.RFC3339), Email: "taro@example.jp"}
	for _, i := range cards {
		req.People = append(req.People, reserve.PersonInput{NoticeNumber: notice(i), BirthDate: birth(i)})
	}
	return req
}

func (f *fixture) mustBook(t *testing.T, req reserve.CreateRequest) (reserve.Booking, string) {
	t.Helper()
	b, token, err := f.svc.Book(t.Context(), f.meta, req)
	if err != nil {
		t.Fatalf("book %+v: %v", req, err)
	}
	return b, token
}

func (f *fixture) cardStatus(t *testing.T, i int) card.Status {
	t.Helper()
	var st card.Status
	err := f.db.View(t.Context(), func(tx *store.Tx) error {
		rec, err := tx.CardByNoticeNumber(t.Context(), notice(i))
		st = rec.Status
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// verify checks that the seat counts match the bookings.
func (f *fixture) verify(t *testing.T) {
	t.Helper()
	if err := f.db.View(t.Context(), func(tx *store.Tx) error { return tx.VerifySlotUsage(t.Context()) }); err != nil {
		t.Fatal(err)
	}
}

// remaining returns the seats left at the start for one more web booking
// (0 when the start is not offered).
func (f *fixture) remaining(t *testing.T, service, start string) int {
	t.Helper()
	s := jst(t, start)
	day := s.Format(time.DateOnly)
	av, err := f.svc.Availability(t.Context(), reserve.AvailabilityQuery{Service: service, Place: "main", From: day, To: day, People: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, sl := range av.Slots {
		if sl.Start.Equal(s) {
			return sl.Remaining
		}
	}
	return 0
}

// auditActions lists the actions of the audit log, oldest first.
func (f *fixture) auditActions(t *testing.T, prefix string) []string {
	t.Helper()
	var out []string
	err := f.db.View(t.Context(), func(tx *store.Tx) error {
		_, err := tx.SearchAudit(t.Context(), store.AuditFilter{Action: prefix}, func(e audit.Entry) error {
			out = append([]string{e.Action + " " + e.Actor + " " + e.IP}, out...)
			return nil
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("want %s, got %v", code, err)
	}
}

func isLimit(err error) (*reserve.LimitError, bool) {
	var le *reserve.LimitError
	return le, errors.As(err, &le)
}
