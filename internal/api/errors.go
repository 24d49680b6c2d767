// Package api is the JSON API under /api/v1/: thin handlers that parse,
// call a service and answer. Errors have one shape and one status table.
package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/route"
)

// Status returns the HTTP status for an error code (see route.Status).
func Status(code apperr.Code) int { return route.Status(code) }

type errorBody struct {
	Error struct {
		Code    string              `json:"code"`
		Reason  string              `json:"reason,omitempty"` // finer stable code, e.g. xlsx_too_many_columns
		Message string              `json:"message"`
		Fields  []apperr.FieldError `json:"fields,omitempty"`
	} `json:"error"`
}

// reasoner is an error that names its cause with a finer stable code than
// its apperr code (a refused file says which limit or check refused it).
type reasoner interface {
	error
	ReasonCode() string
}

// WriteError answers with the error's code and safe message. Unexpected
// errors are logged here, once, and answered generically.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	code := apperr.CodeOf(err)
	switch code.Kind() {
	case apperr.KindInternal:
		slog.ErrorContext(r.Context(), "request failed", "err", err.Error(), "route", r.Pattern)
	case apperr.KindUnavailable:
		slog.WarnContext(r.Context(), "request refused, database unavailable", "err", err.Error(), "route", r.Pattern)
		w.Header().Set("Retry-After", route.UnavailableRetryAfter)
	}
	var b errorBody
	b.Error.Code, b.Error.Message, b.Error.Fields = code.String(), apperr.MessageOf(err), apperr.FieldsOf(err)
	if rc, ok := errors.AsType[reasoner](err); ok {
		b.Error.Reason = rc.ReasonCode()
	}
	if code == apperr.RateLimited {
		w.Header().Set("Retry-After", "60")
	}
	WriteJSON(w, Status(code), b)
}

// WriteJSON writes v as JSON with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// CodeMediaType is the error code of a body that is not declared JSON.
var CodeMediaType = apperr.Define("unsupported_media_type", apperr.KindUnsupported)

// decode reads a JSON body of at most 1 MiB into v, refusing unknown
// fields and a body not sent as application/json: a form or text/plain
// body must not pass for JSON (a cross-site form can send text/plain
// without asking the browser's preflight).
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return apperr.New(CodeMediaType, "本文は JSON で送り、Content-Type: application/json を付けてください。")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apperr.Wrap(apperr.Invalid, "JSON の形式が正しくありません。", err)
	}
	return nil
}

// invalid is a field-level input error.
func invalid(field, message string) error {
	return apperr.Field(field, message)
}
