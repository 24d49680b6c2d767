// Package font reads the TrueType font Kofu prints with: which characters
// it can draw (variation sequences included), how wide its glyphs are, and
// the subset of it that a PDF embeds. The font ships in the binary:
// IPAexゴシック under the IPA Font License (see README.md).
package font

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

//go:embed ipaexg.ttf
var ipaexGothic []byte

var (
	gothicOnce sync.Once
	gothic     *Font
	gothicErr  error
)

// Gothic returns IPAexゴシック, parsed once.
func Gothic() (*Font, error) {
	gothicOnce.Do(func() { gothic, gothicErr = Parse(ipaexGothic) })
	return gothic, gothicErr
}

// Font is a parsed TrueType font (glyf outlines).
type Font struct {
	Name       string // PostScript name for the PDF, e.g. IPAexGothic
	UnitsPerEm int
	Ascent     int // in font units, from hhea
	Descent    int // negative
	BBox       [4]int
	NumGlyphs  int

	data     []byte
	tables   map[string][]byte
	cmap     map[rune]uint16
	variants map[variant]uint16 // base + variation selector → glyph
	defaults map[variant]bool   // sequences drawn with the base glyph
	advances []uint16
	loca     []uint32
}

type variant struct{ base, selector rune }

// Parse reads a TrueType font file.
func Parse(data []byte) (*Font, error) {
	f, err := parseOutlines(data)
	if err != nil {
		return nil, err
	}
	if len(f.tables["cmap"]) == 0 {
		return nil, errors.New("font: no cmap table")
	}
	if err := f.parseCmap(); err != nil {
		return nil, err
	}
	f.Name = f.postScriptName()
	return f, nil
}

// parseOutlines reads the tables, metrics and glyph locations.
func parseOutlines(data []byte) (*Font, error) {
	f := &Font{data: data, tables: map[string][]byte{}}
	if len(data) < 12 {
		return nil, errors.New("font: too short")
	}
	if v := binary.BigEndian.Uint32(data); v != 0x00010000 && v != 0x74727565 {
		return nil, fmt.Errorf("font: not a TrueType font (%08x)", v)
	}
	n := int(binary.BigEndian.Uint16(data[4:]))
	for i := 0; i < n; i++ {
		rec := data[12+16*i:]
		if len(rec) < 16 {
			return nil, errors.New("font: truncated table directory")
		}
		off, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if uint64(off)+uint64(length) > uint64(len(data)) {
			return nil, fmt.Errorf("font: table %s out of bounds", rec[:4])
		}
		f.tables[string(rec[:4])] = data[off : off+length]
	}
	for _, t := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf"} {
		if len(f.tables[t]) == 0 {
			return nil, fmt.Errorf("font: no %s table", t)
		}
	}
	if err := f.parseMetrics(); err != nil {
		return nil, err
	}
	return f, nil
}

func u16(b []byte, off int) int { return int(binary.BigEndian.Uint16(b[off:])) }
func i16(b []byte, off int) int { return int(int16(binary.BigEndian.Uint16(b[off:]))) }
func u32(b []byte, off int) int { return int(binary.BigEndian.Uint32(b[off:])) }

func (f *Font) parseMetrics() error {
	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 {
		return errors.New("font: short head, hhea or maxp")
	}
	f.UnitsPerEm = u16(head, 18)
	f.BBox = [4]int{i16(head, 36), i16(head, 38), i16(head, 40), i16(head, 42)}
	f.Ascent, f.Descent = i16(hhea, 4), i16(hhea, 6)
	f.NumGlyphs = u16(maxp, 4)
	longLoca := i16(head, 50) == 1

	hmtx := f.tables["hmtx"]
	nh := u16(hhea, 34)
	if nh == 0 || len(hmtx) < 4*nh {
		return errors.New("font: short hmtx")
	}
	f.advances = make([]uint16, f.NumGlyphs)
	for g := range f.advances {
		f.advances[g] = uint16(u16(hmtx, 4*min(g, nh-1)))
	}

	loca := f.tables["loca"]
	f.loca = make([]uint32, f.NumGlyphs+1)
	for g := range f.loca {
		switch {
		case longLoca && len(loca) >= 4*(g+1):
			f.loca[g] = uint32(u32(loca, 4*g))
		case !longLoca && len(loca) >= 2*(g+1):
			f.loca[g] = uint32(2 * u16(loca, 2*g))
		default:
			return errors.New("font: short loca")
		}
	}
	if int(f.loca[f.NumGlyphs]) > len(f.tables["glyf"]) {
		return errors.New("font: loca points past glyf")
	}
	return nil
}

// parseCmap reads the Unicode mappings: format 4 (BMP) and 12 (all
// planes), and format 14 (variation sequences).
func (f *Font) parseCmap() error {
	cmap := f.tables["cmap"]
	f.cmap = map[rune]uint16{}
	f.variants = map[variant]uint16{}
	f.defaults = map[variant]bool{}
	n := u16(cmap, 2)
	for i := 0; i < n; i++ {
		platform, encoding, off := u16(cmap, 4+8*i), u16(cmap, 6+8*i), u32(cmap, 8+8*i)
		if platform != 0 && platform != 3 || off >= len(cmap) {
			continue
		}
		sub := cmap[off:]
		switch format := u16(sub, 0); {
		case format == 4 && (platform == 0 || encoding == 1):
			f.cmap4(sub)
		case format == 12:
			f.cmap12(sub)
		case format == 14 && platform == 0 && encoding == 5:
			f.cmap14(sub)
		}
	}
	if len(f.cmap) == 0 {
		return errors.New("font: no Unicode cmap")
	}
	return nil
}

func (f *Font) cmap4(sub []byte) {
	segs := u16(sub, 6) / 2
	ends, starts, deltas, ranges := 14, 16+2*segs, 16+4*segs, 16+6*segs
	for s := 0; s < segs; s++ {
		end, start := u16(sub, ends+2*s), u16(sub, starts+2*s)
		delta, ro := u16(sub, deltas+2*s), u16(sub, ranges+2*s)
		for c := start; c <= end && c != 0xFFFF; c++ {
			var g int
			if ro == 0 {
				g = (c + delta) & 0xFFFF
			} else {
				at := ranges + 2*s + ro + 2*(c-start)
				if at+2 > len(sub) {
					continue
				}
				if g = u16(sub, at); g != 0 {
					g = (g + delta) & 0xFFFF
				}
			}
			if g != 0 && g < f.NumGlyphs {
				f.cmap[rune(c)] = uint16(g)
			}
		}
	}
}

func (f *Font) cmap12(sub []byte) {
	groups := u32(sub, 12)
	for i := 0; i < groups && 16+12*i+12 <= len(sub); i++ {
		start, end, g := u32(sub, 16+12*i), u32(sub, 20+12*i), u32(sub, 24+12*i)
		for c := start; c <= end; c++ {
			if gid := g + c - start; gid < f.NumGlyphs {
				f.cmap[rune(c)] = uint16(gid)
			}
		}
	}
}

func (f *Font) cmap14(sub []byte) {
	n := u32(sub, 6)
	for i := 0; i < n; i++ {
		rec := 10 + 11*i
		vs := rune(u32(sub, rec) >> 8)
		def, nondef := u32(sub, rec+3), u32(sub, rec+7)
		if def != 0 {
			d := sub[def:]
			for k := 0; k < u32(d, 0); k++ {
				start := rune(u32(d, 4+4*k) >> 8)
				count := rune(d[4+4*k+3])
				for c := start; c <= start+count; c++ {
					f.defaults[variant{c, vs}] = true
				}
			}
		}
		if nondef != 0 {
			m := sub[nondef:]
			for k := 0; k < u32(m, 0); k++ {
				c := rune(u32(m, 4+5*k) >> 8)
				f.variants[variant{c, vs}] = uint16(u16(m, 4+5*k+3))
			}
		}
	}
}

// postScriptName reads name ID 6, or makes one up.
func (f *Font) postScriptName() string {
	name := f.tables["name"]
	if len(name) < 6 {
		return "KofuFont"
	}
	count, strs := u16(name, 2), u16(name, 4)
	for i := 0; i < count; i++ {
		rec := 6 + 12*i
		if rec+12 > len(name) || u16(name, rec+6) != 6 {
			continue
		}
		platform, length, off := u16(name, rec), u16(name, rec+8), u16(name, rec+10)
		raw := name[min(strs+off, len(name)):min(strs+off+length, len(name))]
		var out []byte
		for j := 0; j < len(raw); j++ {
			if platform == 1 {
				out = append(out, raw[j])
			} else if j%2 == 1 {
				out = append(out, raw[j])
			}
		}
		if len(out) > 0 {
			return string(out)
		}
	}
	return "KofuFont"
}
