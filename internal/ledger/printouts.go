package ledger

import (
	"context"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// IssuedList is the cards handed over on one day, for the printed
// issuance list (交付者一覧).
type IssuedList struct {
	Date  string
	Cards []store.IssuedCard
}

// IssuedOn lists the cards moved to issued on day (YYYY-MM-DD in the
// city's zone; "" for today), in handover order, and records the printout
// with its cards.
func (w *Workflows) IssuedOn(ctx context.Context, p auth.Principal, m auth.Meta, day string) (IssuedList, error) {
	if day == "" {
		day = w.today()
	}
	var fe fieldErrors
	day = checkDay(&fe, "date", "交付日", day, w.today())
	if err := fe.Err("日付に誤りがあります。"); err != nil {
		return IssuedList{}, err
	}
	from, err := time.ParseInLocation(time.DateOnly, day, w.loc)
	if err != nil {
		return IssuedList{}, err
	}
	out := IssuedList{Date: day}
	err = w.db.Update(ctx, func(tx *store.Tx) error {
		if out.Cards, err = tx.IssuedCards(ctx, from, from.AddDate(0, 0, 1)); err != nil {
			return err
		}
		ids := make([]int64, len(out.Cards))
		for i, c := range out.Cards {
			ids[i] = c.ID
		}
		return w.audit(ctx, tx, p, m, "card.issued_list_printed", "cards", map[string]any{"date": day, "card_ids": ids})
	})
	return out, err
}

// SlipItem is a line of the hand-over slip's checklist.
type SlipItem struct {
	Item    string
	Label   string
	Checked bool
}

// HandoverSlip is the 交付引渡票 of one card: its owner, the handover and
// what was handed back. It holds one resident and nobody else.
type HandoverSlip struct {
	Card       store.CardRecord
	IssuedAt   time.Time
	IssuedBy   string
	How        string // the handover event's reason
	Visit      *store.AppVisit
	HandedBack *store.HandedBack
	Mailings   []store.Mailing
	Items      []SlipItem
}

// Slip returns the hand-over slip of an issued card and records the
// printout.
func (w *Workflows) Slip(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64) (HandoverSlip, error) {
	var s HandoverSlip
	err := w.db.Update(ctx, func(tx *store.Tx) (err error) {
		if s, err = slipOf(ctx, tx, cardID); err != nil {
			return err
		}
		return w.audit(ctx, tx, p, m, "card.handover_slip_printed", cardTarget(cardID), nil)
	})
	return s, err
}

func slipOf(ctx context.Context, tx *store.Tx, cardID int64) (HandoverSlip, error) {
	rec, err := tx.CardByID(ctx, cardID)
	if err != nil {
		return HandoverSlip{}, err
	}
	if rec.Status != card.StatusIssued {
		return HandoverSlip{}, apperr.New(apperr.Conflict, "交付引渡票は「交付済」のカードだけ印刷できます（現在の状態「"+rec.Status.Label()+"」）。")
	}
	s := HandoverSlip{Card: rec}
	if e, err := tx.LastStatusEvent(ctx, cardID, string(card.StatusIssued)); err == nil {
		s.IssuedAt, s.IssuedBy, s.How = e.At, e.Actor, e.Reason
	} else if !apperr.Is(err, apperr.NotFound) {
		return HandoverSlip{}, err
	}
	if v, err := tx.AppVisitOf(ctx, rec.Application.ApplicationID); err == nil {
		s.Visit = &v
	} else if !apperr.Is(err, apperr.NotFound) {
		return HandoverSlip{}, err
	}
	if hb, err := tx.HandedBackOf(ctx, cardID); err == nil {
		s.HandedBack = &hb
	} else if !apperr.Is(err, apperr.NotFound) {
		return HandoverSlip{}, err
	}
	if s.Mailings, err = tx.CardMailings(ctx, cardID); err != nil {
		return HandoverSlip{}, err
	}
	s.Items = slipItems(s)
	return s, nil
}

// slipItems is the checklist: each item, ticked when it was handed back
// at the application visit or at the counter.
func slipItems(s HandoverSlip) []SlipItem {
	back := map[string]bool{}
	if s.Visit != nil {
		for _, it := range s.Visit.ItemsReturned {
			back[it] = true
		}
	}
	if s.HandedBack != nil {
		for _, it := range s.HandedBack.ItemsReturned {
			back[it] = true
		}
	}
	out := []SlipItem{}
	for _, it := range HandBackItems() {
		out = append(out, SlipItem{Item: it, Label: HandBackLabel(it), Checked: back[it]})
	}
	return out
}
