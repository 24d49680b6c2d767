package route

import (
	"net/http"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// statusOf is the one table from error code to HTTP status, shared by the
// JSON API and the HTML pages.
var statusOf = map[string]int{
	apperr.Invalid:                http.StatusUnprocessableEntity,
	apperr.Unauthenticated:        http.StatusUnauthorized,
	apperr.Forbidden:              http.StatusForbidden,
	apperr.PasswordChangeRequired: http.StatusForbidden,
	apperr.TOTPRequired:           http.StatusForbidden,
	apperr.NotFound:               http.StatusNotFound,
	apperr.Conflict:               http.StatusConflict,
	"illegal_transition":          http.StatusConflict,
	"cancel_reason_required":      http.StatusUnprocessableEntity,
	apperr.RateLimited:            http.StatusTooManyRequests,
	"unsupported_media_type":      http.StatusUnsupportedMediaType,
	"too_many_holds":              http.StatusTooManyRequests,
	"slot_full":                   http.StatusConflict,
	"already_booked":              http.StatusConflict,
	"outside_window":              http.StatusConflict,
	"after_cutoff":                http.StatusConflict,
	"card_not_bookable":           http.StatusConflict,
	"hold_expired":                http.StatusConflict,
	"booking_state":               http.StatusConflict,
	"card_not_matched":            http.StatusUnprocessableEntity,
	"at_application_flow":         http.StatusConflict,
	"surface_card_void":           http.StatusConflict,
	"surface_already_pending":     http.StatusConflict,
	"surface_not_pending":         http.StatusConflict,
	"challenge_required":          http.StatusTooManyRequests,
	"challenge_wait":              http.StatusTooManyRequests,
	"challenge_solve":             http.StatusTooManyRequests,
	"challenge_used":              http.StatusConflict,
	"document_too_large":          http.StatusRequestEntityTooLarge,
	"document_day_limit":          http.StatusTooManyRequests,
	"document_blob_key":           http.StatusInternalServerError,
	"document_blob_corrupt":       http.StatusInternalServerError,
	"not_today":                   http.StatusConflict,
	"wrong_place":                 http.StatusConflict,
	"cancelled":                   http.StatusConflict,
	"already_issued":              http.StatusConflict,
	"too_early":                   http.StatusConflict,
	"walk_ins_off":                http.StatusConflict,
	"queue_empty":                 http.StatusNotFound,
	"no_ticket":                   http.StatusNotFound,
	"import_running":              http.StatusConflict,
	apperr.Internal:               http.StatusInternalServerError,
}

// Status returns the HTTP status for an error code. A coded domain error
// not in the table is the caller's to fix: 422.
func Status(code string) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusUnprocessableEntity
}
