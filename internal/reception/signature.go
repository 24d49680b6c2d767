package reception

import (
	"bytes"
	"fmt"
	"image"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/paper"
)

// SignatureLimits bound the PNG the tablet sends, on top of the city's
// document limits: a canvas of a tablet's width at twice its pixel
// density fits easily; anything larger is not a finger signature.
var SignatureLimits = document.Limits{MaxFileBytes: 512 << 10, MaxPages: 1, MaxSide: 3000, MaxPixels: 3000 * 1500}

// Smallest canvas accepted: a signature box narrower than this is no box.
const minSignatureW, minSignatureH = 200, 60

// minInk is the share of dark pixels below which the canvas is taken as
// not signed (a tap leaves a dot, not a signature).
const minInk = 0.001

// checkSignature refuses a signature that is missing, not a PNG (an SVG
// or HTML named .png included: internal/document recognises by content),
// too large or too small, or blank. f is the file document.Open
// recognised within SignatureLimits.
func checkSignature(f *document.File) error {
	if f.Format != document.PNG {
		return apperr.New(CodeSignatureFormat, fmt.Sprintf("署名は PNG 画像で送ってください（受け取ったのは %s）。", f.Format))
	}
	img, err := f.Page(0)
	if err != nil {
		return err
	}
	b := img.Bounds()
	if b.Dx() < minSignatureW || b.Dy() < minSignatureH {
		return apperr.New(CodeSignatureFormat, fmt.Sprintf("署名欄の画像が小さすぎます（%d × %d ピクセル、%d × %d 以上）。", b.Dx(), b.Dy(), minSignatureW, minSignatureH))
	}
	if Ink(img) < minInk {
		return apperr.New(CodeSignatureMissing, "署名がありません。署名欄に指で署名してください。")
	}
	return nil
}

// Ink is the share of a picture's pixels that are dark once laid on white
// paper (a transparent canvas counts as white).
func Ink(img image.Image) float64 {
	b := img.Bounds()
	dark := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if paper.DarkOnWhite(img.At(x, y)) {
				dark++
			}
		}
	}
	return float64(dark) / float64(max(1, b.Dx()*b.Dy()))
}

// openSignature recognises a signature's bytes within SignatureLimits, for
// a caller outside a transaction (the PDF).
func openSignature(png []byte) (image.Image, error) {
	f, err := document.Open(bytes.NewReader(png), int64(len(png)), "signature.png", SignatureLimits)
	if err != nil {
		return nil, err
	}
	return f.Page(0)
}
