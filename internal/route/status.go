package route

import (
	"net/http"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// statusOf is the one table from an error's kind to its HTTP status, shared
// by the JSON API and the HTML pages. Codes are declared with their kind by
// the package that reports them (apperr.Define); none is listed here.
var statusOf = map[apperr.Kind]int{
	apperr.KindInvalid:         http.StatusUnprocessableEntity,
	apperr.KindUnauthenticated: http.StatusUnauthorized,
	apperr.KindForbidden:       http.StatusForbidden,
	apperr.KindNotFound:        http.StatusNotFound,
	apperr.KindConflict:        http.StatusConflict,
	apperr.KindLimited:         http.StatusTooManyRequests,
	apperr.KindTooLarge:        http.StatusRequestEntityTooLarge,
	apperr.KindUnsupported:     http.StatusUnsupportedMediaType,
	apperr.KindUnavailable:     http.StatusServiceUnavailable,
	apperr.KindInternal:        http.StatusInternalServerError,
}

// Status returns the HTTP status for an error code, from its kind.
func Status(code apperr.Code) int {
	if s, ok := KindStatus(code.Kind()); ok {
		return s
	}
	return http.StatusInternalServerError // the zero Code: no code at all
}

// KindStatus returns the HTTP status of a kind, if the table has one.
func KindStatus(k apperr.Kind) (int, bool) {
	s, ok := statusOf[k]
	return s, ok
}

// StatusOf returns the HTTP status for err (500 for an uncoded error).
func StatusOf(err error) int { return Status(apperr.CodeOf(err)) }

// UnavailableRetryAfter is the Retry-After, in seconds, of an answer whose
// kind is unavailable: the database is failing over or out of reach, and a
// few seconds usually see it back.
const UnavailableRetryAfter = "5"
