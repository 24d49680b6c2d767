package surface

import (
	"github.com/kofu-oss/kofu/internal/apperr"
)

// Error codes of this package, stable for the API. An unknown card or
// update is apperr.NotFound.
var (
	CodeKindInvalid    = apperr.Define("surface_kind_invalid", apperr.KindInvalid)
	CodeValueRequired  = apperr.Define("surface_value_required", apperr.KindInvalid)
	CodeValueTooLong   = apperr.Define("surface_value_too_long", apperr.KindInvalid)
	CodeValueUnchanged = apperr.Define("surface_value_unchanged", apperr.KindInvalid)
	CodeDetailInvalid  = apperr.Define("surface_detail_invalid", apperr.KindInvalid)
	CodeDateInvalid    = apperr.Define("surface_date_invalid", apperr.KindInvalid)
	CodeNoteTooLong    = apperr.Define("surface_note_too_long", apperr.KindInvalid)
	CodeFilterInvalid  = apperr.Define("surface_filter_invalid", apperr.KindInvalid)
	CodeCardVoid       = apperr.Define("surface_card_void", apperr.KindConflict)
	CodeAlreadyPending = apperr.Define("surface_already_pending", apperr.KindConflict)
	CodeNotPending     = apperr.Define("surface_not_pending", apperr.KindConflict)
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
func fieldErr(code apperr.Code, field, msg string) error {
	return &apperr.Error{CodeValue: code, Message: msg, Fields: []apperr.FieldError{{Field: field, Message: msg}}}
}

func coded(code apperr.Code, msg string) error { return apperr.New(code, msg) }

func notFound(err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Wrap(apperr.NotFound, "券面更新の記録が見つかりません。", err)
	}
	return err
}
