// Package apperr is the one error type of Kofu: a stable code for the API and
// a safe Japanese message for people. Unexpected errors carry no message and
// are shown as a generic one at the edge.
package apperr

import (
	"errors"
	"fmt"
)

// Stable codes shared by the domain packages. Packages may define more codes
// through any error that has a Code() string method.
const (
	Invalid                = "invalid"
	Unauthenticated        = "unauthenticated"
	Forbidden              = "forbidden"
	NotFound               = "not_found"
	Conflict               = "conflict"
	RateLimited            = "rate_limited"
	PasswordChangeRequired = "password_change_required"
	TOTPRequired           = "totp_enrollment_required"
	Internal               = "internal"
)

// Error is a coded error with a message that is safe to show.
type Error struct {
	CodeValue string
	Message   string       // Japanese, for people
	Fields    []FieldError // optional field-level details
	Err       error        // cause, never shown
}

// FieldError names the field of a form or document that is wrong.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.CodeValue, e.Message, e.Err)
	}
	return e.CodeValue + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Code returns the stable code.
func (e *Error) Code() string { return e.CodeValue }

// New returns a coded error with a Japanese message.
func New(code, message string) *Error { return &Error{CodeValue: code, Message: message} }

// Wrap returns a coded error that keeps err as its (hidden) cause.
func Wrap(code, message string, err error) *Error {
	return &Error{CodeValue: code, Message: message, Err: err}
}

// WithFields returns a coded invalid error listing field problems.
func WithFields(message string, fields []FieldError) *Error {
	return &Error{CodeValue: Invalid, Message: message, Fields: fields}
}

type coder interface{ Code() string }

// CodeOf returns the code of the first coded error in err's chain, or Internal.
func CodeOf(err error) string {
	var c coder
	if errors.As(err, &c) {
		return c.Code()
	}
	return Internal
}

// MessageOf returns the safe message of err, or a generic one for
// unexpected errors, so no internal detail ever reaches a response.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	var c coder
	if errors.As(err, &c) {
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
func Is(err error, code string) bool { return err != nil && CodeOf(err) == code }
