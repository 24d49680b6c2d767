package paper

import (
	"fmt"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/paper/pdf"
)

// Papers a letter is printed on.
const (
	PaperA4     = "a4"     // A4, folded in three into a window envelope (長形3号)
	PaperHagaki = "hagaki" // 100 × 148 mm postcard
)

// LetterLayout is the letter's settings: the paper and, on A4, where the
// envelope's window shows the address (mm from the sheet's top-left).
type LetterLayout struct {
	Paper                              string
	WindowX, WindowY, WindowW, WindowH float64
}

// DefaultLetterLayout fits the common 長形3号 window envelope.
var DefaultLetterLayout = LetterLayout{Paper: PaperA4, WindowX: 20, WindowY: 15, WindowW: 90, WindowH: 45}

// Validate checks the settings and names the wrong field.
func (l LetterLayout) Validate() error {
	var fields apperr.Fields
	bad := func(field, msg string) { fields.Add(field, msg) }
	switch l.Paper {
	case PaperHagaki:
	case PaperA4:
		if l.WindowW < 60 || l.WindowH < 30 {
			bad("window_w", "窓の大きさは幅 60 mm、高さ 30 mm 以上にしてください。")
		}
		if l.WindowX < 5 || l.WindowY < 5 || l.WindowX+l.WindowW > pdf.A4.W-5 || l.WindowY+l.WindowH > 99-5 {
			bad("window_x", "窓は用紙の端から 5 mm 以上離し、三つ折りの一番上の面（上から 99 mm まで）に収めてください。")
		}
	default:
		bad("paper", fmt.Sprintf("用紙「%s」は選べません（a4 または hagaki）。", l.Paper))
	}
	if len(fields) > 0 {
		return apperr.WithFields(fields[0].Message, fields)
	}
	return nil
}

// LabelSheet is the kind of label sheet and the printer's offset (mm,
// positive moves the print right and down).
type LabelSheet struct {
	Labels           int // 12, 18, 21 or 24 on an A4 sheet
	OffsetX, OffsetY float64
}

// grid is the geometry of a sheet: columns, rows, label size and the top
// left corner of the first label, in mm.
type grid struct {
	cols, rows int
	w, h       float64
	left, top  float64
}

// sheets are the common A4 label sheets, labels edge to edge, centred.
var sheets = map[int]grid{
	12: {2, 6, 86.4, 42.3, 18.6, 21.6},
	18: {2, 9, 86.4, 31.0, 18.6, 9.0},
	21: {3, 7, 70.0, 42.3, 0, 0.45},
	24: {3, 8, 70.0, 33.9, 0, 12.9},
}

// Validate checks the sheet kind and offsets.
func (s LabelSheet) Validate() error {
	var fields apperr.Fields
	if _, ok := sheets[s.Labels]; !ok {
		fields.Add("labels", fmt.Sprintf("ラベル %d 面のシートは選べません（12、18、21、24 面）。", s.Labels))
	}
	if s.OffsetX < -10 || s.OffsetX > 10 || s.OffsetY < -10 || s.OffsetY > 10 {
		fields.Add("offset", "印刷位置の補正は上下左右 10 mm までにしてください。")
	}
	if len(fields) > 0 {
		return apperr.WithFields(fields[0].Message, fields)
	}
	return nil
}
