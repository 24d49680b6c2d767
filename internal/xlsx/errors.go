package xlsx

import (
	"errors"
	"fmt"
)

// Error is a workbook that cannot be read, or that goes beyond a limit.
type Error struct {
	Code   string // stable snake_case: not_xlsx, xlsx_too_many_columns, ...
	Row    int    // Excel row number when about a row or a cell, else 0
	Cell   string // Excel cell name (XFD200) when about a cell
	Reason string // Japanese, for staff; names the cell or the limit
}

func (e *Error) Error() string { return e.Reason }

var errDepth = errors.New("elements nested too deep")

// broken explains a part that is not well-formed XML, or whose zip entry
// is damaged. An *Error passes through unchanged.
func broken(part string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: "xlsx_broken", Reason: fmt.Sprintf(
		"Excel ブックの中身（%s）が壊れているため読めません。Excel で開いて「Excel ブック (*.xlsx)」として保存し直してください", part)}
}

func cellError(code, cell string, row int, reason string) error {
	return &Error{Code: code, Row: row, Cell: cell, Reason: cell + ": " + reason}
}
