package reception_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/reception"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// A signed confirmation files the PNG as a receipt document on the card,
// sealed: neither the database files nor the WAL hold a byte run of the
// PNG or the sealed ticks in readable form, while the ledger's plain
// storage box is there (so the bytes read are the database). The ticks,
// the documents brought and the signature read back, and every change
// and view is audited.
func TestSignedConfirmationIsSealedAndAudited(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			dsn := storetest.MustDSN(t, e)
			db, err := store.Open(t.Context(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			db.UseKeys(storetest.Keys())
			if _, err := db.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			f := newFixture(t, db)
			sig := signature(t, 900, 260, uint64(time.Now().UnixNano()))
			const brought = "鷺宮図書館の利用者カード"
			c, err := f.svc.Confirm(t.Context(), staff, meta, f.b.ID, reception.Request{PersonID: f.personID(),
				Ticks: []string{"pin", "identity", "details"}, Brought: []string{"運転免許証", brought}, Signature: sig})
			if err != nil {
				t.Fatal(err)
			}
			if c.Mode != store.ReceptionSigned || c.DocumentID == 0 || c.CardID != f.card.ID {
				t.Fatalf("confirmation %+v", c)
			}
			if want := []string{"details", "identity", "pin"}; !equal(c.Ticks, want) {
				t.Errorf("ticks %v, want %v (the items' order)", c.Ticks, want)
			}

			docs, err := f.filing.List(t.Context(), staff, meta, f.card.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != 1 || docs[0].Kind != string(document.KindReceipt) || docs[0].Format != "PNG" || docs[0].BookingID != f.b.ID {
				t.Fatalf("documents of the card: %+v", docs)
			}

			byPerson, err := f.svc.ForBooking(t.Context(), viewer, meta, f.b.ID)
			if err != nil {
				t.Fatal(err)
			}
			got := byPerson[f.personID()]
			if !equal(got.Brought, []string{"運転免許証", brought}) || !got.Ticked("pin") || got.Ticked("notice") {
				t.Errorf("read back %+v", got)
			}
			png, err := f.svc.Signature(t.Context(), viewer, meta, f.b.ID, f.personID())
			if err != nil || !bytes.Equal(png, sig) {
				t.Fatalf("signature read back: %d bytes, %v", len(png), err)
			}
			if cs, err := f.svc.ForCard(t.Context(), staff, meta, f.card.ID); err != nil || len(cs) != 1 || cs[0].DocumentID != c.DocumentID {
				t.Fatalf("card's confirmations %+v, %v", cs, err)
			}

			acts := actions(t, db)
			for _, a := range []string{"reception.signed", "document.uploaded", "reception.viewed", "reception.signature_viewed"} {
				if count(acts, a) == 0 {
					t.Errorf("no %s in the audit log %v", a, acts)
				}
			}

			stored := storetest.StoredBytes(t, e, dsn, start)
			if !bytes.Contains(stored, []byte(visibleBox)) {
				t.Fatal("the visible control value is missing: the bytes read are not the database")
			}
			// A run from the PNG's compressed pixel data (the random line
			// makes it unique), and the sealed ticks.
			run := sig[len(sig)/2 : len(sig)/2+32]
			if bytes.Contains(stored, run) {
				t.Error("the database holds the signature PNG in readable form")
			}
			if bytes.Contains(stored, []byte(brought)) {
				t.Error("the database holds the documents brought in readable form")
			}
		})
	}
}

// Bad input is refused with its code and leaves nothing: no document, no
// confirmation.
func TestConfirmRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ok := reception.Request{PersonID: f.personID(), Ticks: allTicks(), Signature: signature(t, 600, 200, 1)}
		huge := signature(t, 2900, 1400, 2)
		for len(huge) < 600<<10 { // pad past the limit with a chunk PNG readers skip
			huge = append(huge[:len(huge)-12], append(bytes.Repeat([]byte{0}, 64<<10), huge[len(huge)-12:]...)...)
		}
		cases := []struct {
			name string
			who  func() error
			code string
		}{
			{"viewer", func() error {
				_, err := f.svc.Confirm(t.Context(), viewer, meta, f.b.ID, ok)
				return err
			}, apperr.Forbidden},
			{"no signature", func() error {
				r := ok
				r.Signature = nil
				_, err := f.svc.Confirm(t.Context(), staff, meta, f.b.ID, r)
				return err
			}, reception.CodeSignatureMissing},
			{"blank canvas", func() error {
				r := ok
				r.Signature = blank(t, 600, 200)
				_, err := f.svc.Confirm(t.Context(), staff, meta, f.b.ID, r)
				return err
			}, reception.CodeSignatureMissing},
			{"too small", func() error {
				r := ok
				r.Signature = signature(t, 120, 40, 3)
				_, err := f.svc.Confirm(t.Context(), staff, meta, f.b.ID, r)
				return err
			}, reception.CodeSignatureFormat},
			{"svg named png", func() error {
				r := ok
				r.Signature = []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
				_, err := f.svc.Confirm(t.Context(), staff, meta, f.b.ID, r)
				return err
			}, document.CodeUnsupported},
			{"too large", func() error {
				r := ok
				r.Signature = huge
				_, err := f.svc.Confirm(t.Context(), staff, meta, f.b.ID, r)
				return err
			}, document.CodeTooLarge},
			{"required tick missing", func() error {
				r := ok
				r.Ticks = []string{"details", "identity"}
				_, err := f.svc.Confirm(t.Context(), staff, meta, f.b.ID, r)
				return err
			}, reception.CodeTickRequired},
			{"unknown tick", func() error {
				r := ok
				r.Ticks = append(allTicks(), "pin_number")
				_, err := f.svc.Confirm(t.Context(), staff, meta, f.b.ID, r)
				return err
			}, apperr.Invalid},
			{"someone else", func() error {
				r := ok
				r.PersonID = 999999
				_, err := f.svc.Confirm(t.Context(), staff, meta, f.b.ID, r)
				return err
			}, apperr.NotFound},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := c.who()
				wantCode(t, err, c.code)
				if apperr.MessageOf(err) == "" {
					t.Error("no message")
				}
			})
		}
		if docs, _ := f.filing.List(t.Context(), staff, meta, f.card.ID); len(docs) != 0 {
			t.Errorf("refused confirmations left documents: %+v", docs)
		}
		if cs, _ := f.svc.ForBooking(t.Context(), staff, meta, f.b.ID); len(cs) != 0 {
			t.Errorf("refused confirmations left records: %+v", cs)
		}
	})
}

// The booking's state decides: not before its day, not once cancelled or
// once the card was handed over.
func TestConfirmNeedsAWaitingBooking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		req := reception.Request{PersonID: f.personID(), Paper: true}
		f.clock.Advance(-48 * time.Hour)
		_, err := f.svc.Confirm(t.Context(), staff, meta, f.b.ID, req)
		wantCode(t, err, reception.CodeState)
		f.clock.Advance(48 * time.Hour)

		c, err := f.svc.Confirm(t.Context(), staff, meta, f.b.ID, req)
		if err != nil || c.Mode != store.ReceptionPaper || c.DocumentID != 0 {
			t.Fatalf("paper form: %+v, %v", c, err)
		}
		// Signing after all replaces the paper record.
		c, err = f.svc.Confirm(t.Context(), staff, meta, f.b.ID, reception.Request{PersonID: f.personID(), Ticks: allTicks(),
			Signature: signature(t, 600, 200, 4)})
		if err != nil || c.Mode != store.ReceptionSigned {
			t.Fatalf("signed after paper: %+v, %v", c, err)
		}
		if cs, _ := f.svc.ForBooking(t.Context(), staff, meta, f.b.ID); len(cs) != 1 || !cs[f.personID()].Signed() {
			t.Fatalf("records %+v", cs)
		}
		if _, err := f.res.StaffCancel(t.Context(), admin, meta, f.b.ID, reserve.Override{Cutoff: true, Reason: "テスト"}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Confirm(t.Context(), staff, meta, f.b.ID, req)
		wantCode(t, err, reception.CodeState)
	})
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
