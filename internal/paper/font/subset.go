package font

import (
	"encoding/binary"
	"sort"
)

// Subset returns a TrueType font holding only the outlines of the used
// glyphs (and the glyphs they are built from). Glyph IDs are kept, so a
// PDF can address glyphs by ID (CIDToGIDMap /Identity) while it writes
// pages, before it knows the whole set; unused glyphs are left empty. The
// tables are those a PDF's embedded TrueType needs (no cmap: the PDF maps
// text itself).
func (f *Font) Subset(used []bool) []byte {
	glyf := f.tables["glyf"]
	keep := make([]bool, f.NumGlyphs)
	var add func(g int)
	add = func(g int) {
		if g >= f.NumGlyphs || keep[g] {
			return
		}
		keep[g] = true
		for _, c := range f.components(glyf[f.loca[g]:f.loca[g+1]]) {
			add(c)
		}
	}
	add(0) // .notdef
	for g, u := range used {
		if u {
			add(g)
		}
	}

	var newGlyf []byte
	loca := make([]byte, 4*(f.NumGlyphs+1))
	for g := 0; g < f.NumGlyphs; g++ {
		binary.BigEndian.PutUint32(loca[4*g:], uint32(len(newGlyf)))
		if keep[g] {
			newGlyf = append(newGlyf, glyf[f.loca[g]:f.loca[g+1]]...)
			for len(newGlyf)%4 != 0 {
				newGlyf = append(newGlyf, 0)
			}
		}
	}
	binary.BigEndian.PutUint32(loca[4*f.NumGlyphs:], uint32(len(newGlyf)))

	head := append([]byte(nil), f.tables["head"]...)
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment
	binary.BigEndian.PutUint16(head[50:], 1) // long loca
	tables := map[string][]byte{
		"head": head, "hhea": f.tables["hhea"], "maxp": f.tables["maxp"], "hmtx": f.tables["hmtx"],
		"loca": loca, "glyf": newGlyf,
	}
	for _, t := range []string{"cvt ", "fpgm", "prep"} {
		if b := f.tables[t]; len(b) > 0 {
			tables[t] = b
		}
	}
	return assemble(tables)
}

// components lists the glyphs a composite glyph is built from.
func (f *Font) components(g []byte) []int {
	if len(g) < 10 || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return nil
	}
	const (
		argWords    = 0x0001
		scale       = 0x0008
		more        = 0x0020
		xyScale     = 0x0040
		twoByTwo    = 0x0080
		headerBytes = 10
	)
	var out []int
	for p := headerBytes; p+4 <= len(g); {
		flags := int(binary.BigEndian.Uint16(g[p:]))
		out = append(out, int(binary.BigEndian.Uint16(g[p+2:])))
		p += 4
		if flags&argWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&scale != 0:
			p += 2
		case flags&xyScale != 0:
			p += 4
		case flags&twoByTwo != 0:
			p += 8
		}
		if flags&more == 0 {
			break
		}
	}
	return out
}

// assemble writes a font file from its tables, with the directory in tag
// order and each table's checksum.
func assemble(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	n := len(tags)
	es := 0
	for 1<<(es+1) <= n {
		es++
	}
	out := make([]byte, 12+16*n)
	binary.BigEndian.PutUint32(out, 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	binary.BigEndian.PutUint16(out[6:], uint16(16<<es))
	binary.BigEndian.PutUint16(out[8:], uint16(es))
	binary.BigEndian.PutUint16(out[10:], uint16(16*n-16<<es))
	for i, t := range tags {
		b := tables[t]
		rec := out[12+16*i:]
		copy(rec, t)
		binary.BigEndian.PutUint32(rec[4:], checksum(b))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(b)))
		out = append(out, b...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
