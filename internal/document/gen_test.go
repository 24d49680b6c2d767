package document

// Generators of test inputs: A4 pages carrying QR codes and barcodes, and
// the files scanners make of them (PDF with JPEG, CCITT or Flate images,
// multi-page TIFF), written here so that no test reads a file it did not
// make.

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"

	"github.com/kofu-oss/kofu/internal/qr"
)

// testPage describes an A4 page.
type testPage struct {
	qr      []string // QR codes, placed in a column at the top right
	code128 []string // Code 128 barcodes, at the bottom left
	codabar []string // NW-7 barcodes, below the Code 128 ones
	text    bool     // lines of word-like blocks, as a printed form has
	smudged bool     // the QR codes are blotted out past what error correction mends
	seed    uint64
}

// render draws the page at dpi (A4 is 8.27 × 11.69 in).
func (p testPage) render(dpi int) *image.Gray {
	w, h := 827*dpi/100, 1169*dpi/100
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	mm := func(v float64) int { return int(v * float64(dpi) / 25.4) }
	if p.text {
		drawText(img, mm, rand.New(rand.NewPCG(p.seed, 1)))
	}
	for i, s := range p.qr {
		q, err := qr.Encode(s, qr.Medium)
		if err != nil {
			panic(err)
		}
		size := mm(25) // about 1 mm a module: what forms print
		qi := q.Image(size)
		at := image.Pt(w-mm(15)-size, mm(15)+i*(size+mm(10)))
		draw.Draw(img, qi.Bounds().Add(at), qi, image.Point{}, draw.Src)
		if p.smudged { // an ink blot over the middle and a finder pattern
			blot := image.Rect(size/5, size/5, size*4/5, size*4/5).Add(at)
			draw.Draw(img, blot, image.NewUniform(color.Gray{40}), image.Point{}, draw.Src)
			draw.Draw(img, image.Rect(0, 0, size/3, size/3).Add(at), image.NewUniform(color.White), image.Point{}, draw.Src)
		}
	}
	y := h - mm(60)
	for _, s := range p.code128 {
		drawLinear(img, oned.NewCode128Writer(), gozxing.BarcodeFormat_CODE_128, s, image.Pt(mm(20), y), mm)
		y += mm(20)
	}
	for _, s := range p.codabar {
		drawLinear(img, oned.NewCodaBarWriter(), gozxing.BarcodeFormat_CODABAR, s, image.Pt(mm(20), y), mm)
		y += mm(20)
	}
	return img
}

// drawText fills the page's middle with rows of dark blocks the size of
// printed words: what a QR detector has to look past on a real form.
func drawText(img *image.Gray, mm func(float64) int, rng *rand.Rand) {
	b := img.Bounds()
	for y := mm(60); y < b.Dy()-mm(80); y += mm(7) {
		for x := mm(20); x < b.Dx()-mm(60); {
			ww := mm(3 + rng.Float64()*15)
			shade := uint8(20 + rng.IntN(60))
			draw.Draw(img, image.Rect(x, y, x+ww, y+mm(3.5)), image.NewUniform(color.Gray{shade}), image.Point{}, draw.Src)
			x += ww + mm(2)
		}
	}
}

func drawLinear(img *image.Gray, wr gozxing.Writer, f gozxing.BarcodeFormat, s string, at image.Point, mm func(float64) int) {
	m, err := wr.Encode(s, f, 0, 0, nil)
	if err != nil {
		panic(err)
	}
	module := max(2, mm(0.33))
	hgt := mm(12)
	for x := range m.GetWidth() {
		if m.Get(x, 0) {
			draw.Draw(img, image.Rect(at.X+x*module, at.Y, at.X+(x+1)*module, at.Y+hgt), image.NewUniform(color.Black), image.Point{}, draw.Src)
		}
	}
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 75}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pdfImage is one page of a generated PDF: its image stream as stored.
type pdfImage struct {
	w, h       int
	dpi        int
	filter     string // "DCTDecode", "FlateDecode", "CCITTFaxDecode" or "" (raw)
	colorSpace string // DeviceGray, DeviceRGB
	bpc        int
	parms      string // the DecodeParms dictionary, if any
	data       []byte
	rotate     int
	vector     bool // a page drawn with PDF operators, holding no image
}

func jpegPage(t testing.TB, img image.Image, dpi int) pdfImage {
	cs := "DeviceGray"
	if _, ok := img.(*image.Gray); !ok {
		cs = "DeviceRGB"
	}
	b := img.Bounds()
	return pdfImage{w: b.Dx(), h: b.Dy(), dpi: dpi, filter: "DCTDecode", colorSpace: cs, bpc: 8, data: encodeJPEG(t, img)}
}

// flateBilevelPage stores a black-and-white page at one bit per pixel.
func flateBilevelPage(img *image.Gray, dpi int) pdfImage {
	b := img.Bounds()
	row := (b.Dx() + 7) / 8
	raw := make([]byte, row*b.Dy())
	for y := range b.Dy() {
		for x := range b.Dx() {
			if img.Pix[y*img.Stride+x] >= 128 {
				raw[y*row+x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	return pdfImage{w: b.Dx(), h: b.Dy(), dpi: dpi, filter: "FlateDecode", colorSpace: "DeviceGray", bpc: 1, data: deflate(raw)}
}

func deflate(b []byte) []byte {
	var out bytes.Buffer
	zw := zlib.NewWriter(&out)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

// buildPDF writes a PDF 1.4 file with one image per page, filling the page.
func buildPDF(pages []pdfImage) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string, stream []byte) int {
		offsets = append(offsets, b.Len())
		n := len(offsets)
		fmt.Fprintf(&b, "%d 0 obj\n%s\n", n, body)
		if stream != nil {
			b.WriteString("stream\n")
			b.Write(stream)
			b.WriteString("\nendstream\n")
		}
		b.WriteString("endobj\n")
		return n
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	kids := ""
	for i := range pages {
		kids += fmt.Sprintf("%d 0 R ", 3+i*3)
	}
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, len(pages)), nil)
	for i, p := range pages {
		pw, ph := float64(p.w)*72/float64(p.dpi), float64(p.h)*72/float64(p.dpi)
		content, im := 4+i*3, 5+i*3 // the page itself is 3+i*3
		res := fmt.Sprintf("/XObject << /Im0 %d 0 R >>", im)
		draw := fmt.Sprintf("q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q", pw, ph)
		if p.vector {
			res, draw = "", fmt.Sprintf("0 0 0 rg 72 72 %.2f %.2f re f", pw/3, ph/3)
		}
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Rotate %d /Resources << %s >> /Contents %d 0 R >>",
			pw, ph, p.rotate, res, content), nil)
		obj(fmt.Sprintf("<< /Length %d >>", len(draw)), []byte(draw))
		dict := fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /%s /BitsPerComponent %d /Length %d",
			p.w, p.h, p.colorSpace, p.bpc, len(p.data))
		if p.filter != "" {
			dict += " /Filter /" + p.filter
		}
		if p.parms != "" {
			dict += " /DecodeParms " + p.parms
		}
		obj(dict+" >>", p.data)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// buildTIFF writes a little-endian multi-page TIFF of 8-bit gray pages,
// each one Deflate-compressed strip; claim, when set, replaces a page's
// stated size (the pixels stay as they are).
func buildTIFF(pages []*image.Gray, claim image.Point) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("II*\x00\x00\x00\x00\x00")
	prevNext := 4 // where the offset of the next IFD goes
	for _, pg := range pages {
		w, h := pg.Bounds().Dx(), pg.Bounds().Dy()
		strip := deflate(pg.Pix[:w*h])
		stripAt := b.Len()
		b.Write(strip)
		if b.Len()%2 == 1 {
			b.WriteByte(0)
		}
		if claim != (image.Point{}) {
			w, h = claim.X, claim.Y
		}
		ifd := b.Len()
		le.PutUint32(b.Bytes()[prevNext:], uint32(ifd))
		entries := [][3]uint32{ // tag, type, value
			{256, 4, uint32(w)}, {257, 4, uint32(h)}, {258, 3, 8}, {259, 3, 8}, {262, 3, 1},
			{273, 4, uint32(stripAt)}, {277, 3, 1}, {278, 4, uint32(h)}, {279, 4, uint32(len(strip))},
		}
		var e [12]byte
		binary.Write(&b, le, uint16(len(entries)))
		for _, en := range entries {
			le.PutUint16(e[0:], uint16(en[0]))
			le.PutUint16(e[2:], uint16(en[1]))
			le.PutUint32(e[4:], 1)
			le.PutUint32(e[8:], 0)
			if en[1] == 3 {
				le.PutUint16(e[8:], uint16(en[2]))
			} else {
				le.PutUint32(e[8:], en[2])
			}
			b.Write(e[:])
		}
		prevNext = b.Len()
		b.Write([]byte{0, 0, 0, 0})
	}
	return b.Bytes()
}

// hugePNG is a valid PNG of 20,000 × 20,000 black pixels at one bit each:
// about 50 KB on disk, 400 million pixels once decoded.
func hugePNG() []byte {
	const side = 20000
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	row := make([]byte, 1+side/8)
	for range side {
		zw.Write(row)
	}
	zw.Close()
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], side)
	binary.BigEndian.PutUint32(ihdr[4:], side)
	ihdr[8], ihdr[9] = 1, 0 // 1 bit, gray
	writeChunk(&b, "IHDR", ihdr)
	writeChunk(&b, "IDAT", idat.Bytes())
	writeChunk(&b, "IEND", nil)
	return b.Bytes()
}

func writeChunk(b *bytes.Buffer, typ string, data []byte) {
	binary.Write(b, binary.BigEndian, uint32(len(data)))
	crc := newCRC()
	b.WriteString(typ)
	crc.Write([]byte(typ))
	b.Write(data)
	crc.Write(data)
	binary.Write(b, binary.BigEndian, crc.Sum32())
}

func newCRC() hash.Hash32 { return crc32.NewIEEE() }
