// Package upload reads a file sent as multipart/form-data without
// buffering it on disk: delivery files hold resident data.
package upload

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// MaxSize bounds an upload (100,000 delivery rows are about 20 MB).
const MaxSize = 256 << 20

// File returns the part named "file" as a stream. Form fields sent before
// it are returned too, so a form can put its options first.
func File(w http.ResponseWriter, r *http.Request) (*multipart.Part, map[string]string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxSize)
	reader, err := r.MultipartReader()
	if err != nil {
		return nil, nil, apperr.Wrap(apperr.Invalid, "ファイルを multipart/form-data の file 欄で送ってください。", err)
	}
	fields := map[string]string{}
	for {
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
		v, _ := io.ReadAll(io.LimitReader(part, 4096))
		fields[part.FormName()] = string(v)
	}
}
