package document

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"

	"golang.org/x/image/tiff"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// A TIFF file is a chain of IFDs (image file directories), one per page.
// golang.org/x/image/tiff reads only the first, so each page is read
// through a view of the file whose header points at that page's IFD.

const (
	tagWidth       = 256
	tagHeight      = 257
	tagCompression = 259
)

// tiffCompressions are those golang.org/x/image/tiff decodes: none, CCITT
// G3 and G4 (black and white scans), LZW, Deflate and PackBits. JPEG inside
// TIFF is not among them.
var tiffCompressions = map[uint32]bool{0: true, 1: true, 3: true, 4: true, 5: true, 8: true, 32773: true, 32946: true}

type tiffPage struct {
	ifd         uint32
	w, h        int
	compression uint32
}

type tiffFile struct {
	r     io.ReaderAt
	order binary.ByteOrder
	pages []tiffPage
}

// openTIFF walks the IFD chain, checking each page's size and compression
// from its directory, before any pixel is read.
func openTIFF(r io.ReaderAt, size int64, lim Limits) (*tiffFile, error) {
	var head [8]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return nil, corrupt(TIFF, err)
	}
	f := &tiffFile{r: r, order: binary.LittleEndian}
	if head[0] == 'M' {
		f.order = binary.BigEndian
	}
	seen := map[uint32]bool{}
	for off := f.order.Uint32(head[4:]); off != 0; {
		if seen[off] || int64(off)+2 > size {
			return nil, corrupt(TIFF, fmt.Errorf("IFD offset %d loops or lies outside the file", off))
		}
		seen[off] = true
		if err := lim.checkPages(len(f.pages) + 1); err != nil {
			return nil, err
		}
		p, next, err := f.readIFD(off)
		if err != nil {
			return nil, corrupt(TIFF, err)
		}
		n := len(f.pages) + 1
		if err := lim.checkImage(n, p.w, p.h); err != nil {
			return nil, err
		}
		if !tiffCompressions[p.compression] {
			return nil, apperr.New(CodeUnsupported, fmt.Sprintf("TIFF の %d ページ目は対応していない圧縮方式（%s）です。スキャナーの設定で PDF にするか、TIFF の圧縮を「CCITT G4」か「LZW」にしてください。", n, compressionName(p.compression)))
		}
		f.pages = append(f.pages, p)
		off = next
	}
	if len(f.pages) == 0 {
		return nil, corrupt(TIFF, errors.New("no IFD"))
	}
	return f, nil
}

func compressionName(c uint32) string {
	switch c {
	case 2:
		return "CCITT RLE"
	case 6, 7:
		return "JPEG"
	}
	return fmt.Sprintf("番号 %d", c)
}

// readIFD reads the entries of one directory that Kofu needs and the
// offset of the next.
func (f *tiffFile) readIFD(off uint32) (tiffPage, uint32, error) {
	var cnt [2]byte
	if _, err := f.r.ReadAt(cnt[:], int64(off)); err != nil {
		return tiffPage{}, 0, err
	}
	n := int(f.order.Uint16(cnt[:]))
	buf := make([]byte, n*12+4)
	if _, err := f.r.ReadAt(buf, int64(off)+2); err != nil {
		return tiffPage{}, 0, err
	}
	p := tiffPage{ifd: off, compression: 1}
	for i := range n {
		e := buf[i*12 : i*12+12]
		tag, typ := f.order.Uint16(e), f.order.Uint16(e[2:])
		var v uint32
		switch typ {
		case 3: // SHORT
			v = uint32(f.order.Uint16(e[8:]))
		case 4: // LONG
			v = f.order.Uint32(e[8:])
		default:
			continue
		}
		switch tag {
		case tagWidth:
			p.w = int(v)
		case tagHeight:
			p.h = int(v)
		case tagCompression:
			p.compression = v
		}
	}
	return p, f.order.Uint32(buf[n*12:]), nil
}

// page decodes page i (from 0).
func (f *tiffFile) page(i int) (image.Image, error) {
	img, err := tiff.Decode(&tiffView{r: f.r, order: f.order, ifd: f.pages[i].ifd})
	if err != nil {
		return nil, corrupt(TIFF, fmt.Errorf("page %d: %w", i+1, err))
	}
	return img, nil
}

// tiffView is the file with its header's first-IFD offset replaced.
type tiffView struct {
	r     io.ReaderAt
	order binary.ByteOrder
	ifd   uint32
	pos   int64
}

func (v *tiffView) ReadAt(p []byte, off int64) (int, error) {
	n, err := v.r.ReadAt(p, off)
	var field [4]byte
	v.order.PutUint32(field[:], v.ifd)
	for i := range 4 {
		if j := 4 + int64(i) - off; j >= 0 && j < int64(n) {
			p[j] = field[i]
		}
	}
	return n, err
}

func (v *tiffView) Read(p []byte) (int, error) {
	n, err := v.ReadAt(p, v.pos)
	v.pos += int64(n)
	return n, err
}
