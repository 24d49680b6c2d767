package font

import (
	"unicode"
	"unicode/utf8"
)

// Glyph is one glyph of a text and the characters it stands for (a base
// character and its variation selector, if any).
type Glyph struct {
	ID   uint16
	Text string
}

// Advance returns a glyph's advance width in font units.
func (f *Font) Advance(g uint16) int {
	if int(g) >= len(f.advances) {
		return 0
	}
	return int(f.advances[g])
}

// Width returns the width of glyphs at a font size, in the unit of size.
func (f *Font) Width(gs []Glyph, size float64) float64 {
	w := 0
	for _, g := range gs {
		w += f.Advance(g.ID)
	}
	return float64(w) * size / float64(f.UnitsPerEm)
}

// Glyphs maps s to glyphs. It returns, in order and each once, the
// characters the font cannot draw as what they are: characters it has no
// glyph for, private use code points (unmapped 外字, whose meaning only the
// city's table knows), control characters, and variation sequences (IVS)
// it has no glyph for. Only when missing is empty may gs be printed.
func (f *Font) Glyphs(s string) (gs []Glyph, missing []string) {
	gs = make([]Glyph, 0, utf8.RuneCountInString(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		text := s[i : i+n]
		i += n
		var vs rune
		if i < len(s) {
			if next, m := utf8.DecodeRuneInString(s[i:]); isSelector(next) {
				vs, text = next, s[i-n:i+m]
				i += m
			}
		}
		g, ok := f.glyph(r, vs)
		if !ok {
			missing = appendOnce(missing, text)
			continue
		}
		gs = append(gs, Glyph{ID: g, Text: text})
	}
	return gs, missing
}

// Missing returns what Glyphs would report as missing.
func (f *Font) Missing(s string) []string {
	_, missing := f.Glyphs(s)
	return missing
}

func (f *Font) glyph(r, vs rune) (uint16, bool) {
	if r == utf8.RuneError || unicode.Is(unicode.Co, r) || unicode.IsControl(r) || isSelector(r) {
		return 0, false
	}
	g, ok := f.cmap[r]
	if !ok || vs == 0 {
		return g, ok
	}
	if v, ok := f.variants[variant{r, vs}]; ok {
		return v, true
	}
	return g, f.defaults[variant{r, vs}]
}

// Covers reports whether the font has a glyph for r alone.
func (f *Font) Covers(r rune) bool {
	_, ok := f.glyph(r, 0)
	return ok
}

// Sequences returns the number of variation sequences the font draws.
func (f *Font) Sequences() int { return len(f.variants) + len(f.defaults) }

func isSelector(r rune) bool {
	return (0xFE00 <= r && r <= 0xFE0F) || (0xE0100 <= r && r <= 0xE01EF)
}

func appendOnce(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}
