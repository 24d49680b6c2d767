// Package qr draws QR codes: the module matrix of a text, rendered as PNG
// or SVG for pages and as runs of dark modules for vector output (PDF).
// One place decides how Kofu encodes: the most compact mix of segment modes
// (an upper-case tail such as a notice number packs as alphanumeric), the
// smallest version that fits, and error correction raised as far as that
// version allows, so codes stay small and still read well on paper.
package qr

import (
	"fmt"
	"image"
	"image/color"
	"io"

	goqr "github.com/piglig/go-qr"
)

// Level is the minimum error correction level.
type Level int

// Error correction levels: the share of codewords that can be restored.
const (
	Low      Level = iota // 7%
	Medium                // 15%
	Quartile              // 25%
	High                  // 30%
)

// QuietZone is the light border, in modules, that readers need around a
// code; the renderers here add it, vector callers must leave it free.
const QuietZone = 4

// Code is an encoded QR code.
type Code struct {
	qr *goqr.QrCode
}

// Encode returns the QR code of text at level or better.
func Encode(text string, level Level) (*Code, error) {
	ecl := goqr.Ecc(level)
	var err error
	for _, b := range bands {
		var segs []*goqr.QrSegment
		if segs, err = segments(text, ecl, b); err != nil {
			continue
		}
		var c *goqr.QrCode
		if c, err = goqr.EncodeSegments(segs, ecl, b.min, b.max, -1, true); err == nil {
			return &Code{qr: c}, nil
		}
	}
	return nil, fmt.Errorf("qr: %w", err)
}

// bands are the version ranges that share the length of segment headers,
// so one split into segments serves a whole band.
var bands = []struct{ min, max int }{{1, 9}, {10, 26}, {27, 40}}

// segments splits text into the most compact segments for a band, or
// fails when they do not fit its largest version. It asks for the band's
// largest version alone: go-qr v1.1.0's MakeSegmentsOptimally never stops
// on a text too long for a wider range.
func segments(text string, ecl goqr.Ecc, b struct{ min, max int }) ([]*goqr.QrSegment, error) {
	return goqr.MakeSegmentsOptimally(text, ecl, b.max, b.max)
}

// Size is the number of modules on each side, without the quiet zone.
func (c *Code) Size() int { return c.qr.Size() }

// Dark reports whether the module at column x, row y is dark; modules
// outside the code are light.
func (c *Code) Dark(x, y int) bool { return c.qr.Module(x, y) }

// Runs calls f for each horizontal run of dark modules, row by row: the
// run starts at column x of row y and is n modules long. Vector output
// draws one rectangle per run instead of one per module.
func (c *Code) Runs(f func(x, y, n int)) {
	size := c.Size()
	for y := 0; y < size; y++ {
		for x := 0; x < size; {
			if !c.Dark(x, y) {
				x++
				continue
			}
			start := x
			for x < size && c.Dark(x, y) {
				x++
			}
			f(start, y, x-start)
		}
	}
}

// WritePNG writes the code as a PNG image, scale pixels a module, with
// the quiet zone.
func (c *Code) WritePNG(w io.Writer, scale int) error {
	return c.qr.WriteAsPNG(goqr.NewQrCodeImgConfig(scale, QuietZone), w)
}

// WriteSVG writes the code as an SVG image one unit a module, with the
// quiet zone; the page sizes it.
func (c *Code) WriteSVG(w io.Writer) error {
	// The SVG renderer counts the border in units, not modules.
	return c.qr.WriteAsSVG(goqr.NewQrCodeImgConfig(1, QuietZone, goqr.WithOptimalSVG()), w)
}

// Image draws the code with its quiet zone on a square grey image of
// about px pixels a side (whole pixels a module, never less than one).
func (c *Code) Image(px int) *image.Gray {
	n := c.Size() + 2*QuietZone
	scale := max(1, px/n)
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	black := color.Gray{}
	for y := 0; y < c.Size(); y++ {
		for x := 0; x < c.Size(); x++ {
			if !c.Dark(x, y) {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				for dx := 0; dx < scale; dx++ {
					img.SetGray((x+QuietZone)*scale+dx, (y+QuietZone)*scale+dy, black)
				}
			}
		}
	}
	return img
}
