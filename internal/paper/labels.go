package paper

import (
	"io"
	"iter"
	"strings"

	"github.com/kofu-oss/kofu/internal/paper/font"
	"github.com/kofu-oss/kofu/internal/paper/pdf"
	"github.com/kofu-oss/kofu/internal/postal"
)

// Label is one address label.
type Label struct {
	Key        string // the caller's key, echoed in Result.Held
	PostalCode string
	Address    string
	Name       string
}

// Label text sizes (pt) and padding (mm).
const (
	labelPad      = 3.0
	labelAddrSize = 9.0
	labelNameSize = 12.0
)

// RenderLabels writes A4 sheets of labels to w, a sheet at a time: each
// label has the postal code, the address, the name with 様, and Japan
// Post's customer barcode of the postal code and address. Labels that
// cannot be printed as they are go to Result.Held with the reason.
func RenderLabels(w io.Writer, sheet LabelSheet, gaiji Gaiji, labels iter.Seq[Label]) (Result, error) {
	var res Result
	if err := sheet.Validate(); err != nil {
		return res, err
	}
	f, err := font.Gothic()
	if err != nil {
		return res, err
	}
	g := sheets[sheet.Labels]
	pw := pdf.New(w, f, pdf.Info{Title: "宛名ラベル", Creator: "Kofu"})
	var page []*labelBox
	flush := func() error {
		if len(page) == 0 {
			return nil
		}
		boxes := page
		page = page[:0:0]
		return pw.Page(pdf.A4, func(p *pdf.Page) {
			for i, b := range boxes {
				x := g.left + sheet.OffsetX + float64(i%g.cols)*g.w
				y := g.top + sheet.OffsetY + float64(i/g.cols)*g.h
				b.draw(p, x, y)
			}
		})
	}
	for l := range labels {
		box, reason := prepareLabel(f, g, gaiji, l)
		if reason != "" {
			res.Held = append(res.Held, Held{Key: l.Key, Reason: reason})
			continue
		}
		page = append(page, box)
		res.Printed++
		if len(page) == g.cols*g.rows {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	if err := pw.Close(); err != nil {
		return res, err
	}
	res.Pages = pw.Pages()
	return res, nil
}

// labelBox is a label checked and laid out.
type labelBox struct {
	addrSize float64
	lines    [][]font.Glyph // postal code and address
	name     [][]font.Glyph
	code     postal.Code
	bars     postal.Dimensions
	g        grid
}

func prepareLabel(f *font.Font, g grid, gaiji Gaiji, l Label) (*labelBox, string) {
	switch {
	case strings.TrimSpace(l.PostalCode) == "":
		return nil, "郵便番号がありません。"
	case strings.TrimSpace(l.Address) == "":
		return nil, "住所がありません。"
	case strings.TrimSpace(l.Name) == "":
		return nil, "氏名がありません。"
	}
	texts, reason := printable(f, gaiji, field{"郵便番号", l.PostalCode}, field{"住所", l.Address}, field{"氏名", l.Name})
	if reason != "" {
		return nil, reason
	}
	code, err := postal.Encode(texts[0], texts[1])
	if err != nil {
		return nil, "郵便番号が 7 桁の数字ではないため、カスタマバーコードを作れません。"
	}
	width := g.w - 2*labelPad
	b := &labelBox{code: code, g: g}
	// The largest bars (8 to 10 pt) that fit the label's width.
	b.bars = postal.Size(10)
	for pt := 10.0; pt >= 8 && b.bars.Length() > width; pt -= 0.5 {
		b.bars = postal.Size(pt)
	}
	if b.bars.Length() > width {
		return nil, "ラベルの幅がカスタマバーコードに足りません。"
	}
	barsH := 3 * b.bars.Row
	for _, size := range []float64{labelAddrSize, 8, 7} {
		b.addrSize = size
		b.lines = append([][]font.Glyph{glyphs(f, "〒"+texts[0])}, wrap(f, texts[1], size, width)...)
		b.name = wrap(f, texts[2]+" 様", labelNameSize, width)
		if b.height()+barsH+1 <= g.h-2*labelPad {
			return b, ""
		}
	}
	return nil, "住所と氏名がラベルに収まりません。"
}

func (b *labelBox) height() float64 {
	return float64(len(b.lines))*lineHeight(b.addrSize) + float64(len(b.name))*lineHeight(labelNameSize)
}

// draw draws the label with its top-left corner at x, y: text from the top,
// the barcode at the bottom.
func (b *labelBox) draw(p *pdf.Page, x, y float64) {
	x += labelPad
	ty := y + labelPad + b.addrSize*ptToMM
	for _, l := range b.lines {
		p.Text(x, ty, b.addrSize, l)
		ty += lineHeight(b.addrSize)
	}
	ty += (lineHeight(labelNameSize) - lineHeight(b.addrSize)) / 2
	for _, l := range b.name {
		p.Text(x, ty, labelNameSize, l)
		ty += lineHeight(labelNameSize)
	}
	drawBarcode(p, b.code, b.bars, x, y+b.g.h-labelPad-3*b.bars.Row)
}

// drawBarcode draws a customer barcode with its top-left corner at x, y.
func drawBarcode(p *pdf.Page, c postal.Code, d postal.Dimensions, x, y float64) {
	for i, bar := range c.Bars() {
		top, bottom := bar.Span()
		p.Rect(x+float64(i)*d.Pitch, y+top*d.Row, d.Width, (bottom-top)*d.Row)
	}
	p.Fill()
}
