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
	r.Body = http.MaxBytesReader(w, r.Body, MaxSize)
	reader, err := r.MultipartReader()
	if err != nil {
		return nil, nil, apperr.Wrap(apperr.Invalid, "ファイルを multipart/form-data の file 欄で送ってください。", err)
	}
	fields := map[string]string{}
	for n := 0; ; n++ {
		part, err := reader.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, fields, apperr.New(apperr.Invalid, "ファイルが選ばれていません。")
		}
		if err != nil {
			return nil, fields, apperr.Wrap(apperr.Invalid, "送信されたデータを読めません。", err)
		}
		if part.FormName() == "file" {
			if part.FileName() == "" {
				return nil, fields, apperr.New(apperr.Invalid, "ファイルが選ばれていません。")
			}
			return part, fields, nil
		}
		if n >= MaxFields {
			return nil, nil, refused("form_too_many_fields", fmt.Sprintf("ファイルの前に送られた項目が多すぎます（%d 個まで）。", MaxFields))
		}
		v, err := io.ReadAll(io.LimitReader(part, MaxFieldBytes+1))
		if err != nil {
			return nil, nil, apperr.Wrap(apperr.Invalid, "送信されたデータを読めません。", err)
		}
		if len(v) > MaxFieldBytes {
			return nil, nil, refused("form_field_too_long", fmt.Sprintf("項目「%.40s」が長すぎます（%d バイトまで）。", part.FormName(), MaxFieldBytes))
		}
		fields[part.FormName()] = string(v)
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
