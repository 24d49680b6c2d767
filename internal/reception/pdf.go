package reception

import (
	"context"
	"errors"
	"image"
	"io"
	"strconv"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/filing"
	"github.com/kofu-oss/kofu/internal/paper"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
)

// Paper is what the printed form needs besides the booking.
type Paper struct {
	City  string // the municipality's name, printed at the top
	Gaiji paper.Gaiji
}

// FormCode is the text of the QR code on a card's printed 交付受付確認票:
// the scanner inbox files the scanned page on the card, as kind receipt.
func FormCode(cardID int64) string {
	return document.FormCode(document.KindReceipt, document.Ref{Type: document.RefCard, Value: strconv.FormatInt(cardID, 10)})
}

// PDF writes the 交付受付確認票 of a booking's people with cards (one
// page each; personID, when not 0, prints that person's only): filled in
// from the ledger, with the ticks and the signature when the resident
// confirmed on the tablet, empty boxes for a pen otherwise. The print is
// audited, and so is the read of each signature it carries.
func (s *Service) PDF(ctx context.Context, p auth.Principal, m auth.Meta, bookingID, personID int64, pp Paper, w io.Writer) error {
	st, err := s.Bookings(ctx)
	if err != nil {
		return err
	}
	var receipts []paper.Receipt
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		b, err := tx.BookingByID(ctx, bookingID)
		if err != nil {
			return err
		}
		var people []int64
		for _, person := range b.People {
			if person.CardID == 0 || (personID != 0 && person.ID != personID) || person.Status == store.PersonCancelled {
				continue
			}
			r, err := s.receiptOf(ctx, tx, st, b, person)
			if err != nil {
				return err
			}
			receipts = append(receipts, r)
			people = append(people, person.ID)
		}
		if len(receipts) == 0 {
			return apperr.New(apperr.NotFound, "この予約には交付受付確認票を印刷できるカードがありません。")
		}
		return s.audit(ctx, tx, p, m, "reception.printed", bookingTarget(b.ID), map[string]any{"people": people})
	})
	if err != nil {
		return err
	}
	_, err = paper.RenderReceipts(w, pp.City, pp.Gaiji, receipts)
	if ue, ok := errors.AsType[*paper.UnprintableError](err); ok {
		return apperr.Wrap(CodeUnprintable, "交付受付確認票を印刷できません。"+ue.Reason+"紙の確認票に手書きで記入してください。", err)
	}
	return err
}

// receiptOf fills one person's page from the ledger and the confirmation.
func (s *Service) receiptOf(ctx context.Context, tx *store.Tx, st booking.Settings, b store.Booking, person store.BookingPerson) (paper.Receipt, error) {
	loc, err := st.Location()
	if err != nil {
		return paper.Receipt{}, err
	}
	r := paper.Receipt{Name: person.Name, Kana: person.NameKana, BirthDate: person.BirthDate, NoticeNumber: person.NoticeNumber,
		Booking: reserve.FormatCode(b.Code) + " " + b.Start.In(loc).Format("2006-01-02 15:04"), Place: b.Place, Code: FormCode(person.CardID)}
	if c := person.Card; c != nil {
		r.Name, r.Kana, r.BirthDate = c.Name, c.NameKana, c.BirthDate
	}
	if pl, ok := st.Place(b.Place); ok {
		r.Place = pl.Name
	}
	if person.Comes != "" {
		r.Comes = reserve.Attendance(person.Comes).Label()
	}
	rec, err := tx.ReceptionOf(ctx, person.ID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return r, err
	}
	c, err := confirmationOf(rec)
	if err != nil {
		return r, err
	}
	for _, it := range Items() {
		r.Items = append(r.Items, paper.ReceiptItem{Label: it.Label, Ticked: c.Ticked(it.Key)})
	}
	r.Brought = c.Brought
	if rec.DocumentID != 0 {
		r.Signature, err = s.signatureImage(ctx, tx, rec.DocumentID)
		if err != nil {
			return r, err
		}
		r.SignedAt = rec.CreatedAt.In(loc).Format("2006-01-02 15:04")
	}
	return r, nil
}

func (s *Service) signatureImage(ctx context.Context, tx *store.Tx, documentID int64) (image.Image, error) {
	png, err := filing.DocumentBytes(ctx, tx, documentID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil // deleted under retention: the box stays empty
	}
	if err != nil {
		return nil, err
	}
	return openSignature(png)
}
