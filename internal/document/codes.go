package document

import (
	"cmp"
	"image"
	"image/draw"
	"slices"
	"strings"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/oned"
)

// Code is a QR code or barcode read on a page.
type Code struct {
	Format string // gozxing's name: QR_CODE, CODE_128, CODE_39, ITF, CODABAR
	Text   string
}

// ReadCodes returns the QR codes and barcodes on a page image, each text
// once, in a stable order. A page with no code, or one too damaged to
// read, gives none. QR codes are looked for at full size and at half size
// and the findings joined: the full size reads small codes, the half size
// reads blurred scans, and a page's every code must be found, since a
// second card's code on a page is what keeps the page from being filed
// automatically.
func ReadCodes(img image.Image) []Code {
	full := luminance(img)
	found := readQR(full)
	if min(full.w, full.h) >= 400 {
		found = append(found, readQR(full.half())...)
	}
	found = append(found, readLinear(full)...)
	return unique(found)
}

func unique(codes []Code) []Code {
	slices.SortFunc(codes, func(a, b Code) int {
		return cmp.Or(strings.Compare(a.Format, b.Format), strings.Compare(a.Text, b.Text))
	})
	return slices.Compact(codes)
}

// gray is an 8-bit luminance plane.
type gray struct {
	pix    []byte
	stride int
	w, h   int
}

// luminance returns the luminance plane of img without a copy where the
// image already holds one (JPEG's Y plane, a gray image).
func luminance(img image.Image) *gray {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.YCbCr:
		if b.Min == (image.Point{}) {
			return &gray{pix: m.Y, stride: m.YStride, w: b.Dx(), h: b.Dy()}
		}
	case *image.Gray:
		if b.Min == (image.Point{}) {
			return &gray{pix: m.Pix, stride: m.Stride, w: b.Dx(), h: b.Dy()}
		}
	}
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Bounds(), img, b.Min, draw.Src)
	return &gray{pix: g.Pix, stride: g.Stride, w: b.Dx(), h: b.Dy()}
}

// half averages each 2×2 block.
func (g *gray) half() *gray {
	w, h := g.w/2, g.h/2
	out := &gray{pix: make([]byte, w*h), stride: w, w: w, h: h}
	for y := range h {
		r0 := g.pix[2*y*g.stride:]
		r1 := g.pix[(2*y+1)*g.stride:]
		o := out.pix[y*w : (y+1)*w]
		for x := range o {
			o[x] = byte((int(r0[2*x]) + int(r0[2*x+1]) + int(r1[2*x]) + int(r1[2*x+1]) + 2) / 4)
		}
	}
	return out
}

func (g *gray) source() gozxing.LuminanceSource {
	// The plane's stride stands in for its width; the crop shows w columns.
	src, err := gozxing.NewPlanarYUVLuminanceSource(g.pix, g.stride, g.h, 0, 0, g.w, g.h, false)
	if err != nil {
		panic(err) // only for a crop outside the plane, which cannot happen here
	}
	return src
}

func (g *gray) bitmap() *gozxing.BinaryBitmap {
	bm, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(g.source()))
	if err != nil {
		panic(err)
	}
	return bm
}

func readQR(g *gray) []Code {
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
	results, err := qrcode.NewQRCodeMultiReader().DecodeMultiple(g.bitmap(), hints)
	if err != nil {
		return nil
	}
	out := make([]Code, 0, len(results))
	for _, r := range results {
		out = append(out, Code{Format: r.GetBarcodeFormat().String(), Text: r.GetText()})
	}
	return out
}

// linearReaders are the 1D symbologies read: Code 128 and Code 39 on
// forms, ITF and NW-7 (Codabar), common on Japanese slips. Product codes
// (EAN, UPC) never carry a notice number or booking code.
func linearReaders() []gozxing.Reader {
	return []gozxing.Reader{
		oned.NewCode128Reader(),
		oned.NewCode39Reader(),
		oned.NewITFReader(),
		oned.NewCodaBarReader(),
	}
}

func readLinear(g *gray) []Code {
	var out []Code
	for _, rd := range linearReaders() {
		out = append(out, readLinearIn(rd, g.bitmap(), 0)...)
	}
	return out
}

// readLinearIn finds every barcode of one symbology: after a hit it looks
// again left, right, above and below the code (ZXing's
// GenericMultipleBarcodeReader), so two codes on one page are both seen.
func readLinearIn(rd gozxing.Reader, bm *gozxing.BinaryBitmap, depth int) []Code {
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
	r, err := rd.Decode(bm, hints)
	if err != nil {
		return nil
	}
	out := []Code{{Format: r.GetBarcodeFormat().String(), Text: r.GetText()}}
	if depth >= 3 {
		return out
	}
	box := bounds(r.GetResultPoints())
	w, h := bm.GetWidth(), bm.GetHeight()
	for _, c := range []image.Rectangle{
		image.Rect(0, 0, box.Min.X, h), image.Rect(box.Max.X, 0, w, h),
		image.Rect(0, 0, w, box.Min.Y), image.Rect(0, box.Max.Y, w, h),
	} {
		if c.Dx() < 40 || c.Dy() < 8 {
			continue
		}
		sub, err := bm.Crop(c.Min.X, c.Min.Y, c.Dx(), c.Dy())
		if err != nil {
			continue
		}
		out = append(out, readLinearIn(rd, sub, depth+1)...)
	}
	return out
}

func bounds(pts []gozxing.ResultPoint) image.Rectangle {
	if len(pts) == 0 {
		return image.Rectangle{}
	}
	r := image.Rect(int(pts[0].GetX()), int(pts[0].GetY()), int(pts[0].GetX())+1, int(pts[0].GetY())+1)
	for _, p := range pts[1:] {
		r = r.Union(image.Rect(int(p.GetX()), int(p.GetY()), int(p.GetX())+1, int(p.GetY())+1))
	}
	return r
}
