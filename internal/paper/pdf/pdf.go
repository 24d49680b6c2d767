// Package pdf writes PDF documents page by page to an io.Writer: each page
// is compressed and written when it is done, so memory stays flat however
// many pages a batch has. Text is real text in one embedded TrueType font
// (a subset of the glyphs used, written at the end), so it can be searched
// and copied; shapes are filled rectangles. Coordinates are millimetres
// from the top-left corner of the page.
package pdf

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/kofu-oss/kofu/internal/paper/font"
)

// Page sizes in millimetres.
var (
	A4       = Size{210, 297}
	Hagaki   = Size{100, 148} // 通常はがき
	ptPerMM  = 72 / 25.4
	fontName = "F1"
)

// Size is a page size in millimetres.
type Size struct{ W, H float64 }

// Info is the document's metadata.
type Info struct {
	Title, Creator string
}

// Fixed object numbers; pages are numbered from firstPage on.
const (
	objCatalog = iota + 1
	objPages
	objFont
	objCIDFont
	objDescriptor
	objFontFile
	objToUnicode
	objInfo
	firstPage
)

// Writer writes one PDF.
type Writer struct {
	w       *bufio.Writer
	n       int64   // bytes written
	offsets []int64 // by object number
	pages   []int   // page object numbers
	font    *font.Font
	used    []bool
	text    map[uint16]string // glyph → the characters it stands for
	info    Info
	zw      *zlib.Writer
	zbuf    bytes.Buffer
	err     error
}

// New starts a PDF on w that draws text with f.
func New(w io.Writer, f *font.Font, info Info) *Writer {
	pw := &Writer{w: bufio.NewWriterSize(w, 64<<10), font: f, used: make([]bool, f.NumGlyphs),
		text: map[uint16]string{}, info: info, offsets: make([]int64, firstPage)}
	pw.zw = zlib.NewWriter(&pw.zbuf)
	pw.printf("%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n")
	return pw
}

func (pw *Writer) printf(format string, args ...any) {
	if pw.err != nil {
		return
	}
	n, err := fmt.Fprintf(pw.w, format, args...)
	pw.n += int64(n)
	pw.err = err
}

func (pw *Writer) write(b []byte) {
	if pw.err != nil {
		return
	}
	n, err := pw.w.Write(b)
	pw.n += int64(n)
	pw.err = err
}

// alloc reserves the next object number.
func (pw *Writer) alloc() int {
	pw.offsets = append(pw.offsets, 0)
	return len(pw.offsets) - 1
}

// begin starts object id (0: the next free number) and returns its number.
func (pw *Writer) begin(id int) int {
	if id == 0 {
		id = pw.alloc()
	}
	pw.offsets[id] = pw.n
	pw.printf("%d 0 obj\n", id)
	return id
}

// stream writes a compressed stream object with extra dictionary entries.
func (pw *Writer) stream(id int, dict string, data []byte) {
	pw.zbuf.Reset()
	pw.zw.Reset(&pw.zbuf)
	pw.zw.Write(data)
	pw.zw.Close()
	pw.begin(id)
	pw.printf("<< /Length %d /Filter /FlateDecode%s >>\nstream\n", pw.zbuf.Len(), dict)
	pw.write(pw.zbuf.Bytes())
	pw.printf("\nendstream\nendobj\n")
}

// Page draws one page with draw and writes it out.
func (pw *Writer) Page(size Size, draw func(p *Page)) error {
	p := &Page{pw: pw, h: size.H}
	draw(p)
	content := pw.alloc()
	pw.stream(content, "", p.buf.Bytes())
	page := pw.begin(0)
	pw.printf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Resources << /Font << /%s %d 0 R >> >> /Contents %d 0 R >>\nendobj\n",
		objPages, num(size.W*ptPerMM), num(size.H*ptPerMM), fontName, objFont, content)
	pw.pages = append(pw.pages, page)
	return pw.err
}

// Pages returns the number of pages written so far.
func (pw *Writer) Pages() int { return len(pw.pages) }

// Close writes the font subset, the page tree and the cross-reference
// table, and flushes. It does not close the underlying writer.
func (pw *Writer) Close() error {
	pw.writeFont()
	pw.begin(objPages)
	var kids strings.Builder
	for i, p := range pw.pages {
		if i > 0 {
			kids.WriteByte(' ')
		}
		fmt.Fprintf(&kids, "%d 0 R", p)
	}
	pw.printf("<< /Type /Pages /Count %d /Kids [%s] >>\nendobj\n", len(pw.pages), kids.String())
	pw.begin(objCatalog)
	pw.printf("<< /Type /Catalog /Pages %d 0 R /Lang (ja-JP) >>\nendobj\n", objPages)
	pw.begin(objInfo)
	pw.printf("<< /Title %s /Creator %s /Producer (Kofu) >>\nendobj\n", textString(pw.info.Title), textString(pw.info.Creator))

	xref := pw.n
	pw.printf("xref\n0 %d\n0000000000 65535 f \n", len(pw.offsets))
	for _, off := range pw.offsets[1:] {
		pw.printf("%010d 00000 n \n", off)
	}
	pw.printf("trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(pw.offsets), objCatalog, objInfo, xref)
	if pw.err == nil {
		pw.err = pw.w.Flush()
	}
	return pw.err
}

// writeFont writes the Type0 font, its CIDFont with the widths of the used
// glyphs, the descriptor, the subset font program and the ToUnicode map.
func (pw *Writer) writeFont() {
	f := pw.font
	scale := func(v int) string { return strconv.Itoa(v * 1000 / f.UnitsPerEm) }
	name := subsetTag(pw.used) + "+" + f.Name

	pw.begin(objFont)
	pw.printf("<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>\nendobj\n",
		name, objCIDFont, objToUnicode)

	var widths strings.Builder
	for g, u := range pw.used {
		if u {
			fmt.Fprintf(&widths, "%d [%s] ", g, scale(f.Advance(uint16(g))))
		}
	}
	pw.begin(objCIDFont)
	pw.printf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /CIDToGIDMap /Identity /DW 1000 /W [%s] >>\nendobj\n",
		name, objDescriptor, widths.String())

	pw.begin(objDescriptor)
	pw.printf("<< /Type /FontDescriptor /FontName /%s /Flags 4 /FontBBox [%s %s %s %s] /ItalicAngle 0 /Ascent %s /Descent %s /CapHeight %s /StemV 80 /FontFile2 %d 0 R >>\nendobj\n",
		name, scale(f.BBox[0]), scale(f.BBox[1]), scale(f.BBox[2]), scale(f.BBox[3]), scale(f.Ascent), scale(f.Descent), scale(f.Ascent), objFontFile)

	program := f.Subset(pw.used)
	pw.stream(objFontFile, fmt.Sprintf(" /Length1 %d", len(program)), program)
	pw.stream(objToUnicode, "", pw.toUnicode())
}

// toUnicode writes the CMap that gives text extraction the characters of
// each glyph, variation selectors included.
func (pw *Writer) toUnicode() []byte {
	gids := make([]int, 0, len(pw.text))
	for g := range pw.text {
		gids = append(gids, int(g))
	}
	sort.Ints(gids)
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for len(gids) > 0 {
		chunk := gids[:min(100, len(gids))]
		gids = gids[len(chunk):]
		fmt.Fprintf(&b, "%d beginbfchar\n", len(chunk))
		for _, g := range chunk {
			fmt.Fprintf(&b, "<%04X> <", g)
			for _, u := range utf16.Encode([]rune(pw.text[uint16(g)])) {
				fmt.Fprintf(&b, "%04X", u)
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

// subsetTag names the subset by the glyphs it holds: six capital letters,
// as PDF asks for subset fonts.
func subsetTag(used []bool) string {
	h := uint32(2166136261)
	for g, u := range used {
		if u {
			h = (h ^ uint32(g)) * 16777619
		}
	}
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = byte('A' + h%26)
		h /= 26
	}
	return string(tag)
}

// textString writes s as a PDF text string (UTF-16BE with a BOM).
func textString(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

// num writes a coordinate with two decimals, without trailing zeros.
func num(v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}
