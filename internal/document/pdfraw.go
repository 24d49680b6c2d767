package document

import (
	"errors"
	"fmt"
	"image"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// rawImage builds an image from uncompressed samples: gray at 1, 2, 4 or
// 8 bits, RGB or CMYK at 8 bits, and image masks. Other layouts (indexed
// colours, 16 bits) are rare in scans and refused.
func rawImage(d types.Dict, comps int, data []byte, w, h int) (image.Image, error) {
	bpc := dictIntOr(d, "BitsPerComponent", 8)
	if dictBool(d, "ImageMask") {
		bpc, comps = 1, 1
	}
	if comps == 1 {
		return grayImage(data, w, h, bpc, decodeInverted(d))
	}
	if bpc != 8 {
		return nil, fmt.Errorf("%d components at %d bits are not supported", comps, bpc)
	}
	if len(data) < w*h*comps {
		return nil, errors.New("image data is short")
	}
	switch comps {
	case 3:
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for i := range w * h {
			copy(img.Pix[4*i:4*i+3], data[3*i:3*i+3])
			img.Pix[4*i+3] = 0xFF
		}
		return img, nil
	case 4:
		img := image.NewCMYK(image.Rect(0, 0, w, h))
		copy(img.Pix, data[:w*h*4])
		return img, nil
	}
	return nil, fmt.Errorf("colour space %v is not supported", d["ColorSpace"])
}

// components counts the colour components of a colour space.
func (f *pdfFile) components(cs types.Object) (int, error) {
	o, err := f.xt.Dereference(cs)
	if err != nil {
		return 0, err
	}
	switch v := o.(type) {
	case types.Name:
		switch v {
		case "DeviceGray", "CalGray", "G":
			return 1, nil
		case "DeviceRGB", "CalRGB", "RGB":
			return 3, nil
		case "DeviceCMYK", "CMYK":
			return 4, nil
		}
	case types.Array:
		if len(v) >= 2 {
			if name, ok := v[0].(types.Name); ok && name == "ICCBased" {
				sd, _, err := f.xt.DereferenceStreamDict(v[1])
				if err == nil && sd != nil {
					return dictIntOr(sd.Dict, "N", 0), nil
				}
			}
			if name, ok := v[0].(types.Name); ok && (name == "CalGray" || name == "CalRGB") {
				return map[types.Name]int{"CalGray": 1, "CalRGB": 3}[name], nil
			}
		}
	}
	return 0, fmt.Errorf("colour space %v is not supported", o)
}

// decodeInverted reports a /Decode [1 0] array, which swaps black and white.
func decodeInverted(d types.Dict) bool {
	a, ok := d["Decode"].(types.Array)
	if !ok || len(a) < 2 {
		return false
	}
	lo, ok1 := a[0].(types.Integer)
	hi, ok2 := a[1].(types.Integer)
	if !ok1 || !ok2 {
		lf, ok1 := a[0].(types.Float)
		hf, ok2 := a[1].(types.Float)
		return ok1 && ok2 && lf > hf
	}
	return lo > hi
}

// grayImage expands 1-, 2-, 4- or 8-bit gray samples (rows padded to a
// byte) to 8 bits.
func grayImage(data []byte, w, h, bpc int, invert bool) (image.Image, error) {
	if bpc != 1 && bpc != 2 && bpc != 4 && bpc != 8 {
		return nil, fmt.Errorf("gray at %d bits is not supported", bpc)
	}
	rowBytes := (w*bpc + 7) / 8
	if len(data) < rowBytes*h {
		return nil, errors.New("image data is short")
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	maxv := (1 << bpc) - 1
	for y := range h {
		row := data[y*rowBytes:]
		out := img.Pix[y*img.Stride:]
		for x := range w {
			bit := x * bpc
			v := int(row[bit/8]>>(8-bpc-bit%8)) & maxv
			g := v * 255 / maxv
			if invert {
				g = 255 - g
			}
			out[x] = uint8(g)
		}
	}
	return img, nil
}
