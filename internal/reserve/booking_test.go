package reserve_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// TestConcurrentRequestsNeverOverbook is the repository test: 200
// residents ask for one slot at once; exactly its capacity succeed.
func TestConcurrentRequestsNeverOverbook(t *testing.T) {
	const requests = 200
	for _, c := range []int{1, 5} {
		t.Run(fmt.Sprintf("capacity_%d", c), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				f := newFixture(t, db, capacity(c))
				mustCards(t, db, requests)
				ok, full, other := concurrentBookings(t, f, requests)
				if ok != c || full != requests-c || len(other) > 0 {
					t.Fatalf("capacity %d: %d booked, %d slot_full, other errors %v", c, ok, full, other)
				}
				if left := f.remaining(t, "pickup", "2026-12-01 09:00"); left != 0 {
					t.Fatalf("%d seats left after filling the slot", left)
				}
				f.verify(t)
				reserved := 0
				for i := 1; i <= requests; i++ {
					if f.cardStatus(t, i) == card.StatusReserved {
						reserved++
					}
				}
				if reserved != c {
					t.Fatalf("%d cards reserved, want %d", reserved, c)
				}
			})
		})
	}
}

// TestConcurrentRequestsFromTwoPoolsNeverOverbook runs the repository
// test through two services with their own connection pools on one
// database, as two server processes would: only the database can keep
// them from overbooking.
func TestConcurrentRequestsFromTwoPoolsNeverOverbook(t *testing.T) {
	const requests, c = 200, 5
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dsn := storetest.MustDSN(t, engine)
			f := newFixture(t, mustOpenDSN(t, dsn), capacity(c))
			second := reserve.New(mustOpenDSN(t, dsn), f.clock)
			mustCards(t, f.db, requests)
			ok, full, other := concurrentBookings(t, f, requests, f.svc, second)
			if ok != c || full != requests-c || len(other) > 0 {
				t.Fatalf("capacity %d: %d booked, %d slot_full, other errors %v", c, ok, full, other)
			}
			f.verify(t)
		})
	}
}

func mustOpenDSN(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.UseKeys(storetest.Keys())
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return db
}

// concurrentBookings sends one booking per card for the same slot, all at
// once, each from its own IP, spread over the services (f's by default),
// and counts the outcomes.
func concurrentBookings(t *testing.T, f *fixture, n int, services ...*reserve.Service) (ok, full int, other []error) {
	if len(services) == 0 {
		services = []*reserve.Service{f.svc}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 1; i <= n; i++ {
		wg.Go(func() {
			<-start
			m := auth.Meta{IP: fmt.Sprintf("198.51.100.%d", i)}
			_, _, err := services[i%len(services)].Book(t.Context(), m, pickup(t, "2026-12-01 09:00", i))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case apperr.Is(err, reserve.CodeSlotFull):
				full++
			default:
				other = append(other, err)
			}
		})
	}
	close(start)
	wg.Wait()
	return ok, full, other
}

func TestBookingAnswersCodeTokenAndPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 2)
		req := pickup(t, "2026-12-01 09:00", 1)
		req.People[0].NoticeNumber = "ａｂｃ０００００１" // full width, lower case, no hyphen
		b, token := f.mustBook(t, req)
		if len(b.Code) != 8 || len(token) < 43 || b.Status != store.BookingBooked || b.Channel != "web" {
			t.Fatalf("booking %+v token %q", b.Booking, token)
		}
		if got := b.People[0].NoticeNumber; got != "ABC-000001" || b.People[0].Card == nil {
			t.Fatalf("person %+v", b.People[0])
		}
		if b.PlaceName != "市役所本庁 市民課" || len(b.ItemsToBring) == 0 || b.ChangeDeadline.String() != "2026-11-28" || !b.Changeable {
			t.Fatalf("view %+v", b)
		}
		got, err := f.svc.Get(t.Context(), f.meta, reserve.FormatCode(b.Code), token)
		if err != nil || got.ID != b.ID {
			t.Fatalf("get by code and token: %v", err)
		}
		lower := []byte(reserve.FormatCode(b.Code))
		for i := range lower {
			if lower[i] >= 'A' && lower[i] <= 'Z' {
				lower[i] += 'a' - 'A'
			}
		}
		if _, err := f.svc.Get(t.Context(), f.meta, string(lower), token); err != nil {
			t.Fatalf("lower-case code: %v", err)
		}
		_, wrongToken := f.svc.Get(t.Context(), f.meta, b.Code, token+"x")
		_, unknown := f.svc.Get(t.Context(), f.meta, "2345-6789", token)
		wantCode(t, wrongToken, apperr.NotFound)
		if apperr.MessageOf(wrongToken) != apperr.MessageOf(unknown) || apperr.CodeOf(unknown) != apperr.NotFound {
			t.Fatalf("a wrong token must look like an unknown code: %v / %v", wrongToken, unknown)
		}
		if got := f.auditActions(t, "booking.created"); len(got) != 1 || got[0] != "booking.created public 192.0.2.10" {
			t.Fatalf("audit %v", got)
		}
	})
}

func TestFamilyTakesAllSeatsOrNone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, capacity(2))
		mustCards(t, db, 5)
		f.mustBook(t, pickup(t, "2026-12-01 09:00", 1))

		_, _, err := f.svc.Book(t.Context(), f.meta, pickup(t, "2026-12-01 09:00", 2, 3))
		wantCode(t, err, reserve.CodeSlotFull)

		bad := pickup(t, "2026-12-01 09:30", 2, 3)
		bad.People[1].BirthDate = "2001-01-01"
		_, _, err = f.svc.Book(t.Context(), f.meta, bad)
		wantCode(t, err, reserve.CodeNotMatched)
		for _, i := range []int{2, 3} {
			if st := f.cardStatus(t, i); st != card.StatusNoticeSent {
				t.Fatalf("card %d is %s after a refused family booking", i, st)
			}
		}
		if left := f.remaining(t, "pickup", "2026-12-01 09:30"); left != 2 {
			t.Fatalf("refused family booking took seats: %d left", left)
		}
		b, _ := f.mustBook(t, pickup(t, "2026-12-01 09:30", 2, 3))
		if len(b.People) != 2 || b.Seats != 2 || f.cardStatus(t, 2) != card.StatusReserved || f.cardStatus(t, 3) != card.StatusReserved {
			t.Fatalf("family booking %+v", b.Booking)
		}
		f.verify(t)
	})
}

func TestMultiSlotServiceTakesEverySlotOrNone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, func(st *booking.Settings) {
			st.Places[0].Capacity = 1
			st.Services[1].Slots = 2 // cert_renewal takes an hour
		})
		renewal := func(start, name string) reserve.CreateRequest {
			return reserve.CreateRequest{Service: "cert_renewal", Place: "main", Start: jst(t, start).Format(time.RFC3339),
				Phone: "079-559-5000", People: []reserve.PersonInput{{Name: name, NameKana: "テスト", BirthDate: "1980-02-03"}}}
		}
		mustCards(t, db, 1)
		f.mustBook(t, pickup(t, "2026-12-01 09:30", 1))
		_, _, err := f.svc.Book(t.Context(), f.meta, renewal("2026-12-01 09:00", "見本　一"))
		wantCode(t, err, reserve.CodeSlotFull)
		if left := f.remaining(t, "pickup", "2026-12-01 09:00"); left != 1 {
			t.Fatalf("the free first slot of a refused booking must stay free: %d", left)
		}
		b, _ := f.mustBook(t, renewal("2026-12-01 10:00", "見本　二"))
		if len(b.Slots) != 2 || !b.End.Equal(jst(t, "2026-12-01 11:00")) {
			t.Fatalf("slots %v end %v", b.Slots, b.End)
		}
		if f.remaining(t, "pickup", "2026-12-01 10:30") != 0 {
			t.Fatal("the second slot of a two-slot booking must be taken")
		}
		f.verify(t)
	})
}

func TestOneActiveBookingPerCardAndPerson(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 2)
		f.mustBook(t, pickup(t, "2026-12-01 09:00", 1))
		_, _, err := f.svc.Book(t.Context(), f.meta, pickup(t, "2026-12-02 09:00", 2, 1))
		wantCode(t, err, reserve.CodeAlreadyBooked)
		if f.cardStatus(t, 2) != card.StatusNoticeSent {
			t.Fatal("the other card of a refused family booking must stay free")
		}
		renewal := reserve.CreateRequest{Service: "cert_renewal", Place: "main", Start: jst(t, "2026-12-02 10:00").Format(time.RFC3339),
			Email: "a@example.jp", People: []reserve.PersonInput{{Name: "見本　花子", NameKana: "ミホン ハナコ", BirthDate: "1970-05-05"}}}
		f.mustBook(t, renewal)
		renewal.Start = jst(t, "2026-12-03 10:00").Format(time.RFC3339)
		renewal.People[0].NameKana = "みほん　はなこ" // the same person typed otherwise
		_, _, err = f.svc.Book(t.Context(), f.meta, renewal)
		wantCode(t, err, reserve.CodeAlreadyBooked)
	})
}

func TestUnknownNoticeAndWrongBirthDateLookAlike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 1)
		wrong := pickup(t, "2026-12-01 09:00", 1)
		wrong.People[0].BirthDate = "1999-09-09"
		_, _, errWrong := f.svc.Book(t.Context(), f.meta, wrong)
		unknown := pickup(t, "2026-12-01 09:00", 1)
		unknown.People[0].NoticeNumber = "ZZZ-999999"
		_, _, errUnknown := f.svc.Book(t.Context(), f.meta, unknown)
		wantCode(t, errWrong, reserve.CodeNotMatched)
		if apperr.CodeOf(errWrong) != apperr.CodeOf(errUnknown) || apperr.MessageOf(errWrong) != apperr.MessageOf(errUnknown) ||
			!reflect.DeepEqual(apperr.FieldsOf(errWrong), apperr.FieldsOf(errUnknown)) {
			t.Fatalf("distinguishable:\n%v %v\n%v %v", errWrong, apperr.FieldsOf(errWrong), errUnknown, apperr.FieldsOf(errUnknown))
		}
	})
}

func TestCardMustWaitForPickup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 1)
		err := db.Update(t.Context(), func(tx *store.Tx) error {
			rec, err := tx.CardByNoticeNumber(t.Context(), notice(1))
			if err != nil {
				return err
			}
			rec.Status = card.StatusNoticeReturned
			return tx.UpdateCard(t.Context(), &rec.Card, f.clock.Now())
		})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = f.svc.Book(t.Context(), f.meta, pickup(t, "2026-12-01 09:00", 1))
		wantCode(t, err, reserve.CodeNotBookable)
	})
}

func TestWindowAndSlotRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		mustCards(t, db, 1)
		for _, tt := range []struct {
			name, start string
			code        apperr.Code
		}{
			{"too soon", "2026-11-20 13:00", reserve.CodeOutsideWindow},
			{"too far", "2027-02-01 09:00", reserve.CodeOutsideWindow},
			{"not a slot start", "2026-12-01 09:10", reserve.CodeValidation},
			{"closed day", "2026-12-05 09:00", reserve.CodeValidation},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, _, err := f.svc.Book(t.Context(), f.meta, pickup(t, tt.start, 1))
				wantCode(t, err, tt.code)
			})
		}
	})
}

func TestMalformedRequestsListFields(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		req := reserve.CreateRequest{Service: "pickup", Place: "main", Start: "tomorrow", Email: "not-an-address",
			People: []reserve.PersonInput{{NoticeNumber: "12", BirthDate: "1980-02-30"}, {Name: "x"}}}
		_, _, err := f.svc.Book(t.Context(), f.meta, req)
		wantCode(t, err, reserve.CodeValidation)
		var fields []string
		for _, fe := range apperr.FieldsOf(err) {
			fields = append(fields, fe.Field)
		}
		want := []string{"start", "people[0].birth_date", "people[0].notice_number", "people[1].birth_date", "people[1].name_kana", "email"}
		if !reflect.DeepEqual(fields, want) {
			t.Fatalf("fields %v, want %v", fields, want)
		}
	})
}
