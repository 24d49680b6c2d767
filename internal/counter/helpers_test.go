package counter_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/counter"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
)

var (
	staff = auth.Principal{UserID: 7, Username: "kofu-tanaka", Role: auth.RoleStaff}
	admin = auth.Principal{UserID: 1, Username: "admin", Role: auth.RoleAdmin}
	meta  = auth.Meta{IP: "192.0.2.10", RequestID: "req-1"}
	clerk = counter.StaffActor(staff, meta)
)

func jst(tb testing.TB, s string) time.Time {
	tb.Helper()
	loc, _ := time.LoadLocation("Asia/Tokyo")
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// fixture: bookings made on Friday 2026-11-20 for Tuesday 2026-12-01,
// which the test then lives through.
type fixture struct {
	db    *store.DB
	clock *clock.Fixed
	res   *reserve.Service
	svc   *counter.Service
}

func notice(i int) string { return fmt.Sprintf("QUE-%06d", i) }
func birth(i int) string {
	return time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*41).Format(time.DateOnly)
}

func newFixture(t testing.TB, db *store.DB, cards int) *fixture {
	t.Helper()
	f := &fixture{db: db, clock: clock.NewFixed(jst(t, "2026-11-20 10:00"))}
	f.res = reserve.New(db, f.clock)
	st := booking.DefaultSettings()
	st.PublicRateLimitPerMinute = 10000
	st.Places[0].Capacity = 50
	annex := st.Places[0]
	annex.ID, annex.Name = "annex", "北支所"
	st.Places = append(st.Places, annex)
	st.Services[0].Places = []string{"main", "annex"}
	if err := f.res.SaveSettings(t.Context(), admin, auth.Meta{}, st); err != nil {
		t.Fatal(err)
	}
	f.svc = counter.New(counter.Deps{DB: db, Clock: f.clock, Bookings: f.res.Settings, Key: []byte("test key")})
	for i := 1; i <= cards; i++ {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: i, Notice: notice(i), Birth: birth(i), Status: card.StatusNoticeSent,
			Name: fmt.Sprintf("住民　%d", i), Kana: "ジュウミン", Storage: fmt.Sprintf("A棚-%d", i)})
	}
	return f
}

// book books card i at the place and Tokyo time, and returns the booking.
func (f *fixture) book(t *testing.T, place, start string, i int) reserve.Booking {
	t.Helper()
	b, _, err := f.res.Book(t.Context(), meta, reserve.CreateRequest{Service: "pickup", Place: place,
		Start: jst(t, start).Format(time.RFC3339), Email: "taro@example.jp",
		People: []reserve.PersonInput{{NoticeNumber: notice(i), BirthDate: birth(i)}}})
	if err != nil {
		t.Fatalf("book card %d: %v", i, err)
	}
	return b
}

func (f *fixture) at(t testing.TB, s string) {
	t.Helper()
	f.clock.Advance(jst(t, s).Sub(f.clock.Now()))
}

func (f *fixture) settings(t testing.TB, edit func(*counter.Settings)) {
	t.Helper()
	st := counter.DefaultSettings()
	edit(&st)
	if err := f.svc.SaveSettings(t.Context(), counter.StaffActor(admin, meta), st); err != nil {
		t.Fatal(err)
	}
}

func mustCheckIn(t *testing.T, svc *counter.Service, code, place string) (counter.Ticket, bool) {
	t.Helper()
	tk, created, err := svc.CheckIn(context.Background(), clerk, code, place)
	if err != nil {
		t.Fatalf("check in %q: %v", code, err)
	}
	return tk, created
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("want %s, got %v", code, err)
	}
}
