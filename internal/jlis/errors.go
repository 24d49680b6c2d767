package jlis

import (
	"errors"
	"fmt"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/moji"
)

// FileError is a problem with the file as a whole, after which it cannot be
// read on: unknown encoding, missing required column, a line that changes
// the encoding. NewReader and Next return it wrapped in an *apperr.Error
// (code invalid, the Japanese message), so errors.As finds either.
type FileError struct {
	Line   int    // physical line, header = 1; 0 when not tied to a line
	Code   string // stable snake_case, e.g. "missing_column", "encoding"
	Reason string // Japanese, for staff
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%d行目: %s", e.Line, e.Reason)
	}
	return e.Reason
}

// ReasonCode is the stable code the API answers with beside "invalid".
func (e *FileError) ReasonCode() string { return e.Code }

func fileError(line int, code, reason string) error {
	fe := &FileError{Line: line, Code: code, Reason: reason}
	return apperr.Wrap(apperr.Invalid, fe.Error(), fe)
}

// encodingError explains a refused encoding with moji's message.
func encodingError(line int, err error) error {
	var ee *moji.EncodingError
	var de *moji.DecodeError
	switch {
	case errors.As(err, &ee):
		return fileError(line, "encoding_"+ee.Kind, ee.Message)
	case errors.As(err, &de):
		return fileError(line, "encoding",
			fmt.Sprintf("Shift_JIS（CP932）として読めないバイト列があります（% X）。文字コードが途中で変わっていないか確かめてください", de.Bytes))
	}
	return fileError(line, "encoding", "文字コードを判別できません")
}
