package filing_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/document/documenttest"
	"github.com/kofu-oss/kofu/internal/filing"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// mustBooking stores a pickup booking for the cards given.
func mustBooking(t *testing.T, db *store.DB, code string, cards ...int64) int64 {
	t.Helper()
	at := time.Date(2025, 6, 10, 1, 0, 0, 0, time.UTC)
	var id int64
	err := db.Update(t.Context(), func(tx *store.Tx) error {
		b := store.Booking{Code: code, TokenHash: "h-" + code, Service: "pickup", Place: "honcho", Start: at, End: at.Add(30 * time.Minute),
			Date: "2025-06-10", Channel: "phone", Seats: len(cards), Status: store.BookingBooked, CreatedAt: at, CreatedBy: "test"}
		if _, err := tx.InsertBooking(t.Context(), &b); err != nil {
			return err
		}
		id = b.ID
		for i, c := range cards {
			err := tx.InsertBookingPerson(t.Context(), &store.BookingPerson{BookingID: b.ID, Seq: i + 1, Service: "pickup", CardID: c,
				PersonKey: "card:" + code + string(rune('a'+i)), Status: store.PersonActive})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A file uploaded to a booking is recognised and limited as one on a
// card; a booking for one card files it on that card too, a booking for
// two cards keeps it on the booking alone. Viewers may list, not upload;
// the list and the upload are audited.
func TestUploadToBooking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c1 := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "A1B-000001"})
		c2 := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Notice: "A1B-000002"})
		c3 := ledgertest.MustCard(t, db, ledgertest.Seed{App: 3, Notice: "A1B-000003"})
		one := mustBooking(t, db, "ONECARD1", c1.ID)
		two := mustBooking(t, db, "TWOCARD1", c2.ID, c3.ID)
		svc := newService(t, db)
		ctx := t.Context()
		file := documenttest.TIFF(documenttest.Page(1), documenttest.Page(2))
		up := func(p auth.Principal, booking int64, name string, content []byte, kind string) (filing.Document, error) {
			return svc.UploadToBooking(ctx, p, auth.Meta{}, booking, filing.Upload{Kind: kind, Note: "窓口で受領", FileName: name,
				Content: bytes.NewReader(content)})
		}
		d, err := up(staff, one, "委任状.tif", file, "proxy")
		if err != nil || d.BookingID != one || d.CardID != c1.ID || d.Pages != 2 || d.Format != "TIFF" || d.Kind != "proxy" {
			t.Fatalf("upload to a booking of one card: %+v, %v", d, err)
		}
		d2, err := up(staff, two, "申請書.jpg", documenttest.JPEG(documenttest.Page(3)), "application")
		if err != nil || d2.BookingID != two || d2.CardID != 0 {
			t.Fatalf("upload to a booking of two cards: %+v, %v", d2, err)
		}
		for name, content := range documenttest.Disguised() {
			if _, err := up(staff, two, name, content, "other"); !apperr.Is(err, document.CodeUnsupported) {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := up(staff, two, "x.tif", file, "passport"); !apperr.Is(err, filing.CodeKind) {
			t.Errorf("unknown kind: %v", err)
		}
		if _, err := up(viewer, two, "x.tif", file, "other"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a viewer uploaded: %v", err)
		}
		if _, err := up(staff, 999, "x.tif", file, "other"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("an unknown booking: %v", err)
		}
		if docs, err := svc.ListBooking(ctx, viewer, auth.Meta{}, two); err != nil || len(docs) != 1 || docs[0].ID != d2.ID {
			t.Errorf("the booking's documents: %+v, %v", docs, err)
		}
		if docs, err := svc.List(ctx, viewer, auth.Meta{}, c1.ID); err != nil || len(docs) != 1 || docs[0].ID != d.ID {
			t.Errorf("the card's documents: %+v, %v", docs, err)
		}
		if docs, err := svc.List(ctx, viewer, auth.Meta{}, c2.ID); err != nil || len(docs) != 0 {
			t.Errorf("a card of the two-card booking: %+v, %v", docs, err)
		}
		var uploaded []audit.Entry
		listed := 0
		err = db.View(ctx, func(tx *store.Tx) error {
			return tx.EachAudit(ctx, func(e audit.Entry) error {
				switch {
				case e.Action == "document.uploaded":
					uploaded = append(uploaded, e)
				case e.Action == "document.listed" && e.Target == "booking:"+strconv.FormatInt(two, 10):
					listed++
				}
				return nil
			})
		})
		if err != nil || len(uploaded) != 2 || listed != 1 || !strings.Contains(uploaded[1].Detail, `"booking_id":`+strconv.FormatInt(two, 10)) {
			t.Errorf("audit: %+v, listed %d, %v", uploaded, listed, err)
		}
	})
}
