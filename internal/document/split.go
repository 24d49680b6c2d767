package document

import (
	"image"
	"image/color"
	"image/png"
	"io"
)

// Split writes page i as a file of its own, for a stack whose pages go to
// different cards. A JPEG page inside a PDF is copied as it is (no second
// compression); a JPEG or PNG file is its one page; any other page (CCITT,
// TIFF, Flate) is written as a lossless PNG, black and white pages at one
// bit per pixel. img is the page already decoded, or nil.
func (f *File) Split(i int, img image.Image, w io.Writer) (Format, error) {
	switch {
	case f.Format == JPEG || f.Format == PNG:
		_, err := io.Copy(w, io.NewSectionReader(f.r, 0, f.Size))
		return f.Format, err
	case f.Format == PDF && f.pdf.pages[i].isPlainJPEG():
		_, err := w.Write(f.pdf.pages[i].image.Raw)
		return JPEG, err
	}
	if img == nil {
		var err error
		if img, err = f.Page(i); err != nil {
			return "", err
		}
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	return PNG, enc.Encode(w, bilevel(img))
}

func (p pdfPage) isPlainJPEG() bool {
	return p.image != nil && len(p.image.FilterPipeline) == 1 && p.image.FilterPipeline[0].Name == "DCTDecode"
}

var blackWhite = color.Palette{color.Gray{0}, color.Gray{0xFF}}

// bilevel returns a gray image holding only black and white as a
// two-colour palette image, which PNG stores at one bit per pixel; any
// other image is returned as it is.
func bilevel(img image.Image) image.Image {
	g, ok := img.(*image.Gray)
	if !ok {
		return img
	}
	for _, v := range g.Pix {
		if v != 0 && v != 0xFF {
			return img
		}
	}
	b := g.Bounds()
	p := image.NewPaletted(b, blackWhite)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		src := g.Pix[(y-b.Min.Y)*g.Stride:]
		dst := p.Pix[(y-b.Min.Y)*p.Stride:]
		for x := range b.Dx() {
			dst[x] = src[x] / 0xFF
		}
	}
	return p
}
