package ledger

import (
	"context"
	"fmt"
	"slices"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// maxReasonRunes bounds the free-text reason of a change.
const maxReasonRunes = 500

// Transition moves a card to status to. An illegal move is refused with a
// code illegal_transition error naming the current status, and changes
// nothing; a move to cancelled needs a cancel reason. The new status, its
// card event and its audit entry commit together.
func (s *Service) Transition(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64,
	to card.Status, reason string, cancelReason card.CancelReason) (Detail, error) {
	reason, err := cleanText("reason", "理由", reason, maxReasonRunes)
	if err != nil {
		return Detail{}, err
	}
	var d Detail
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		rec, err := tx.CardByID(ctx, cardID)
		if err != nil {
			return err
		}
		if err := checkTransition(rec, to, cancelReason); err != nil {
			return err
		}
		if err := restore(ctx, tx, rec, to); err != nil {
			return err
		}
		from := rec.Status
		applyStatus(&rec.Card, to, cancelReason)
		if err := s.saveStatus(ctx, tx, p, m, &rec, from, reason); err != nil {
			return err
		}
		d, err = detailOf(ctx, tx, rec)
		return err
	})
	return d, err
}

// saveStatus writes the card, its status event and the audit entry.
func (s *Service) saveStatus(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta,
	rec *store.CardRecord, from card.Status, reason string) error {
	now := s.clock.Now()
	if err := tx.UpdateCard(ctx, &rec.Card, now); err != nil {
		return err
	}
	ev := store.CardEvent{CardID: rec.ID, At: now, ActorID: p.UserID, Actor: p.Username,
		Kind: store.EventStatus, FromStatus: from, ToStatus: rec.Status, Reason: reason}
	if rec.Status == card.StatusCancelled {
		ev.Field, ev.NewValue = "cancel_reason", string(rec.CancelReason)
	}
	if err := tx.InsertCardEvent(ctx, &ev); err != nil {
		return err
	}
	detail := map[string]any{"from": from, "to": rec.Status, "reason": reason}
	if rec.Status == card.StatusCancelled {
		detail["cancel_reason"] = rec.CancelReason
	}
	return s.audit(ctx, tx, p, m, "card.status_changed", cardTarget(rec.ID), detail)
}

// applyStatus sets the new status and what goes with it: the status a
// hold returns to, and the reason of a cancellation.
func applyStatus(c *store.Card, to card.Status, cancelReason card.CancelReason) {
	switch {
	case to == card.StatusOnHold:
		c.HeldFrom = c.Status
	case c.Status == card.StatusOnHold:
		c.HeldFrom = ""
	}
	if to == card.StatusCancelled {
		c.CancelReason = cancelReason
	}
	c.Status = to
}

// checkTransition applies the domain's transition table, then the rules
// that a booking's card moves only with its booking (package reserve
// moves it, never this service) and that a hold ends by going back to
// where the card was.
func checkTransition(rec store.CardRecord, to card.Status, cancelReason card.CancelReason) error {
	if err := card.Transition(rec.Status, to, rec.Application.Method, cancelReason); err != nil {
		return err
	}
	if err := checkBooked(rec.Status, to); err != nil {
		return err
	}
	if to == card.StatusDisposed {
		return disposalNeedsConfirmation() // two staff members: see ConfirmDisposal
	}
	if rec.Status != card.StatusOnHold || slices.Contains(NextStatuses(rec), to) {
		return nil
	}
	back := resumeStatus(rec.HeldFrom)
	return apperr.New(card.CodeIllegalTransition, fmt.Sprintf(
		"現在の状態「%s」からは「%s」に変更できません。保留前の状態「%s」に戻してください",
		rec.Status.Label(), to.Label(), back.Label()))
}

// checkBooked refuses to move a card into or out of reserved here: a
// reserved card belongs to an active booking, and moving it alone would
// leave the booking waiting for a card that is gone (or a card reserved
// by no booking).
func checkBooked(from, to card.Status) error {
	switch {
	case from == card.StatusReserved:
		return apperr.New(card.CodeIllegalTransition,
			"このカードは交付予約があるため、ここでは状態を変更できません。来庁・交付・来庁なし・予約の取消は窓口画面（交付窓口 /staff/counter）から行ってください。")
	case to == card.StatusReserved:
		return apperr.New(card.CodeIllegalTransition,
			"「予約済」には予約の登録でのみ変更できます。電話・窓口での予約は予約登録の画面（/staff/bookings/new）から行ってください。")
	}
	return nil
}

// restoring reports whether a move takes a card pending disposal back into
// stock (a resident turned up before the disposal was confirmed).
func restoring(from, to card.Status) bool {
	return from == card.StatusDisposalPending && to != card.StatusDisposed && to != card.StatusOnHold
}

// restore checks a move back into stock and drops the disposal proposal
// it ends. A card that was ever cancelled stays out: its application is
// void and the resident must apply again.
func restore(ctx context.Context, tx *store.Tx, rec store.CardRecord, to card.Status) error {
	if !restoring(rec.Status, to) {
		return nil
	}
	_, err := tx.LastStatusEvent(ctx, rec.ID, string(card.StatusCancelled))
	switch {
	case rec.CancelReason != "" || err == nil:
		return cancelledCardError(rec)
	case !apperr.Is(err, apperr.NotFound):
		return err
	}
	return tx.DeleteDisposalProposal(ctx, rec.ID)
}

func cancelledCardError(rec store.CardRecord) error {
	why := ""
	if rec.CancelReason != "" {
		why = "（" + rec.CancelReason.Label() + "）"
	}
	return apperr.New(card.CodeIllegalTransition, "このカードは廃止"+why+"されているため、保管に戻せません。交付するには再申請が必要です。")
}

// NextStatuses returns the statuses staff may move the card to now, in
// button order: the domain's table for the card's method, where a card on
// hold may only resume the status it was held from (or be cancelled or
// queued for disposal), and a cancelled card pending disposal cannot go
// back into stock. A hold whose origin is unknown (an imported card)
// may end in any status the table allows. Nothing moves a card into or out
// of reserved here (checkBooked): a booked card moves with its booking.
func NextStatuses(rec store.CardRecord) []card.Status {
	next := withoutDisposed(card.AllowedNext(rec.Status, rec.Application.Method))
	next = slices.DeleteFunc(next, func(s card.Status) bool { return checkBooked(rec.Status, s) != nil })
	if rec.CancelReason != "" {
		next = slices.DeleteFunc(next, func(s card.Status) bool { return restoring(rec.Status, s) })
	}
	if rec.Status != card.StatusOnHold || rec.HeldFrom == "" {
		return next
	}
	back := resumeStatus(rec.HeldFrom)
	return slices.DeleteFunc(next, func(s card.Status) bool {
		return s != back && s != card.StatusCancelled && s != card.StatusDisposalPending
	})
}

// resumeStatus is where a card held from status from goes back to: a
// booking does not survive a hold, so a reserved card returns to waiting
// for its owner.
func resumeStatus(from card.Status) card.Status {
	if from == card.StatusReserved {
		return card.StatusNoticeSent
	}
	return from
}
