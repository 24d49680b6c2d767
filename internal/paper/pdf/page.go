package pdf

import (
	"bytes"
	"fmt"

	"github.com/kofu-oss/kofu/internal/paper/font"
)

// Page is the content of one page while it is drawn.
type Page struct {
	pw  *Writer
	h   float64 // page height in mm, to flip y
	buf bytes.Buffer
}

// Font returns the font text is drawn with.
func (p *Page) Font() *font.Font { return p.pw.font }

// Text draws glyphs (from Font().Glyphs) with their baseline starting at
// x, y (mm from the top-left corner), size in points.
func (p *Page) Text(x, y, size float64, gs []font.Glyph) {
	if len(gs) == 0 {
		return
	}
	fmt.Fprintf(&p.buf, "BT /%s %s Tf %s %s Td <", fontName, num(size), num(x*ptPerMM), num((p.h-y)*ptPerMM))
	for _, g := range gs {
		fmt.Fprintf(&p.buf, "%04X", g.ID)
		p.pw.used[g.ID] = true
		if _, ok := p.pw.text[g.ID]; !ok {
			p.pw.text[g.ID] = g.Text
		}
	}
	p.buf.WriteString("> Tj ET\n")
}

// Rect adds a rectangle (mm, top-left corner x, y) to the current path;
// Fill paints the path.
func (p *Page) Rect(x, y, w, h float64) {
	fmt.Fprintf(&p.buf, "%s %s %s %s re\n", num(x*ptPerMM), num((p.h-y-h)*ptPerMM), num(w*ptPerMM), num(h*ptPerMM))
}

// Fill paints the rectangles added since the last Fill in black.
func (p *Page) Fill() { p.buf.WriteString("0 g f\n") }

// Line strokes a line from x1, y1 to x2, y2 (mm), width in mm.
func (p *Page) Line(x1, y1, x2, y2, width float64) {
	fmt.Fprintf(&p.buf, "%s w %s %s m %s %s l S\n", num(width*ptPerMM), num(x1*ptPerMM), num((p.h-y1)*ptPerMM), num(x2*ptPerMM), num((p.h-y2)*ptPerMM))
}
