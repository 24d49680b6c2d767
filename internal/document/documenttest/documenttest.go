// Package documenttest makes the files other packages' tests upload:
// small pages carrying QR codes, as JPEG, PNG, a multi-page PDF of JPEG
// page images (what office scanners write) and a multi-page TIFF, so no
// test reads a file it did not make. (internal/document's own tests have
// fuller generators: CCITT, Flate, rotations, hostile files.)
package documenttest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math/rand/v2"

	"github.com/kofu-oss/kofu/internal/qr"
)

// Page draws a small white page (600 × 850 pixels, A4 at about 72 dpi)
// with a QR code for each text in a column at the top right and a mark
// of seed's own at the bottom left, so two pages differ.
func Page(seed int, texts ...string) *image.Gray {
	const w, h, side = 600, 850, 180
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	for i, s := range texts {
		q, err := qr.Encode(s, qr.Medium)
		if err != nil {
			panic(err)
		}
		qi := q.Image(side)
		at := image.Pt(w-40-side, 40+i*(side+40))
		draw.Draw(img, qi.Bounds().Add(at), qi, image.Point{}, draw.Src)
	}
	for i := range 8 { // a row of blocks whose widths spell the seed
		bw := 6 + (seed>>i&1)*10
		draw.Draw(img, image.Rect(40+i*30, h-80, 40+i*30+bw, h-40), image.NewUniform(color.Gray{30}), image.Point{}, draw.Src)
	}
	return img
}

// JPEG encodes img.
func JPEG(img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// PNG encodes img.
func PNG(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// PDF writes a PDF 1.4 file with one gray JPEG image filling each page,
// at 72 dpi. A nil page is a page whose image stream says JPEG but holds
// none: a file whose structure is sound but whose page cannot be read.
func PDF(pages ...*image.Gray) []byte {
	out := make([]pdfPage, len(pages))
	for i, p := range pages {
		out[i] = pdfPage{w: 600, h: 850, dpi: 72, colorSpace: "DeviceGray", data: []byte("\xff\xd8\xff\xe0 damaged in the scanner")}
		if p != nil {
			out[i].w, out[i].h, out[i].data = p.Bounds().Dx(), p.Bounds().Dy(), JPEG(p)
		}
	}
	return writePDF(out)
}

// ScanA4 draws an A4 page at dpi as an office scanner sees a printed
// form: rows of word-sized blocks of seed's own, and a 25 mm QR code for
// each text in a column at the top right.
func ScanA4(seed, dpi int, texts ...string) *image.Gray {
	w, h := 827*dpi/100, 1169*dpi/100
	mm := func(v float64) int { return int(v * float64(dpi) / 25.4) }
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	for y := mm(60); y < h-mm(80); y += mm(7) {
		for x := mm(20); x < w-mm(60); {
			ww := mm(3 + rng.Float64()*15)
			draw.Draw(img, image.Rect(x, y, x+ww, y+mm(3.5)), image.NewUniform(color.Gray{uint8(20 + rng.IntN(60))}), image.Point{}, draw.Src)
			x += ww + mm(2)
		}
	}
	for i, s := range texts {
		q, err := qr.Encode(s, qr.Medium)
		if err != nil {
			panic(err)
		}
		side := mm(25)
		qi := q.Image(side)
		at := image.Pt(w-mm(15)-side, mm(15)+i*(side+mm(10)))
		draw.Draw(img, qi.Bounds().Add(at), qi, image.Point{}, draw.Src)
	}
	return img
}

// ScanPDF writes a PDF of colour JPEG pages scanned at dpi, on slightly
// yellow paper: what an office scanner's colour mode makes of the pages.
// page(i) draws the i-th of n pages; one page at a time is held.
func ScanPDF(dpi, n int, page func(i int) *image.Gray) []byte {
	out := make([]pdfPage, n)
	for i := range n {
		g := page(i)
		rgb := image.NewRGBA(g.Bounds())
		for j, v := range g.Pix {
			rgb.Pix[4*j], rgb.Pix[4*j+1], rgb.Pix[4*j+2], rgb.Pix[4*j+3] = v, v, uint8(int(v)*94/100), 0xFF
		}
		out[i] = pdfPage{w: g.Bounds().Dx(), h: g.Bounds().Dy(), dpi: dpi, colorSpace: "DeviceRGB", data: JPEG(rgb)}
	}
	return writePDF(out)
}

// pdfPage is one page of a generated PDF: a JPEG image filling it.
type pdfPage struct {
	w, h, dpi  int
	colorSpace string
	data       []byte
}

func writePDF(pages []pdfPage) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string, stream []byte) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\n", len(offsets), body)
		if stream != nil {
			b.WriteString("stream\n")
			b.Write(stream)
			b.WriteString("\nendstream\n")
		}
		b.WriteString("endobj\n")
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	kids := ""
	for i := range pages {
		kids += fmt.Sprintf("%d 0 R ", 3+i*3)
	}
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, len(pages)), nil)
	for i, p := range pages {
		pw, ph := p.w*72/p.dpi, p.h*72/p.dpi
		draw := fmt.Sprintf("q %d 0 0 %d 0 0 cm /Im0 Do Q", pw, ph)
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>",
			pw, ph, 5+i*3, 4+i*3), nil)
		obj(fmt.Sprintf("<< /Length %d >>", len(draw)), []byte(draw))
		obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /%s /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>",
			p.w, p.h, p.colorSpace, len(p.data)), p.data)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// TIFF writes a little-endian multi-page TIFF of 8-bit gray pages, each
// one Deflate-compressed strip.
func TIFF(pages ...*image.Gray) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("II*\x00\x00\x00\x00\x00")
	prevNext := 4
	for _, pg := range pages {
		w, h := pg.Bounds().Dx(), pg.Bounds().Dy()
		var strip bytes.Buffer
		zw := zlib.NewWriter(&strip)
		for y := range h {
			zw.Write(pg.Pix[y*pg.Stride : y*pg.Stride+w])
		}
		zw.Close()
		stripAt := b.Len()
		b.Write(strip.Bytes())
		if b.Len()%2 == 1 {
			b.WriteByte(0)
		}
		ifd := b.Len()
		le.PutUint32(b.Bytes()[prevNext:], uint32(ifd))
		entries := [][3]uint32{ // tag, type, value
			{256, 4, uint32(w)}, {257, 4, uint32(h)}, {258, 3, 8}, {259, 3, 8}, {262, 3, 1},
			{273, 4, uint32(stripAt)}, {277, 3, 1}, {278, 4, uint32(h)}, {279, 4, uint32(strip.Len())},
		}
		binary.Write(&b, le, uint16(len(entries)))
		for _, en := range entries {
			var e [12]byte
			le.PutUint16(e[0:], uint16(en[0]))
			le.PutUint16(e[2:], uint16(en[1]))
			le.PutUint32(e[4:], 1)
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

// Disguised are files that are none of the accepted formats, named as if
// they were: what an upload must refuse whatever the name says.
func Disguised() map[string][]byte {
	return map[string][]byte{
		"scan.png":  []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>`),
		"page.png":  []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
		"stack.pdf": []byte("PK\x03\x04 a zip file, not a PDF"),
	}
}
