package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// A resident that exists only in this test, so a hit in the files can
// only come from what the test wrote.
const (
	secretName    = "鷺宮　蘭丸"
	secretKana    = "サギノミヤ　ランマル"
	secretAddress = "兵庫県三田市蘭丸台九丁目八番七号"
	visibleBox    = "暗号化確認用の箱-77" // stored as it is: proves the files were read
)

// secretPieces are the readable forms a leak would take.
var secretPieces = []string{"鷺宮", "蘭丸", "サギノミヤ", "ランマル", "ｻｷﾞﾉﾐﾔ", "さぎのみや", "蘭丸台九丁目", "鷺宮蘭丸",
	"ranmaru", "999-8877"}

// openAtRest opens a fresh database of the engine and returns its --db value.
func openAtRest(t *testing.T, e store.Engine) (*store.DB, string) {
	dsn := storetest.MustDSN(t, e)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.UseKeys(storetest.Keys())
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, dsn
}

func seedSecretResident(t *testing.T, db *store.DB) store.CardRecord {
	raw := []byte("00000000000000000000099," + secretName + "," + secretKana + "," + secretAddress)
	return ledgertest.MustCard(t, db, ledgertest.Seed{App: 99, Notice: "Z9Z-999999", Name: secretName, Kana: secretKana,
		Address: secretAddress, Box: visibleBox, Raw: raw})
}

// assertNotStored fails when a piece of the secret is readable in data.
func assertNotStored(t *testing.T, what string, data []byte) {
	t.Helper()
	if !bytes.Contains(data, []byte(visibleBox)) {
		t.Fatalf("%s: the visible control value is missing: the bytes read are not the database", what)
	}
	for _, p := range secretPieces {
		if bytes.Contains(data, []byte(p)) {
			t.Errorf("%s holds %q in readable form", what, p)
		}
	}
}

const (
	secretEmail = "ranmaru.saginomiya@example.jp"
	secretPhone = "079-999-8877"
)

// seedSecretEverywhere writes the secret resident wherever the system keeps
// personal data: a booking with contact details and a person booked by
// reading and birth date, the queued mail, the resident-register extract,
// a notice posting, an edit in the card's history and a staged upload.
func seedSecretEverywhere(t *testing.T, db *store.DB, cardID int64) {
	now := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		b := store.Booking{Code: "SECR0001", TokenHash: "secret-token", Service: "cert_renewal", Place: "main",
			Start: now, End: now.Add(time.Hour), Date: "2026-09-01", Channel: "web", Seats: 1,
			Status: store.BookingBooked, Email: secretEmail, Phone: secretPhone, CreatedAt: now, CreatedBy: "public"}
		if _, err := tx.InsertBooking(ctx, &b); err != nil {
			return err
		}
		key, err := tx.PersonKey("person:サギノミヤランマル|1990-04-01")
		if err != nil {
			return err
		}
		err = tx.InsertBookingPerson(ctx, &store.BookingPerson{BookingID: b.ID, Seq: 1, Service: "cert_renewal",
			PersonKey: key, Name: secretName, NameKana: secretKana, BirthDate: "1990-04-01", Status: store.PersonActive})
		if err != nil {
			return err
		}
		_, err = tx.InsertMail(ctx, &store.MailMessage{Kind: "confirmation", BookingID: b.ID, BookingCode: b.Code,
			To: secretEmail, Subject: "予約を受け付けました", Body: secretName + " 様\n" + secretAddress, CreatedAt: now, NotBefore: now})
		if err != nil {
			return err
		}
		_, err = tx.PutRegisterResident(ctx, store.RegisterResident{ResidentNumber: "990001", Name: secretName,
			NameKana: secretKana, BirthDate: "1990-04-01", Address: secretAddress, Status: "resident"}, now)
		if err != nil {
			return err
		}
		err = tx.InsertPosting(ctx, &store.Posting{CardID: cardID, Kind: store.PostingNotice, Date: "2026-09-01",
			PostalCode: "669-1599", Address: secretAddress, Actor: "staff1", CreatedAt: now})
		if err != nil {
			return err
		}
		err = tx.InsertCardEvent(ctx, &store.CardEvent{CardID: cardID, At: now, Actor: "staff1", Kind: store.EventEdit,
			Field: "address", OldValue: "兵庫県三田市旧町1", NewValue: secretAddress})
		if err != nil {
			return err
		}
		_, err = tx.StageUpload(ctx, 1, "納品.csv", []byte(secretName+","+secretAddress), now)
		if err != nil {
			return err
		}
		return tx.InsertSurfaceUpdate(ctx, &store.SurfaceUpdate{CardID: cardID, Kind: store.SurfaceName,
			OldValue: "旧姓　蘭丸", NewValue: secretName, OldDetail: "キュウセイ　ランマル", NewDetail: secretKana,
			State: store.SurfacePending, RequestedDate: "2026-09-02", RegisteredAt: now, Registrar: "staff1"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPersonalDataIsNotReadableInTheDatabaseFiles(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			start := time.Now()
			db, dsn := openAtRest(t, e)
			rec := seedSecretResident(t, db)
			got := mustCardByID(t, db, rec.ID)
			if got.Resident.Name != secretName || got.Resident.Address != secretAddress {
				t.Fatalf("read back %q %q", got.Resident.Name, got.Resident.Address)
			}
			for _, q := range []string{"鷺宮", "ランマル", "さぎのみや", "蘭丸"} {
				if recs, _ := mustSearch(t, db, store.CardFilter{Query: q}); len(recs) != 1 || recs[0].ID != rec.ID {
					t.Errorf("search %q found %d cards", q, len(recs))
				}
			}
			seedSecretEverywhere(t, db, rec.ID)
			assertReadsBack(t, db, rec.ID)
			assertNotStored(t, string(e)+" files", storetest.StoredBytes(t, e, dsn, start))
		})
	}
}

// assertReadsBack checks that the sealed values open for the application.
func assertReadsBack(t *testing.T, db *store.DB, cardID int64) {
	err := db.View(context.Background(), func(tx *store.Tx) error {
		b, err := tx.BookingByCode(ctx, "SECR0001")
		if err != nil {
			return err
		}
		if b.Email != secretEmail || b.Phone != secretPhone || len(b.People) != 1 || b.People[0].Name != secretName {
			t.Errorf("booking read back as %q %q %+v", b.Email, b.Phone, b.People)
		}
		people, err := tx.RegisterResidents(ctx, "蘭丸", "", 10)
		if err != nil || len(people) != 1 || people[0].Address != secretAddress {
			t.Errorf("register lookup: %+v %v", people, err)
		}
		posts, err := tx.CardPostings(ctx, cardID)
		if err != nil || len(posts) != 1 || posts[0].Address != secretAddress {
			t.Errorf("postings: %+v %v", posts, err)
		}
		evs, err := tx.CardEvents(ctx, cardID)
		if err != nil || len(evs) == 0 || evs[len(evs)-1].NewValue != secretAddress {
			t.Errorf("events: %+v %v", evs, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A query's 3-character pieces can all occur in a reading without the
// query itself: the keyed hashes find the card, the check after decrypting
// drops it.
func TestNameSearchDropsChanceMatchesOfPieces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Name: "見本　一", Kana: "イウエカ　ウエア"})
		if recs, n := mustSearch(t, db, store.CardFilter{Query: "イウエア"}); n != 0 || len(recs) != 0 {
			t.Errorf("chance match kept: %d", n)
		}
		if recs, n := mustSearch(t, db, store.CardFilter{Query: "イウエカウ"}); n != 1 || recs[0].ID != rec.ID {
			t.Errorf("real match: %d", n)
		}
		if _, n := mustSearch(t, db, store.CardFilter{Query: "イウエア", Sort: "birth_date"}); n != 0 {
			t.Errorf("chance match kept with another sort: %d", n)
		}
	})
}

// Someone who can write to the database but has no key cannot plant a
// value: a personal column holding anything but a sealed value is refused
// when read, not shown as if the city had written it.
func TestPlantedPlaintextIsRefused(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			db, dsn := openAtRest(t, e)
			raw := sqlOpen(t, e, dsn)
			for i, stmt := range []string{
				`UPDATE cards SET notice_number = 'Z9Z-000001' WHERE id = $1`,
				`UPDATE residents SET remarks = '偽の備考' WHERE id = (SELECT a.resident_id FROM cards c JOIN applications a ON a.id = c.application_ref WHERE c.id = $1)`,
				`UPDATE residents SET birth_date = '1990-01-01' WHERE id = (SELECT a.resident_id FROM cards c JOIN applications a ON a.id = c.application_ref WHERE c.id = $1)`,
				`UPDATE residents SET name = '偽名　太郎' WHERE id = (SELECT a.resident_id FROM cards c JOIN applications a ON a.id = c.application_ref WHERE c.id = $1)`,
			} {
				rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 100 + i, Notice: fmt.Sprintf("Z9Z-%06d", 100+i), Remarks: "本物"})
				if _, err := raw.Exec(stmt, rec.ID); err != nil {
					t.Fatal(err)
				}
				err := db.View(ctx, func(tx *store.Tx) error { _, err := tx.CardByID(ctx, rec.ID); return err })
				if !errors.Is(err, store.ErrUnsealed) {
					t.Errorf("after %s: read gives %v", stmt, err)
				}
			}
		})
	}
}

// Someone who can write to the database cannot move a sealed value to
// another row: a value is bound to its row, so a birth date or a notice
// number copied from one resident or card to another does not open.
func TestSealedValueMovedToAnotherRowIsRefused(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			db, dsn := openAtRest(t, e)
			raw := sqlOpen(t, e, dsn)
			for i, stmt := range []string{
				`UPDATE residents SET remarks = (SELECT r.remarks FROM residents r JOIN applications x ON x.resident_id = r.id
					JOIN cards c ON c.application_ref = x.id WHERE c.id = $1)
				WHERE id = (SELECT x.resident_id FROM applications x JOIN cards c ON c.application_ref = x.id WHERE c.id = $2)`,
				`UPDATE residents SET birth_date = (SELECT r.birth_date FROM residents r JOIN applications x ON x.resident_id = r.id
					JOIN cards c ON c.application_ref = x.id WHERE c.id = $1)
				WHERE id = (SELECT x.resident_id FROM applications x JOIN cards c ON c.application_ref = x.id WHERE c.id = $2)`,
			} {
				a := ledgertest.MustCard(t, db, ledgertest.Seed{App: 10 + 2*i, Notice: fmt.Sprintf("A01-%06d", 2*i), Remarks: "甲"})
				b := ledgertest.MustCard(t, db, ledgertest.Seed{App: 11 + 2*i, Notice: fmt.Sprintf("A01-%06d", 2*i+1), Remarks: "乙"})
				if _, err := raw.Exec(stmt, a.ID, b.ID); err != nil {
					t.Fatal(err)
				}
				err := db.View(ctx, func(tx *store.Tx) error { _, err := tx.CardByID(ctx, b.ID); return err })
				if err == nil {
					t.Errorf("after %s: the moved value opened in the other row", strings.Fields(stmt)[3])
				}
			}
		})
	}
}
