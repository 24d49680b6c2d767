package reserve_test

import (
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// The who-comes answer is kept per person for the counter; a value that
// is not a way of coming is refused on the person.
func TestBookingKeepsWhoComes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 3)
		req := pickup(t, "2026-12-01 09:00", 1, 2)
		req.People[0].Comes = string(reserve.AttendanceProxy)
		b, _ := f.mustBook(t, req)
		if b.People[0].Comes != "proxy" || b.People[1].Comes != "" {
			t.Fatalf("answers as booked: %q %q", b.People[0].Comes, b.People[1].Comes)
		}
		var stored []store.BookingPerson
		err := db.View(t.Context(), func(tx *store.Tx) error {
			got, err := tx.BookingByID(t.Context(), b.ID)
			stored = got.People
			return err
		})
		if err != nil || len(stored) != 2 || stored[0].Comes != "proxy" || stored[1].Comes != "" {
			t.Fatalf("answers as read back: %+v %v", stored, err)
		}
		bad := pickup(t, "2026-12-01 09:30", 3)
		bad.People[0].Comes = "neighbour"
		_, _, err = f.svc.Book(t.Context(), f.meta, bad)
		if fe := apperr.FieldsOf(err); len(fe) != 1 || fe[0].Field != "people[0].comes" {
			t.Errorf("an unknown answer: %v %+v", err, fe)
		}
	})
}
