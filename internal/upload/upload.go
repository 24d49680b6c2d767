// Package upload reads a file sent as multipart/form-data without
// buffering it on disk: delivery files hold resident data.
package upload

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// MaxSize bounds an upload (100,000 delivery rows are about 20 MB).
const MaxSize = 256 << 20

// Form fields sent before the file are options: a few short values. More
// of them, or longer ones, are refused at once rather than kept.
const (
	MaxFields     = 16
	MaxFieldBytes = 4096
)

// File returns the part named "file" as a stream. Form fields sent before
// it are returned too, so a form can put its options first.
func File(w http.ResponseWriter, r *http.Request) (*multipart.Part, map[string]string, error) {
	f, err := Stream(w, r, MaxSize)
	if err != nil {
		return nil, nil, err
	}
	return f.File, f.Fields, nil
}

// Form is a multipart form read as a stream: its file part, the fields
// sent before it, and (Rest) the fields sent after it.
type Form struct {
	File   *multipart.Part
	Fields map[string]string
	reader *multipart.Reader
}

// Stream reads a form up to its part named "file", the body bounded by
// maxSize.
func Stream(w http.ResponseWriter, r *http.Request, maxSize int64) (*Form, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSize)
	reader, err := r.MultipartReader()
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, "ファイルを multipart/form-data の file 欄で送ってください。", err)
	}
	f := &Form{Fields: map[string]string{}, reader: reader}
	f.File, err = nextFile(reader, f.Fields)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Rest reads the fields sent after the file (once the file was read)
// into Fields and returns them all.
func (f *Form) Rest() (map[string]string, error) {
	for n := len(f.Fields); ; n++ {
		part, err := f.reader.NextPart()
		if errors.Is(err, io.EOF) {
			return f.Fields, nil
		}
		if err != nil {
			return nil, apperr.Wrap(apperr.Invalid, "送信されたデータを読めません。", err)
		}
		if err := readField(part, f.Fields, n); err != nil {
			return nil, err
		}
	}
}

func readField(part *multipart.Part, fields map[string]string, n int) error {
	if n >= MaxFields {
		return refused("form_too_many_fields", fmt.Sprintf("ファイルの前に送られた項目が多すぎます（%d 個まで）。", MaxFields))
	}
	v, err := io.ReadAll(io.LimitReader(part, MaxFieldBytes+1))
	if err != nil {
		return apperr.Wrap(apperr.Invalid, "送信されたデータを読めません。", err)
	}
	if len(v) > MaxFieldBytes {
		return refused("form_field_too_long", fmt.Sprintf("項目「%.40s」が長すぎます（%d バイトまで）。", part.FormName(), MaxFieldBytes))
	}
	fields[part.FormName()] = string(v)
	return nil
}

func nextFile(reader *multipart.Reader, fields map[string]string) (*multipart.Part, error) {
	for n := 0; ; n++ {
		part, err := reader.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, apperr.New(apperr.Invalid, "ファイルが選ばれていません。")
		}
		if err != nil {
			return nil, apperr.Wrap(apperr.Invalid, "送信されたデータを読めません。", err)
		}
		if part.FormName() == "file" {
			if part.FileName() == "" {
				return nil, apperr.New(apperr.Invalid, "ファイルが選ばれていません。")
			}
			return part, nil
		}
		if err := readField(part, fields, n); err != nil {
			return nil, err
		}
	}
}

// formError is a refused form: invalid, with a finer stable reason code.
type formError struct {
	err    *apperr.Error
	reason string
}

func (e *formError) Error() string { return e.err.Error() }
func (e *formError) Unwrap() error { return e.err }

// ReasonCode is the stable code the API answers with beside "invalid".
func (e *formError) ReasonCode() string { return e.reason }

func refused(reason, message string) error {
	return &formError{err: apperr.New(apperr.Invalid, message), reason: reason}
}
