// Package reception is the paperless reception at the desk (issue #17,
// item 7, 交付受付確認票): for each card of a booking the resident reads
// the confirmation filled in from the ledger, ticks what the clerk asks
// and signs with a finger on the desk's tablet, or the clerk records that
// the paper form was used. The signature is filed through internal/filing
// as a document of kind receipt on the card (sealed, audited, backed up,
// rotated, verified and retained like every document); what was ticked is
// kept, sealed, in store.Reception. The printed form carries the QR code
// the scanner inbox files on the card (document.FormCode). PINs are never
// typed into Kofu.
package reception

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/filing"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
)

// Stable error codes (route/status.go maps them to HTTP statuses).
const (
	CodeSignatureMissing = "reception_signature_missing" // 422: no signature, or a blank canvas
	CodeSignatureFormat  = "reception_signature_format"  // 422: not a PNG, or too small to be a signature box
	CodeTickRequired     = "reception_tick_required"     // 422: a required item was not ticked
	CodeState            = "reception_state"             // 409: the booking or the person is not waiting for the handover
	CodeNoCard           = "reception_no_card"           // 409: the person has no card to confirm
	CodeUnprintable      = "reception_unprintable"       // 422: a name the form's font or the 外字 table cannot print
)

// Deps are what the service is built from.
type Deps struct {
	DB     *store.DB
	Clock  clock.Clock
	Filing *filing.Service
	// Bookings reads the booking settings: the places and the time zone.
	Bookings func(context.Context) (booking.Settings, error)
}

// Service takes and shows the confirmations.
type Service struct{ Deps }

// New returns the service.
func New(d Deps) *Service { return &Service{Deps: d} }

// Request is what the tablet (or the clerk, for the paper form) sends for
// one person of a booking.
type Request struct {
	PersonID  int64
	Paper     bool     // the clerk took the paper form instead
	Ticks     []string // Item keys
	Brought   []string // documents the resident brought
	Signature []byte   // PNG from the canvas; none for the paper form
}

// Confirmation is a person's 交付受付確認票 as it was taken.
type Confirmation struct {
	PersonID   int64     `json:"person_id"`
	BookingID  int64     `json:"booking_id"`
	CardID     int64     `json:"card_id,omitempty"`
	Mode       string    `json:"mode"` // signed or paper
	DocumentID int64     `json:"document_id,omitempty"`
	Ticks      []string  `json:"ticks"`
	Brought    []string  `json:"brought"`
	CreatedAt  time.Time `json:"created_at"`
	CreatedBy  string    `json:"created_by"`
}

// Signed tells whether the resident signed on the tablet.
func (c Confirmation) Signed() bool { return c.Mode == store.ReceptionSigned }

// Ticked tells whether an item was ticked.
func (c Confirmation) Ticked(key string) bool { return slices.Contains(c.Ticks, key) }

// ticks is the sealed JSON of store.Reception.Ticks.
type ticks struct {
	Items   []string `json:"items"`
	Brought []string `json:"brought"`
}

func confirmationOf(r store.Reception) (Confirmation, error) {
	var t ticks
	if r.Ticks != "" {
		if err := json.Unmarshal([]byte(r.Ticks), &t); err != nil {
			return Confirmation{}, err
		}
	}
	return Confirmation{PersonID: r.PersonID, BookingID: r.BookingID, CardID: r.CardID, Mode: r.Mode, DocumentID: r.DocumentID,
		Ticks: nonNil(t.Items), Brought: nonNil(t.Brought), CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Confirm records a person's confirmation: signed (the signature is
// filed on the card) or taken on paper. Viewers may not; a booking that
// is not waiting for its handover, or a person already served, is
// refused with CodeState. Confirming again replaces the record.
func (s *Service) Confirm(ctx context.Context, p auth.Principal, m auth.Meta, bookingID int64, req Request) (Confirmation, error) {
	if !auth.AtLeast(p.Role, auth.RoleStaff) {
		return Confirmation{}, apperr.New(apperr.Forbidden, "閲覧のみの利用者は交付受付確認票を記録できません。")
	}
	signed := !req.Paper
	items, err := checkTicks(req.Ticks, signed)
	if err != nil {
		return Confirmation{}, err
	}
	brought, err := checkBrought(req.Brought)
	if err != nil {
		return Confirmation{}, err
	}
	if signed && len(req.Signature) == 0 {
		return Confirmation{}, fieldErr(CodeSignatureMissing, "signature", "署名がありません。署名欄に指で署名してください。")
	}
	settings, err := s.Filing.Settings(ctx)
	if err != nil {
		return Confirmation{}, err
	}
	st, err := s.Bookings(ctx)
	if err != nil {
		return Confirmation{}, err
	}
	var out Confirmation
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		b, person, err := s.waiting(ctx, tx, st, bookingID, req.PersonID)
		if err != nil {
			return err
		}
		rec := store.Reception{PersonID: person.ID, BookingID: b.ID, CardID: person.CardID, Mode: store.ReceptionPaper,
			CreatedAt: s.Clock.Now(), CreatedBy: p.Username}
		if signed {
			doc, err := s.Filing.AttachTx(ctx, tx, p, m, settings, filing.Attachment{CardID: person.CardID, BookingID: b.ID,
				Kind: document.KindReceipt, FileName: "交付受付確認票の署名（予約 " + reserve.FormatCode(b.Code) + "）.png",
				Note: "窓口のタブレットで署名", Source: "reception", Content: req.Signature, Limits: SignatureLimits, Check: checkSignature})
			if err != nil {
				return err
			}
			rec.Mode, rec.DocumentID = store.ReceptionSigned, doc.ID
		}
		t, _ := json.Marshal(ticks{Items: items, Brought: brought})
		rec.Ticks = string(t)
		if err := tx.PutReception(ctx, rec); err != nil {
			return err
		}
		if out, err = confirmationOf(rec); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "reception."+rec.Mode, bookingTarget(b.ID), map[string]any{"person_id": person.ID,
			"card_id": person.CardID, "document_id": rec.DocumentID, "ticks": items, "brought": len(brought)})
	})
	return out, err
}

// waiting loads the booking and the person, who must still be waiting
// for a card, on or after the booking's day.
func (s *Service) waiting(ctx context.Context, tx *store.Tx, st booking.Settings, bookingID, personID int64) (store.Booking, store.BookingPerson, error) {
	b, err := tx.BookingByID(ctx, bookingID)
	if err != nil {
		return b, store.BookingPerson{}, err
	}
	if b.Status != store.BookingBooked && b.Status != store.BookingCheckedIn {
		return b, store.BookingPerson{}, apperr.New(CodeState, "この予約は交付の受付ができる状態ではありません（取消・完了・来庁なしなど）。")
	}
	loc, err := st.Location()
	if err != nil {
		loc = time.UTC
	}
	if today := calendar.DateOf(s.Clock.Now().In(loc)).String(); today < b.Date {
		return b, store.BookingPerson{}, apperr.New(CodeState, "交付の受付は予約日（"+b.Date+"）から行えます。")
	}
	for _, person := range b.People {
		if person.ID != personID {
			continue
		}
		switch {
		case person.Status != store.PersonActive:
			return b, person, apperr.New(CodeState, "この方の交付はすでに記録されているか、予約から外れています。")
		case person.CardID == 0:
			return b, person, apperr.New(CodeNoCard, "この方の予約にはカードがないため、交付受付確認票はありません。")
		}
		return b, person, nil
	}
	return b, store.BookingPerson{}, fieldErr(apperr.NotFound, "person_id", "この予約にその方はいません。")
}

// ForBooking returns the confirmations of a booking's people by person,
// recording that p looked at them.
func (s *Service) ForBooking(ctx context.Context, p auth.Principal, m auth.Meta, bookingID int64) (map[int64]Confirmation, error) {
	out := map[int64]Confirmation{}
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		recs, err := tx.BookingReceptions(ctx, bookingID)
		if err != nil {
			return err
		}
		for _, r := range recs {
			c, err := confirmationOf(r)
			if err != nil {
				return err
			}
			out[c.PersonID] = c
		}
		return s.audit(ctx, tx, p, m, "reception.viewed", bookingTarget(bookingID), map[string]any{"confirmations": len(out)})
	})
	return out, err
}

// ForCard returns the confirmations taken for a card, oldest first,
// recording that p looked at them.
func (s *Service) ForCard(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64) ([]Confirmation, error) {
	out := []Confirmation{}
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		recs, err := tx.CardReceptions(ctx, cardID)
		if err != nil {
			return err
		}
		for _, r := range recs {
			c, err := confirmationOf(r)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return s.audit(ctx, tx, p, m, "reception.viewed", "card:"+strconv.FormatInt(cardID, 10), map[string]any{"confirmations": len(out)})
	})
	return out, err
}

// Signature records that p views the signature of a person of a booking and returns it
// (the PNG the tablet sent, read through its seal).
func (s *Service) Signature(ctx context.Context, p auth.Principal, m auth.Meta, bookingID, personID int64) ([]byte, error) {
	var png []byte
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		r, err := tx.ReceptionOf(ctx, personID)
		if apperr.Is(err, apperr.NotFound) || (err == nil && (r.DocumentID == 0 || r.BookingID != bookingID)) {
			return apperr.New(apperr.NotFound, "この方の署名はありません。")
		}
		if err != nil {
			return err
		}
		if png, err = filing.DocumentBytes(ctx, tx, r.DocumentID); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "reception.signature_viewed", bookingTarget(r.BookingID), map[string]any{"person_id": personID,
			"card_id": r.CardID, "document_id": r.DocumentID})
	})
	return png, err
}

func (s *Service) audit(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, action, target string, detail map[string]any) error {
	_, err := tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: action,
		Target: target, IP: m.IP, RequestID: m.RequestID, Detail: detail}, s.Clock.Now())
	return err
}

func bookingTarget(id int64) string { return "booking:" + strconv.FormatInt(id, 10) }
