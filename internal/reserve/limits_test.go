package reserve_test

import (
	"context"
	"fmt"
	"strings"
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

// Reads are limited per IP in the instance's memory: a token bucket of a
// minute's worth that refills at the rate of the settings. They need no
// write, so they are answered while another transaction holds the write
// lock (on SQLite the only writer), and another instance counts apart.
func TestReadsAreLimitedInMemoryWithoutWriting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, func(st *booking.Settings) { st.PublicRateLimitPerMinute = 3 })
		mustCards(t, db, 1)
		f.mustBook(t, pickup(t, "2026-12-01 09:00", 1))
		holdSlotLock(t, db, jst(t, "2026-12-01 09:00"))
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		for i := range 3 {
			if _, err := f.svc.PublicAvailability(ctx, f.meta, monthQuery()); err != nil {
				t.Fatalf("request %d with the write lock held: %v", i+1, err)
			}
		}
		_, err := f.svc.PublicAvailability(ctx, f.meta, monthQuery())
		le, ok := isLimit(err)
		if !ok || le.RetryAfter != 20*time.Second || !apperr.Is(err, apperr.RateLimited) {
			t.Fatalf("fourth request: want a limit with 20 s to wait (3 a minute), got %v", err)
		}
		if _, err := f.svc.Get(ctx, f.meta, "ABCD-EFGH", "token"); !apperr.Is(err, apperr.RateLimited) {
			t.Fatalf("a booking's page shares the bucket: want a limit, got %v", err)
		}
		if _, err := f.svc.PublicAvailability(ctx, auth.Meta{IP: "192.0.2.99"}, monthQuery()); err != nil {
			t.Fatalf("another IP is not limited: %v", err)
		}
		other := reserve.New(db, f.clock) // another instance keeps its own buckets
		if _, err := other.PublicAvailability(ctx, f.meta, monthQuery()); err != nil {
			t.Fatalf("another instance: %v", err)
		}
		f.clock.Advance(20 * time.Second)
		if _, err := f.svc.PublicAvailability(ctx, f.meta, monthQuery()); err != nil {
			t.Fatalf("a token later: %v", err)
		}
		if _, err := f.svc.PublicAvailability(ctx, f.meta, monthQuery()); !apperr.Is(err, apperr.RateLimited) {
			t.Fatalf("only one token refilled in 20 s: %v", err)
		}
	})
}

// The requests that name notice numbers are counted in the database, so
// that every instance agrees.
func TestNoticeRequestsAreLimitedPerIPThroughTheDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, func(st *booking.Settings) { st.PublicRateLimitPerMinute = 3 })
		f.clock.Advance(15 * time.Second) // 10:00:15
		other := reserve.New(db, f.clock) // a second server process
		for i := range 3 {
			svc := []*reserve.Service{f.svc, other}[i%2]
			_, err := svc.ManageToken(t.Context(), f.meta, "ABCD-EFGH", notice(i), "1960-01-01", false)
			wantCode(t, err, apperr.NotFound)
		}
		_, err := other.ManageToken(t.Context(), f.meta, "ABCD-EFGH", notice(9), "1960-01-01", false)
		le, ok := isLimit(err)
		if !ok || le.RetryAfter != 45*time.Second {
			t.Fatalf("fourth request: want a limit with 45 s to wait, got %v", err)
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
		t.Fatalf("read: want a refusal carrying the database error, got %v", err)
	}
	_, err = f.svc.ManageToken(t.Context(), f.meta, "ABCD-EFGH", notice(1), birth(1), false)
	if le, ok := isLimit(err); !ok || le.Err == nil || le.RetryAfter != time.Minute {
		t.Fatalf("notice: want a refusal carrying the database error, got %v", err)
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

// The live holds of one address are refused with their own code and a
// message that says why (issue #14: it read like an input error).
func TestTooManyHoldsSaysWhy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, func(st *booking.Settings) { st.MaxHoldsPerIP = 2 })
		req := func(at string) reserve.HoldRequest {
			return reserve.HoldRequest{Service: "pickup", Place: "main", Start: jst(t, at).Format(time.RFC3339), People: 1}
		}
		for _, at := range []string{"2026-12-01 09:00", "2026-12-01 09:30"} {
			if _, err := f.svc.Hold(t.Context(), f.meta, req(at)); err != nil {
				t.Fatal(err)
			}
		}
		_, err := f.svc.Hold(t.Context(), f.meta, req("2026-12-01 10:00"))
		le, ok := isLimit(err)
		if !ok || apperr.CodeOf(err) != reserve.CodeTooManyHolds || le.RetryAfter != 10*time.Minute ||
			!strings.Contains(err.Error(), "仮押さえ中の予約が 2 件") {
			t.Fatalf("third hold: %v", err)
		}
		if _, err := f.svc.Hold(t.Context(), auth.Meta{IP: "192.0.2.77"}, req("2026-12-01 10:00")); err != nil {
			t.Fatalf("another address: %v", err)
		}
	})
}
