package document

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
)

// File is a document whose content was recognised and checked: its format,
// page count and the pixel size of every page are known and within the
// limits, and nothing was decoded yet.
type File struct {
	Format Format
	Size   int64

	r     io.ReaderAt
	pages int
	pdf   *pdfFile
	tif   *tiffFile
}

// Open recognises a file by its content and checks its structure and
// limits. name is only used in messages: a file named .png that holds an
// SVG or HTML is refused like any other. The reader must stay open while
// the File is used.
func Open(r io.ReaderAt, size int64, name string, lim Limits) (*File, error) {
	lim = lim.withDefaults()
	if err := lim.CheckSize(size); err != nil {
		return nil, err
	}
	head := make([]byte, min(size, sniffLen))
	if _, err := r.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	format, ok := Sniff(head)
	if !ok {
		return nil, refuse(head, name)
	}
	f := &File{Format: format, Size: size, r: r, pages: 1}
	var err error
	switch format {
	case PDF:
		if f.pdf, err = openPDF(r, size, lim); err == nil {
			f.pages = len(f.pdf.pages)
		}
	case TIFF:
		if f.tif, err = openTIFF(r, size, lim); err == nil {
			f.pages = len(f.tif.pages)
		}
	case JPEG, PNG:
		err = checkSingle(r, size, format, lim)
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// checkSingle reads a JPEG's or PNG's header for its size and checks that
// the file ends where the format says it ends (EOI, IEND), so a truncated
// upload is caught before it is stored.
func checkSingle(r io.ReaderAt, size int64, format Format, lim Limits) error {
	sr := io.NewSectionReader(r, 0, size)
	var cfg image.Config
	var err error
	if format == JPEG {
		cfg, err = jpeg.DecodeConfig(sr)
	} else {
		cfg, err = png.DecodeConfig(sr)
	}
	if err != nil {
		return corrupt(format, err)
	}
	if err := lim.checkImage(1, cfg.Width, cfg.Height); err != nil {
		return err
	}
	tail := make([]byte, min(size, 4096))
	if _, err := r.ReadAt(tail, size-int64(len(tail))); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	end := []byte{0xFF, 0xD9}
	if format == PNG {
		end = []byte("IEND\xae\x42\x60\x82")
	}
	if !bytes.Contains(tail, end) {
		return corrupt(format, errors.New("no end marker"))
	}
	return nil
}

// Pages is the number of pages (1 for JPEG and PNG).
func (f *File) Pages() int { return f.pages }

// Page decodes page i (from 0). Only this page's pixels are in memory.
func (f *File) Page(i int) (image.Image, error) {
	if i < 0 || i >= f.pages {
		return nil, fmt.Errorf("page %d of %d", i+1, f.pages)
	}
	switch f.Format {
	case PDF:
		return f.pdf.page(i)
	case TIFF:
		return f.tif.page(i)
	}
	sr := io.NewSectionReader(f.r, 0, f.Size)
	var img image.Image
	var err error
	if f.Format == JPEG {
		img, err = jpeg.Decode(sr)
	} else {
		img, err = png.Decode(sr)
	}
	if err != nil {
		return nil, corrupt(f.Format, err)
	}
	return img, nil
}

// Rotation is the clockwise turn in degrees a viewer applies to page i
// (a PDF's /Rotate), so thumbnails stand the right way up.
func (f *File) Rotation(i int) int {
	if f.pdf != nil && i >= 0 && i < len(f.pdf.pages) {
		return f.pdf.pages[i].rotate
	}
	return 0
}
