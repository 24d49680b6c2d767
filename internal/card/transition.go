package card

import (
	"fmt"
	"slices"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// transitionTable lists, for each status, the statuses a card may move to,
// in the order buttons are shown to staff (the usual next step first).
// Method restrictions are not repeated here: a status that belongs to one
// method (see statusDefs) is simply unavailable to cards of the other.
//
// Choices beyond the journey in docs/domain.md:
//   - notice_returned → issued: a resident whose notice came back may still
//     turn up at the counter (after a phone call, with ID) and be served, as
//     with mail_returned → issued. notice_returned → reserved is left out:
//     a booking falls back to notice_sent on a no-show, which would claim a
//     notice the resident never received.
//   - on_hold → arrived: a card held before its setup must go back to
//     arrived to be set up; resuming to setup_done would skip the check.
//     The service resumes to the status recorded before the hold; this
//     table only bounds where a hold may end.
//   - defective, mailed and cancelled cannot be put on hold: a defective
//     card must go back to J-LIS, a mailed one is out of the city's hands
//     until delivered or returned, and a cancelled one can only be disposed
//     of (a hold on disposal is taken from disposal_pending).
//   - disposal_pending → notice_sent (counter) / mail_returned
//     (at-application): until a second staff member confirms the disposal
//     the card still exists, so a resident who turns up gets it back into
//     stock, where booking and issuance take it as any waiting card. The
//     ledger refuses this for a card that was cancelled (its application is
//     void: the resident must apply again).
//   - issued, returned_to_jlis and disposed are final; a disposed card
//     cannot come back and the resident must apply again.
func transitionTable() map[Status][]Status {
	return map[Status][]Status{
		StatusArrived:         {StatusSetupDone, StatusDefective, StatusOnHold, StatusCancelled},
		StatusSetupDone:       {StatusNoticeSent, StatusMailed, StatusDefective, StatusOnHold, StatusCancelled},
		StatusDefective:       {StatusReturnedToJLIS},
		StatusNoticeSent:      {StatusReserved, StatusIssued, StatusNoticeReturned, StatusOnHold, StatusCancelled, StatusDisposalPending},
		StatusNoticeReturned:  {StatusNoticeSent, StatusIssued, StatusOnHold, StatusCancelled, StatusDisposalPending},
		StatusReserved:        {StatusIssued, StatusNoticeSent, StatusOnHold, StatusCancelled},
		StatusMailed:          {StatusIssued, StatusMailReturned},
		StatusMailReturned:    {StatusMailed, StatusIssued, StatusOnHold, StatusCancelled, StatusDisposalPending},
		StatusOnHold:          {StatusArrived, StatusSetupDone, StatusNoticeSent, StatusNoticeReturned, StatusMailReturned, StatusDisposalPending, StatusCancelled},
		StatusCancelled:       {StatusDisposalPending},
		StatusDisposalPending: {StatusDisposed, StatusNoticeSent, StatusMailReturned, StatusOnHold},
		StatusIssued:          nil,
		StatusReturnedToJLIS:  nil,
		StatusDisposed:        nil,
	}
}

// AllowedNext returns the statuses a card of method m in status from may
// move to, in button order. It is empty for final statuses, unknown values
// and a status that cards of m never have.
func AllowedNext(from Status, m Method) []Status {
	if !from.AppliesTo(m) {
		return nil
	}
	var out []Status
	for _, to := range transitionTable()[from] {
		if to.AppliesTo(m) {
			out = append(out, to)
		}
	}
	return out
}

// CanTransition checks that a card of method m may move from one status to
// another. It returns a *TransitionError when the move is not allowed and
// an apperr invalid error for unknown statuses or methods.
func CanTransition(from, to Status, m Method) error {
	if err := validate(from, to, m); err != nil {
		return err
	}
	if !slices.Contains(AllowedNext(from, m), to) {
		return &TransitionError{From: from, To: to, Method: m}
	}
	return nil
}

// Transition checks a status change as CanTransition does, and also that a
// move to cancelled carries a valid reason (*CancelReasonError otherwise).
// reason is ignored for other moves.
func Transition(from, to Status, m Method, reason CancelReason) error {
	if err := CanTransition(from, to, m); err != nil {
		return err
	}
	if to == StatusCancelled && !reason.Valid() {
		return &CancelReasonError{Reason: reason}
	}
	return nil
}

func validate(from, to Status, m Method) error {
	for _, s := range []Status{from, to} {
		if !s.Valid() {
			return apperr.New(apperr.Invalid, fmt.Sprintf("「%s」は不明なカードの状態です", s))
		}
	}
	if !m.Valid() {
		return apperr.New(apperr.Invalid, fmt.Sprintf("「%s」は不明な交付方式です", m))
	}
	return nil
}
