package reserve_test

import (
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// onTheDay moves the clock to the booking day 2026-12-01 at hh:mm.
func (f *fixture) onTheDay(t *testing.T, hhmm string) {
	t.Helper()
	f.clock.Advance(jst(t, "2026-12-01 "+hhmm).Sub(f.clock.Now()))
}

func TestCheckInAndIssue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 2)
		b, _ := f.mustBook(t, pickup(t, "2026-12-01 09:00", 1, 2))
		_, err := f.svc.CheckIn(t.Context(), staff, f.meta, b.ID)
		wantCode(t, err, reserve.CodeBookingState) // not the day yet

		f.onTheDay(t, "08:50")
		in, err := f.svc.CheckIn(t.Context(), staff, f.meta, b.ID)
		if err != nil || in.Status != store.BookingCheckedIn || in.CheckedInAt.IsZero() {
			t.Fatalf("check-in %v %+v", err, in.Booking)
		}
		_, err = f.svc.Issue(t.Context(), staff, f.meta, b.ID, reserve.IssueRequest{Attendance: "self", Documents: []string{"運転免許証"}})
		wantCode(t, err, reserve.CodeValidation) // two people: which one?

		first := reserve.IssueRequest{PersonID: b.People[0].ID, Attendance: reserve.AttendanceSelf,
			Documents: []string{"運転免許証"}, ItemsReturned: []string{reserve.ItemNotificationCard}}
		got, err := f.svc.Issue(t.Context(), staff, f.meta, b.ID, first)
		if err != nil || got.Status != store.BookingCheckedIn || got.People[0].Status != store.PersonIssued ||
			got.People[0].Attendance != "self" || got.People[0].ItemsReturned[0] != "notification_card" || got.People[0].DoneBy != "kofu-tanaka" {
			t.Fatalf("issue: %v %+v", err, got.People)
		}
		if f.cardStatus(t, 1) != card.StatusIssued || f.cardStatus(t, 2) != card.StatusReserved {
			t.Fatal("only the issued card is issued")
		}
		_, err = f.svc.Issue(t.Context(), staff, f.meta, b.ID, reserve.IssueRequest{Attendance: reserve.AttendanceProxy, Documents: []string{"委任状"}})
		wantCode(t, err, reserve.CodeValidation) // a proxy needs the reason
		last, err := f.svc.Issue(t.Context(), staff, f.meta, b.ID, reserve.IssueRequest{Attendance: reserve.AttendanceLegalRep,
			Documents: []string{"健康保険証", "母子手帳"}, ItemsReturned: []string{"juki_card"}})
		if err != nil || last.Status != store.BookingCompleted || f.cardStatus(t, 2) != card.StatusIssued {
			t.Fatalf("last issue: %v %+v", err, last.Booking)
		}
		if a := f.auditActions(t, "booking."); len(a) != 4 {
			t.Fatalf("audit %v", a)
		}
	})
}

func TestNoShowGivesTheCardBackAndCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 1)
		b, _ := f.mustBook(t, pickup(t, "2026-12-01 09:00", 1))
		f.onTheDay(t, "08:30")
		_, err := f.svc.NoShow(t.Context(), staff, f.meta, b.ID, "")
		wantCode(t, err, reserve.CodeBookingState) // not started yet

		f.onTheDay(t, "09:40")
		got, err := f.svc.NoShow(t.Context(), staff, f.meta, b.ID, "連絡なし")
		if err != nil || got.Status != store.BookingNoShow || got.People[0].Status != store.PersonNoShow {
			t.Fatalf("no-show: %v %+v", err, got.Booking)
		}
		if f.cardStatus(t, 1) != card.StatusNoticeSent {
			t.Fatal("a no-show gives the card back to waiting")
		}
		if got.People[0].Card.NoShows != 1 {
			t.Fatalf("no-shows counted per card: %+v", got.People[0].Card)
		}
	})
}

func TestDayEndMarksNoShowsAutomatically(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 3)
		waiting, _ := f.mustBook(t, pickup(t, "2026-12-01 09:00", 1))
		came, _ := f.mustBook(t, pickup(t, "2026-12-01 10:00", 2))
		later, _ := f.mustBook(t, pickup(t, "2026-12-02 10:00", 3))
		f.onTheDay(t, "10:00")
		if _, err := f.svc.CheckIn(t.Context(), staff, f.meta, came.ID); err != nil {
			t.Fatal(err)
		}
		f.onTheDay(t, "23:59")
		if res, _ := f.svc.Housekeeping(t.Context()); res.NoShows != 0 {
			t.Fatal("the day has not ended yet")
		}
		f.clock.Advance(2 * time.Minute)
		res, err := f.svc.Housekeeping(t.Context())
		if err != nil || res.NoShows != 1 {
			t.Fatalf("housekeeping %+v: %v", res, err)
		}
		list, err := f.svc.List(t.Context(), staff, f.meta, reserve.ListQuery{Date: "2026-12-01"})
		if err != nil || len(list) != 2 || list[0].ID != waiting.ID || list[0].Status != store.BookingNoShow || list[1].Status != store.BookingCheckedIn {
			t.Fatalf("list %v %+v", err, list)
		}
		if f.cardStatus(t, 1) != card.StatusNoticeSent || f.cardStatus(t, 3) != card.StatusReserved {
			t.Fatal("only the past booking is a no-show")
		}
		if a := f.auditActions(t, "booking.no_show"); len(a) != 1 || a[0] != "booking.no_show system " {
			t.Fatalf("audit %v", a)
		}
		_ = later
	})
}

func TestStaffListFiltersAndAudits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 2)
		a, _ := f.mustBook(t, pickup(t, "2026-12-01 10:00", 1))
		f.mustBook(t, pickup(t, "2026-12-01 09:00", 2))
		if _, err := f.svc.StaffCancel(t.Context(), staff, f.meta, a.ID, reserve.Override{}); err != nil {
			t.Fatal(err)
		}
		all, err := f.svc.List(t.Context(), staff, f.meta, reserve.ListQuery{Date: "2026-12-01", Place: "main"})
		if err != nil || len(all) != 2 || !all[0].Start.Before(all[1].Start) {
			t.Fatalf("list %v %+v", err, all)
		}
		p := all[0].People[0]
		if p.Card == nil || p.Card.Name != "住民　2" || p.Card.StorageLocation != "A棚-2" || p.Card.Status != card.StatusReserved {
			t.Fatalf("staff see the card: %+v", p.Card)
		}
		booked, err := f.svc.List(t.Context(), staff, f.meta, reserve.ListQuery{Date: "2026-12-01", Statuses: []string{"booked"}})
		if err != nil || len(booked) != 1 {
			t.Fatalf("status filter %v %d", err, len(booked))
		}
		_, err = f.svc.List(t.Context(), staff, f.meta, reserve.ListQuery{Date: "2026-12-01", Statuses: []string{"held"}})
		wantCode(t, err, reserve.CodeValidation)
		if got := f.auditActions(t, "booking.listed"); len(got) != 2 {
			t.Fatalf("audit %v", got)
		}
	})
}

func TestStaffBookingForPhoneCallersUsesItsChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, func(st *booking.Settings) {
			st.Places[0].Capacity = 2
			st.Places[0].ChannelCapacity = map[booking.Channel]int{booking.ChannelPhone: 1}
		})
		mustCards(t, db, 3)
		f.mustBook(t, pickup(t, "2026-12-01 09:00", 1))
		_, _, err := f.svc.Book(t.Context(), f.meta, pickup(t, "2026-12-01 09:00", 2))
		wantCode(t, err, reserve.CodeSlotFull) // the other seat is the phone's
		req := pickup(t, "2026-12-01 09:00", 2)
		req.Email = ""
		b, token, err := f.svc.StaffBook(t.Context(), staff, f.meta, "", req)
		if err != nil || b.Channel != "phone" || token == "" || b.CreatedBy != "kofu-tanaka" {
			t.Fatalf("staff booking %v %+v", err, b.Booking)
		}
		_, _, err = f.svc.StaffBook(t.Context(), staff, f.meta, booking.ChannelCounter, pickup(t, "2026-12-01 09:00", 3))
		wantCode(t, err, reserve.CodeSlotFull)
		_, _, err = f.svc.StaffBook(t.Context(), staff, f.meta, booking.ChannelCounter, pickup(t, "2026-11-20 13:00", 3))
		wantCode(t, err, reserve.CodeOutsideWindow) // the same rules as the web
		f.verify(t)
	})
}
