package reserve_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func monthQuery() reserve.AvailabilityQuery {
	return reserve.AvailabilityQuery{Service: "pickup", Place: "main", From: "2026-12-01", To: "2026-12-31", People: 1}
}

func TestPerIPLimitIsSharedThroughTheDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, func(st *booking.Settings) { st.PublicRateLimitPerMinute = 3 })
		f.clock.Advance(15 * time.Second) // 10:00:15
		other := reserve.New(db, f.clock) // a second server process
		for i := range 3 {
			svc := []*reserve.Service{f.svc, other}[i%2]
			if _, err := svc.PublicAvailability(t.Context(), f.meta, monthQuery()); err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
		}
		_, err := other.PublicAvailability(t.Context(), f.meta, monthQuery())
		le, ok := isLimit(err)
		if !ok || le.RetryAfter != 45*time.Second || !apperr.Is(err, apperr.RateLimited) {
			t.Fatalf("fourth request: want a limit with 45 s to wait, got %v", err)
		}
		if _, err := f.svc.PublicAvailability(t.Context(), auth.Meta{IP: "192.0.2.99"}, monthQuery()); err != nil {
			t.Fatalf("another IP is not limited: %v", err)
		}
		f.clock.Advance(45 * time.Second)
		if _, err := f.svc.PublicAvailability(t.Context(), f.meta, monthQuery()); err != nil {
			t.Fatalf("next minute: %v", err)
		}
	})
}

func TestPerNoticeLimitStopsBirthDateGuessing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 1)
		guess := pickup(t, "2026-12-01 09:00", 1)
		for i := range 10 {
			guess.People[0].BirthDate = time.Date(1960, 1, 1+i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
			m := auth.Meta{IP: fmt.Sprintf("203.0.113.%d", i)} // a new IP each time does not help
			_, _, err := f.svc.Book(t.Context(), m, guess)
			wantCode(t, err, reserve.CodeNotMatched)
		}
		_, _, err := f.svc.Book(t.Context(), auth.Meta{IP: "203.0.113.200"}, pickup(t, "2026-12-01 09:00", 1))
		if _, ok := isLimit(err); !ok {
			t.Fatalf("11th attempt for one notice number: want a limit, got %v", err)
		}
	})
}

func TestLimitsFailClosed(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	f := newFixture(t, db, nil)
	db.Close()
	_, err := f.svc.PublicAvailability(t.Context(), f.meta, monthQuery())
	le, ok := isLimit(err)
	if !ok || le.Err == nil || le.RetryAfter != time.Minute {
		t.Fatalf("want a refusal carrying the database error, got %v", err)
	}
}

func TestAvailabilityShowsWhatFits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, capacity(3))
		mustCards(t, db, 2)
		f.mustBook(t, pickup(t, "2026-12-01 09:00", 1, 2))
		q := monthQuery()
		q.From, q.To, q.People = "2026-11-20", "2026-12-01", 2
		av, err := f.svc.Availability(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		first := av.Slots[0]
		if !first.Start.Equal(jst(t, "2026-11-24 09:00")) { // 11-21/22 weekend, 11-23 a holiday
			t.Fatalf("first start %v", first.Start)
		}
		for _, sl := range av.Slots {
			if sl.Start.Equal(jst(t, "2026-12-01 09:00")) {
				t.Fatal("a slot with one seat left cannot take two people")
			}
			if sl.Start.Equal(jst(t, "2026-12-01 09:30")) && sl.Remaining != 3 {
				t.Fatalf("remaining %d", sl.Remaining)
			}
		}
		if got := av.Slots[0].Start.Location().String(); got != "Asia/Tokyo" {
			t.Fatalf("answers in the city's zone, got %s", got)
		}
		for _, bad := range []reserve.AvailabilityQuery{
			{Service: "pickup", Place: "main", From: "2026-12-01", To: "2027-03-01", People: 1},
			{Service: "pickup", Place: "main", From: "2026-12-31", To: "2026-12-01", People: 1},
			{Service: "pickup", Place: "main", From: "2026-12-01", To: "2026-12-31", People: 99},
			{Service: "nothing", Place: "main", From: "2026-12-01", To: "2026-12-31", People: 1},
		} {
			_, err := f.svc.Availability(t.Context(), bad)
			wantCode(t, err, reserve.CodeValidation)
		}
	})
}

func TestSettingsAreValidatedAndAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		admin := auth.Principal{UserID: 1, Username: "admin", Role: auth.RoleAdmin}
		st := booking.DefaultSettings()
		st.MaxDaysAhead = 0
		err := f.svc.SaveSettings(t.Context(), admin, f.meta, st)
		if fields := apperr.FieldsOf(err); len(fields) == 0 || fields[0].Field != "max_days_ahead" {
			t.Fatalf("want a field error, got %v", err)
		}
		st = booking.DefaultSettings()
		st.ContactPhone = "079-559-5000"
		if err := f.svc.SaveSettings(t.Context(), admin, f.meta, st); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Settings(t.Context())
		if err != nil || got.ContactPhone != "079-559-5000" {
			t.Fatalf("settings %v %+v", err, got)
		}
		if a := f.auditActions(t, "settings.booking_changed"); len(a) != 2 {
			t.Fatalf("audit %v", a)
		}
	})
}
