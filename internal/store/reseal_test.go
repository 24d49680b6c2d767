package store_test

import (
	"context"
	"errors"
	"strconv"
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

// rotationSetup opens the database of a fresh DSN twice: db rotates to a
// new key, server is a process that still seals with the old key (a
// server not restarted with the new key as its current one; it opens
// values under either). It returns both and a card seeded under the old
// key.
func rotationSetup(t *testing.T, e store.Engine) (db, server *store.DB, rec store.CardRecord, newKey *fieldcrypt.Key) {
	t.Helper()
	db, dsn := openAtRest(t, e)
	rec = seedSecretResident(t, db)
	server, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	if newKey, err = fieldcrypt.ParseKey(fieldcrypt.Generate()); err != nil {
		t.Fatal(err)
	}
	server.UseKeys(fieldcrypt.NewKeyring(storetest.Keys().Current(), newKey))
	db.UseKeys(fieldcrypt.NewKeyring(newKey, storetest.Keys().Current()))
	return db, server, rec, newKey
}

// renameResident saves the card's resident under a new name through db.
func renameResident(t *testing.T, db *store.DB, cardID int64, name, kana string) {
	t.Helper()
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		rec, err := tx.CardByID(ctx, cardID)
		if err != nil {
			return err
		}
		rec.Resident.Name, rec.Resident.NameKana = name, kana
		return tx.UpdateResident(ctx, rec.Resident, rec.CreatedAt)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A resident saved during kofu keys rotate by a server that still seals
// with the old key is resealed before Reseal says done, search rows
// included: after the old key is removed, the resident is still found
// under the new name, and nothing is left under the old key.
func TestResidentEditedDuringRotationIsFoundAfterTheOldKeyIsGone(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			db, server, rec, newKey := rotationSetup(t, e)
			edited := false
			_, err := db.Reseal(context.Background(), func(table string, _ int) {
				if table == "residents" && !edited { // the residents pass is over: edit behind it
					edited = true
					renameResident(t, server, rec.ID, "鷺宮　蘭之介", "サギノミヤ　ランノスケ")
				}
			})
			if err != nil || !edited {
				t.Fatalf("reseal: %v (edited: %v)", err, edited)
			}
			db.UseKeys(fieldcrypt.NewKeyring(newKey)) // the old key is removed
			for _, q := range []string{"蘭之介", "ランノスケ", "鷺宮"} {
				recs, _ := mustSearch(t, db, store.CardFilter{Query: q})
				if len(recs) != 1 || recs[0].Resident.Name != "鷺宮　蘭之介" {
					t.Errorf("search %q after the old key was removed: %d cards", q, len(recs))
				}
			}
			if recs, _ := mustSearch(t, db, store.CardFilter{Query: "ランマル"}); len(recs) != 0 {
				t.Errorf("the old name's search rows are left: %d cards", len(recs))
			}
		})
	}
}

// A process that keeps sealing with the old key while the rotation runs
// makes Reseal fail instead of reporting success with rows left behind.
func TestRotationReportsAWriterThatKeepsTheOldKey(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			db, server, rec, _ := rotationSetup(t, e)
			n := 0
			_, err := db.Reseal(context.Background(), func(table string, _ int) {
				if table == "residents" {
					n++
					renameResident(t, server, rec.ID, "鷺宮　蘭"+strconv.Itoa(n), "サギノミヤ　ラン")
				}
			})
			if !errors.Is(err, store.ErrOldKeyWriter) {
				t.Fatalf("reseal with an old-key writer: %v", err)
			}
		})
	}
}
