package surface

import (
	"github.com/kofu-oss/kofu/internal/apperr"
)

// Error codes of this package, stable for the API. The conflicts (card
// void, already pending, not pending) answer 409, the others 422; an
// unknown card or update is apperr.NotFound.
const (
	CodeKindInvalid    = "surface_kind_invalid"
	CodeValueRequired  = "surface_value_required"
	CodeValueTooLong   = "surface_value_too_long"
	CodeValueUnchanged = "surface_value_unchanged"
	CodeDetailInvalid  = "surface_detail_invalid"
	CodeDateInvalid    = "surface_date_invalid"
	CodeNoteTooLong    = "surface_note_too_long"
	CodeFilterInvalid  = "surface_filter_invalid"
	CodeCardVoid       = "surface_card_void"
	CodeAlreadyPending = "surface_already_pending"
	CodeNotPending     = "surface_not_pending"
)

// The form and JSON fields errors name.
const (
	fieldKind      = "kind"
	fieldNewValue  = "new_value"
	fieldNewDetail = "new_detail"
	fieldDate      = "date"
	fieldNote      = "note"
)

// fieldErr is an error with a stable code naming the field at fault.
func fieldErr(code, field, msg string) error {
	return &apperr.Error{CodeValue: code, Message: msg, Fields: []apperr.FieldError{{Field: field, Message: msg}}}
}

func coded(code, msg string) error { return apperr.New(code, msg) }

func notFound(err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Wrap(apperr.NotFound, "券面更新の記録が見つかりません。", err)
	}
	return err
}
