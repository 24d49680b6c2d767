package card

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// Error codes of this package, stable for the API.
var (
	CodeIllegalTransition    = apperr.Define("illegal_transition", apperr.KindConflict)
	CodeCancelReasonRequired = apperr.Define("cancel_reason_required", apperr.KindInvalid)
)

// TransitionError reports a status change that the ledger does not allow.
// Its message is Japanese and safe to show to staff.
type TransitionError struct {
	From   Status
	To     Status
	Method Method // may be empty
}

// Code returns "illegal_transition".
func (e *TransitionError) Code() apperr.Code { return CodeIllegalTransition }

func (e *TransitionError) Error() string {
	if e.From == e.To {
		// Usually a double submission; say so rather than "cannot change".
		return fmt.Sprintf("すでに「%s」の状態です", e.From.Label())
	}
	msg := fmt.Sprintf("現在の状態「%s」からは「%s」に変更できません", e.From.Label(), e.To.Label())
	if e.refusedForMethod() {
		msg += fmt.Sprintf("（%sのカードのため）", e.Method.Label())
	}
	return msg
}

// refusedForMethod tells whether the move exists for the other method, so
// the message can say why staff do not see it.
func (e *TransitionError) refusedForMethod() bool {
	return e.Method.Valid() && slices.Contains(transitionTable()[e.From], e.To)
}

// CancelReasonError reports a cancellation without a valid reason.
type CancelReasonError struct {
	Reason CancelReason // what was given; empty when missing
}

// Code returns "cancel_reason_required".
func (e *CancelReasonError) Code() apperr.Code { return CodeCancelReasonRequired }

func (e *CancelReasonError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("廃止にするには廃止理由（%s）を選んでください", reasonChoices())
	}
	return fmt.Sprintf("廃止理由「%s」は選べません。%sから選んでください", e.Reason, reasonChoices())
}

func reasonChoices() string {
	labels := make([]string, 0, 6)
	for _, r := range AllCancelReasons() {
		labels = append(labels, r.Label())
	}
	return strings.Join(labels, "・")
}
