// Package apperr is the one error type of Kofu: a stable code for the API and
// a safe Japanese message for people. Unexpected errors carry no message and
// are shown as a generic one at the edge.
//
// A code belongs to the domain package that reports it and is declared there
// once with its kind (apperr.Define). The kind, one of a few, decides the
// HTTP status (route's one table); the code tells clients which problem it was.
package apperr

import (
	"errors"
	"fmt"
)

// The generic codes, one per kind of problem. Domain packages declare finer
// codes of their own with Define.
var (
	Invalid                = Define("invalid", KindInvalid)
	Unauthenticated        = Define("unauthenticated", KindUnauthenticated)
	Forbidden              = Define("forbidden", KindForbidden)
	NotFound               = Define("not_found", KindNotFound)
	Conflict               = Define("conflict", KindConflict)
	RateLimited            = Define("rate_limited", KindLimited)
	Unavailable            = Define("unavailable", KindUnavailable)
	PasswordChangeRequired = Define("password_change_required", KindForbidden)
	TOTPRequired           = Define("totp_enrollment_required", KindForbidden)
	Internal               = Define("internal", KindInternal)
)

// Error is a coded error with a message that is safe to show.
type Error struct {
	CodeValue Code
	Message   string       // Japanese, for people
	Fields    []FieldError // optional field-level details
	Err       error        // cause, never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code(), e.Message, e.Err)
	}
	return e.Code().String() + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Code returns the stable code (Internal when none was given).
func (e *Error) Code() Code {
	if e.CodeValue.kind == 0 {
		return Internal
	}
	return e.CodeValue
}

// New returns a coded error with a Japanese message.
func New(code Code, message string) *Error { return &Error{CodeValue: code, Message: message} }

// Wrap returns a coded error that keeps err as its (hidden) cause.
func Wrap(code Code, message string, err error) *Error {
	return &Error{CodeValue: code, Message: message, Err: err}
}

// WithFields returns a coded invalid error listing field problems.
func WithFields(message string, fields []FieldError) *Error {
	return &Error{CodeValue: Invalid, Message: message, Fields: fields}
}

// Coder is an error that names its code; *Error is one, and domain
// packages may have their own (card.TransitionError, reserve.LimitError).
type Coder interface {
	error
	Code() Code
}

// CodeOf returns the code of the first coded error in err's chain, or Internal.
func CodeOf(err error) Code {
	if c, ok := errors.AsType[Coder](err); ok {
		return c.Code()
	}
	return Internal
}

// KindOf returns the kind of err's code: KindInternal for an uncoded error.
func KindOf(err error) Kind { return CodeOf(err).Kind() }

// MessageOf returns the safe message of err, or a generic one for
// unexpected errors, so no internal detail ever reaches a response.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	if _, ok := errors.AsType[Coder](err); ok {
		return err.Error() // domain errors with codes carry Japanese messages
	}
	return "システムエラーが発生しました。しばらくしてからもう一度お試しください。"
}

// FieldsOf returns the field problems of err, if any.
func FieldsOf(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Is reports whether err carries the code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// Fault reports whether err is trouble on Kofu's side (a bug, or its
// database out of reach) rather than a refusal of the request: a batch
// stops at a fault and goes on past a refusal.
func Fault(err error) bool {
	k := KindOf(err)
	return err != nil && (k == KindInternal || k == KindUnavailable)
}
