package reserve

import (
	"fmt"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
)

// Error codes of the booking engine, stable for the API. Rate limits use
// apperr.RateLimited.
var (
	CodeSlotFull      = booking.CodeSlotFull                                    // no seats left
	CodeAlreadyBooked = booking.CodeAlreadyBooked                               // the card or person has an active booking
	CodeOutsideWindow = apperr.Define("outside_window", apperr.KindConflict)    // the start cannot be booked now
	CodeAfterCutoff   = apperr.Define("after_cutoff", apperr.KindConflict)      // too late to change or cancel online
	CodeValidation    = apperr.Invalid                                          // malformed input, with field messages
	CodeNotMatched    = apperr.Define("card_not_matched", apperr.KindInvalid)   // unknown notice number or wrong birth date
	CodeNotBookable   = apperr.Define("card_not_bookable", apperr.KindConflict) // the card is not waiting for pickup
	CodeHoldExpired   = apperr.Define("hold_expired", apperr.KindConflict)      // the hold is gone
	CodeBookingState  = apperr.Define("booking_state", apperr.KindConflict)     // the booking's status does not allow the action
	CodeTooManyHolds  = apperr.Define("too_many_holds", apperr.KindLimited)     // the address holds as many slots as it may
)

const validationMessage = "入力内容を確認してください。"

// InvalidInput is an invalid error listing the fields to fix.
func InvalidInput(fields ...apperr.FieldError) error {
	return apperr.WithFields(validationMessage, fields)
}

// ruleError renames the codes of package booking to the API's codes and
// keeps their messages.
func ruleError(err error) error {
	switch apperr.CodeOf(err) {
	case booking.CodeOutsideWindow:
		return apperr.Wrap(CodeOutsideWindow, apperr.MessageOf(err), err)
	case booking.CodeChangeCutoffPassed:
		return apperr.Wrap(CodeAfterCutoff, apperr.MessageOf(err), err)
	}
	return err
}

func notMatched(i int) error {
	return &apperr.Error{CodeValue: CodeNotMatched,
		Message: "交付通知書番号または生年月日が正しくありません。はがきの番号と生年月日を確かめてください。",
		Fields:  []apperr.FieldError{{Field: fmt.Sprintf("people[%d]", i), Message: "交付通知書番号または生年月日が正しくありません。"}}}
}

func stateError(format string, args ...any) error {
	return apperr.New(CodeBookingState, fmt.Sprintf(format, args...))
}

// errBookingNotFound is the one answer to an unknown code and a wrong
// manage token, so that neither can be told apart.
func errBookingNotFound() error {
	return apperr.New(apperr.NotFound, "予約が見つかりません。予約番号と予約管理用のリンクを確かめてください。")
}

// LimitError refuses a request over a rate limit, or any request when the
// limits cannot be checked (fail closed). RetryAfter is when to try again.
type LimitError struct {
	RetryAfter time.Duration
	Err        error // the database error when the limit could not be checked
	// Provable: only a notice number's attempt limit refused the request,
	// and the same request with a proof of work passes (CreateRequest's
	// Proved): the handler asks for one instead of refusing.
	Provable bool
	// Holds, when set, is the live holds one address may have, which the
	// request would pass: the refusal says so (CodeTooManyHolds) rather
	// than "too many requests", which is not what happened.
	Holds int
}

// Code returns apperr.RateLimited, or CodeTooManyHolds.
func (e *LimitError) Code() apperr.Code {
	if e.Holds > 0 {
		return CodeTooManyHolds
	}
	return apperr.RateLimited
}

func (e *LimitError) Error() string {
	if e.Holds > 0 {
		return fmt.Sprintf("同じ接続元（同じ回線や建物のネットワーク）から仮押さえ中の予約が %d 件あり、これ以上は仮押さえできません。"+
			"仮押さえは %d 分で切れます。しばらくしてからもう一度お試しいただくか、電話でご予約ください。", e.Holds, int(e.RetryAfter.Minutes()))
	}
	return "アクセスが集中しています。しばらくしてからもう一度お試しください。"
}

func (e *LimitError) Unwrap() error { return e.Err }
