package paper

import (
	"strings"

	"github.com/kofu-oss/kofu/internal/paper/font"
	"github.com/kofu-oss/kofu/internal/paper/pdf"
)

const ptToMM = 25.4 / 72

// noStart are characters a line must not begin with (行頭禁則): they hang
// at the end of the line before.
const noStart = "、。，．,.・：；？！）」』】〕ー々ぁぃぅぇぉっゃゅょァィゥェォッャュョ"

// wrap breaks text into lines no wider than width (mm) at size (pt):
// anywhere between Japanese characters, at spaces or anywhere between
// Latin ones (so a long URL breaks too), keeping 行頭禁則. Newlines
// start new lines.
func wrap(f *font.Font, text string, size, width float64) [][]font.Glyph {
	var lines [][]font.Glyph
	for _, para := range strings.Split(text, "\n") {
		gs, _ := f.Glyphs(para)
		if len(gs) == 0 {
			lines = append(lines, nil)
			continue
		}
		for len(gs) > 0 {
			n := fit(f, gs, size, width)
			for n < len(gs) && strings.Contains(noStart, gs[n].Text) {
				n++
			}
			lines = append(lines, gs[:n])
			gs = gs[n:]
		}
	}
	return lines
}

// fit returns how many glyphs fit in width (at least one).
func fit(f *font.Font, gs []font.Glyph, size, width float64) int {
	w := 0.0
	for i, g := range gs {
		w += float64(f.Advance(g.ID)) * size / float64(f.UnitsPerEm) * ptToMM
		if w > width && i > 0 {
			return i
		}
	}
	return len(gs)
}

// lineHeight is the distance between baselines at size (pt), in mm.
func lineHeight(size float64) float64 { return size * 1.5 * ptToMM }

// glyphs maps text that printable checked.
func glyphs(f *font.Font, text string) []font.Glyph {
	gs, _ := f.Glyphs(text)
	return gs
}

// textWidth is the width of text at size, in mm.
func textWidth(f *font.Font, gs []font.Glyph, size float64) float64 {
	return f.Width(gs, size) * ptToMM
}

// advance is the distance to the next baseline after a line: an empty
// line (between paragraphs) takes half a line.
func advance(line []font.Glyph, size float64) float64 {
	if len(line) == 0 {
		return lineHeight(size) / 2
	}
	return lineHeight(size)
}

// linesHeight is the height drawLines takes.
func linesHeight(lines [][]font.Glyph, size float64) float64 {
	h := 0.0
	for _, l := range lines {
		h += advance(l, size)
	}
	return h
}

// drawLines draws lines from baseline y down.
func drawLines(p *pdf.Page, x, y, size float64, lines [][]font.Glyph) {
	for _, l := range lines {
		p.Text(x, y, size, l)
		y += advance(l, size)
	}
}
