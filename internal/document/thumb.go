package document

import (
	"image"
	"image/jpeg"
	"io"

	"golang.org/x/image/draw"
)

// Thumbnail writes a page image as a JPEG that fits in maxSide × maxSide
// pixels, turned clockwise by rotate degrees (File.Rotation) so it stands
// the right way up. Used for the page thumbnails (about 240) and for the
// viewer's page images (about 1600), since browsers show no TIFF.
func Thumbnail(w io.Writer, img image.Image, rotate, maxSide int) error {
	b := img.Bounds()
	tw, th := fit(b.Dx(), b.Dy(), maxSide)
	var dst draw.Image
	if isGray(img) {
		dst = image.NewGray(image.Rect(0, 0, tw, th))
	} else {
		dst = image.NewRGBA(image.Rect(0, 0, tw, th))
	}
	// Averaging blocks first brings a 300 dpi page near the target size
	// cheaply; Catmull-Rom then widens its kernel for the rest, so text
	// stays legible instead of breaking into aliasing. Scaling the full
	// page with Catmull-Rom alone would take a buffer of about 20 MB.
	src := shrink(img, b.Dx()/(2*tw))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return jpeg.Encode(w, turn(dst, rotate), &jpeg.Options{Quality: 80})
}

// shrink averages k × k blocks of a gray or YCbCr image (what scans decode
// to); other images, and k below 2, are returned as they are.
func shrink(img image.Image, k int) image.Image {
	if k < 2 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx()/k, b.Dy()/k
	switch m := img.(type) {
	case *image.Gray:
		out := image.NewGray(image.Rect(0, 0, w, h))
		boxAverage(out.Pix, w, h, k, func(x, y int) int { return m.PixOffset(b.Min.X+x, b.Min.Y+y) }, m.Pix)
		return out
	case *image.YCbCr:
		out := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio444)
		boxAverage(out.Y, w, h, k, func(x, y int) int { return m.YOffset(b.Min.X+x, b.Min.Y+y) }, m.Y)
		boxAverage(out.Cb, w, h, k, func(x, y int) int { return m.COffset(b.Min.X+x, b.Min.Y+y) }, m.Cb)
		boxAverage(out.Cr, w, h, k, func(x, y int) int { return m.COffset(b.Min.X+x, b.Min.Y+y) }, m.Cr)
		return out
	}
	return img
}

// boxAverage fills dst (w × h, packed) with the means of k × k blocks of
// the plane src, addressed through offset.
func boxAverage(dst []byte, w, h, k int, offset func(x, y int) int, src []byte) {
	n := k * k
	for y := range h {
		for x := range w {
			sum := 0
			for dy := range k {
				for dx := range k {
					sum += int(src[offset(x*k+dx, y*k+dy)])
				}
			}
			dst[y*w+x] = byte((sum + n/2) / n)
		}
	}
}

func fit(w, h, maxSide int) (int, int) {
	if w <= maxSide && h <= maxSide {
		return w, h
	}
	if w >= h {
		return maxSide, max(1, h*maxSide/w)
	}
	return max(1, w*maxSide/h), maxSide
}

func isGray(img image.Image) bool {
	switch m := img.(type) {
	case *image.Gray:
		return true
	case *image.YCbCr:
		return false
	case *image.Paletted:
		return len(m.Palette) <= 2
	}
	return false
}

// turn rotates a small image by a multiple of 90 degrees clockwise.
func turn(img draw.Image, rotate int) image.Image {
	rotate = ((rotate % 360) + 360) % 360
	if rotate == 0 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	if rotate != 180 {
		out = image.NewRGBA(image.Rect(0, 0, h, w))
	}
	for y := range h {
		for x := range w {
			c := img.At(b.Min.X+x, b.Min.Y+y)
			switch rotate {
			case 90:
				out.Set(h-1-y, x, c)
			case 180:
				out.Set(w-1-x, h-1-y, c)
			case 270:
				out.Set(y, w-1-x, c)
			}
		}
	}
	return out
}
