package apperr

import (
	"fmt"
	"slices"
)

// FieldError names the field of a form or document that is wrong.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Fields is the one field-error builder: a form, a request body, a settings
// document or a file's row collects its problems here and turns them into
// one invalid error.
//
//	var fe apperr.Fields
//	fe.Add("name", "名前を入力してください。")
//	return fe.Err("入力内容を確認してください。")
type Fields []FieldError

// Add notes a problem with field.
func (f *Fields) Add(field, message string) {
	*f = append(*f, FieldError{Field: field, Message: message})
}

// Addf notes a problem with field, formatting its message.
func (f *Fields) Addf(field, format string, args ...any) {
	f.Add(field, fmt.Sprintf(format, args...))
}

// Has tells whether a problem with field was noted.
func (f Fields) Has(field string) bool {
	return slices.ContainsFunc(f, func(e FieldError) bool { return e.Field == field })
}

// Err returns nil when nothing was noted, else an invalid error with the
// message and every field problem.
func (f Fields) Err(message string) error {
	if len(f) == 0 {
		return nil
	}
	return WithFields(message, f)
}

// Field returns an invalid error about one field, whose message is also the
// error's.
func Field(field, message string) *Error {
	return WithFields(message, []FieldError{{Field: field, Message: message}})
}
