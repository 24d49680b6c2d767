package reception_test

import (
	"bytes"
	"testing"

	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/reception"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// A key rotation re-seals the ticks and the signature's blob; once the old
// key is gone both still open, and the documents' verification finds the
// signature intact.
func TestConfirmationSurvivesKeyRotation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sig := signature(t, 600, 200, 7)
		if _, err := f.svc.Confirm(t.Context(), staff, meta, f.b.ID, reception.Request{PersonID: f.personID(), Ticks: allTicks(),
			Brought: []string{"在留カード"}, Signature: sig}); err != nil {
			t.Fatal(err)
		}
		newKey, err := fieldcrypt.ParseKey(fieldcrypt.Generate())
		if err != nil {
			t.Fatal(err)
		}
		db.UseKeys(fieldcrypt.NewKeyring(newKey, storetest.Keys().Current()))
		changed, err := db.Reseal(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if changed["receptions"] != 1 || changed["document_chunks"] == 0 {
			t.Errorf("resealed %v: want the reception and the signature's chunks", changed)
		}
		db.UseKeys(fieldcrypt.NewKeyring(newKey))
		cs, err := f.svc.ForBooking(t.Context(), staff, meta, f.b.ID)
		if err != nil || len(cs[f.personID()].Brought) != 1 || cs[f.personID()].Brought[0] != "在留カード" {
			t.Fatalf("after rotation: %+v, %v", cs, err)
		}
		png, err := f.svc.Signature(t.Context(), staff, meta, f.b.ID, f.personID())
		if err != nil || !bytes.Equal(png, sig) {
			t.Fatalf("signature after rotation: %v", err)
		}
		rep, err := db.VerifyDocuments(t.Context(), nil)
		if err != nil || rep.Checked != 1 || len(rep.Problems) != 0 {
			t.Fatalf("verify: %+v, %v", rep, err)
		}
	})
}
