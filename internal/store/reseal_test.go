package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestResealMovesEveryFieldToTheNewKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := seedSecretResident(t, db)
		seedSecretEverywhere(t, db, rec.ID)
		oldKey := storetest.Keys().Current()
		newKey, err := fieldcrypt.ParseKey(fieldcrypt.Generate())
		if err != nil {
			t.Fatal(err)
		}
		db.UseKeys(fieldcrypt.NewKeyring(newKey, oldKey)) // during the change both keys open
		if recs, _ := mustSearch(t, db, store.CardFilter{Query: "鷺宮"}); len(recs) != 1 {
			t.Fatalf("search under both keys before resealing: %d cards", len(recs))
		}
		changed, err := db.Reseal(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"residents", "cards", "bookings", "booking_people", "mail_outbox",
			"register_residents", "card_postings", "card_events", "import_uploads"} {
			if changed[table] == 0 {
				t.Errorf("no row of %s was resealed: %v", table, changed)
			}
		}
		db.UseKeys(fieldcrypt.NewKeyring(newKey)) // the old key is gone: everything must open
		assertReadsBack(t, db, rec.ID)
		if got := mustCardByID(t, db, rec.ID); got.Resident.Address != secretAddress || string(got.RawRow) == "" {
			t.Errorf("card after resealing: %+v", got.Resident)
		}
		for _, q := range []string{"鷺宮", "サギノミヤ", "蘭丸"} {
			if recs, _ := mustSearch(t, db, store.CardFilter{Query: q}); len(recs) != 1 {
				t.Errorf("search %q under the new key: %d cards", q, len(recs))
			}
		}
		assertPersonKeyRenewed(t, db)
		if again, err := db.Reseal(context.Background(), nil); err != nil || len(again) != 0 && sum(again) != 0 {
			t.Errorf("a second run changed %v, %v", again, err)
		}
		if err := db.CheckKeys(context.Background()); err != nil {
			t.Errorf("check keys: %v", err)
		}
		db.UseKeys(storetest.Keys())
		if err := db.CheckKeys(context.Background()); !errors.Is(err, fieldcrypt.ErrUnknownKey) {
			t.Errorf("the old key alone must be refused: %v", err)
		}
	})
}

// assertPersonKeyRenewed books the same cardless person again: the
// one-booking-per-person index must still see the renewed key as theirs.
func assertPersonKeyRenewed(t *testing.T, db *store.DB) {
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		b, err := tx.BookingByCode(ctx, "SECR0001")
		if err != nil {
			return err
		}
		key, err := tx.PersonKey("person:サギノミヤランマル|1990-04-01")
		if err != nil {
			return err
		}
		return tx.InsertBookingPerson(ctx, &store.BookingPerson{BookingID: b.ID, Seq: 2, Service: "cert_renewal",
			PersonKey: key, Name: secretName, NameKana: secretKana, BirthDate: "1990-04-01", Status: store.PersonActive})
	})
	if !apperr.Is(err, store.CodeAlreadyBooked) {
		t.Errorf("the same person booked twice after resealing: %v", err)
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
