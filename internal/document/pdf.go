package document

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"golang.org/x/image/ccitt"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// Scanner PDFs hold one image per page: JPEG (DCTDecode) for colour and
// gray, CCITT G4 for black and white, sometimes Flate. A page is read by
// taking its largest image and decoding it in Go. pdfcpu parses the file;
// it keeps the compressed streams in memory (so a file costs about its
// size), while pixels are decoded one page at a time.

type pdfFile struct {
	xt    *model.XRefTable
	pages []pdfPage
}

// pdfPage is what Open learnt of a page, so that decoding it later touches
// no shared parser state and pages can be decoded in parallel.
type pdfPage struct {
	image  *types.StreamDict // the largest image, nil when the page has none
	comps  int               // its colour components (0 when it has none)
	rotate int               // the page's /Rotate, clockwise degrees
}

// pdfConfig reads without pdfcpu's configuration directory (which it
// would otherwise create in the user's home) and without any network.
func pdfConfig() *model.Configuration {
	return &model.Configuration{
		Reader15:                  true,
		ValidationMode:            model.ValidationRelaxed,
		UnsupportedResourcePolicy: model.UnsupportedResourceSkip,
		Offline:                   true,
		Eol:                       types.EolLF,
		Limits:                    model.DefaultResourceLimits(),
	}
}

func openPDF(r io.ReaderAt, size int64, lim Limits) (f *pdfFile, err error) {
	defer func() {
		if p := recover(); p != nil { // a parser's panic on a hostile file is a damaged file
			f, err = nil, corrupt(PDF, fmt.Errorf("pdfcpu: %v", p))
		}
	}()
	ctx, err := pdfcpu.Read(io.NewSectionReader(r, 0, size), pdfConfig())
	if err != nil {
		if errors.Is(err, pdfcpu.ErrWrongPassword) {
			return nil, encrypted()
		}
		return nil, corrupt(PDF, err)
	}
	if ctx.Encrypt != nil {
		return nil, encrypted()
	}
	if err := ctx.EnsurePageCount(); err != nil {
		return nil, corrupt(PDF, err)
	}
	if ctx.PageCount == 0 {
		return nil, corrupt(PDF, errors.New("no page"))
	}
	if err := lim.checkPages(ctx.PageCount); err != nil {
		return nil, err
	}
	f = &pdfFile{xt: ctx.XRefTable, pages: make([]pdfPage, ctx.PageCount)}
	for i := range ctx.PageCount {
		if err := f.findImage(i, lim); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func encrypted() error {
	return apperr.New(CodeEncrypted, "パスワードで保護された PDF は取り込めません。スキャナーの設定で暗号化を外して保存してください。")
}

// findImage records the largest image drawn on page i and checks its size.
func (f *pdfFile) findImage(i int, lim Limits) error {
	_, _, attrs, err := f.xt.PageDict(i+1, true)
	if err != nil {
		return corrupt(PDF, fmt.Errorf("page %d: %w", i+1, err))
	}
	if attrs == nil {
		return nil
	}
	p := &f.pages[i]
	p.rotate = ((attrs.Rotate % 360) + 360) % 360
	best, _ := f.largestImage(attrs.Resources, 0)
	if best == nil {
		return nil
	}
	w, h := dictInt(best.Dict, "Width"), dictInt(best.Dict, "Height")
	if err := lim.checkImage(i+1, w, h); err != nil {
		return err
	}
	p.image = best
	if !dictBool(best.Dict, "ImageMask") && !isImageFilter(best.FilterPipeline) {
		p.comps, _ = f.components(best.Dict["ColorSpace"]) // 0: refused when the page is read
	}
	return nil
}

// largestImage searches the resources' XObjects, and the forms among
// them, for the image with the most pixels.
func (f *pdfFile) largestImage(res types.Dict, depth int) (*types.StreamDict, int64) {
	if res == nil || depth > 3 {
		return nil, 0
	}
	xobjs, err := f.xt.DereferenceDict(res["XObject"])
	if err != nil || xobjs == nil {
		return nil, 0
	}
	var best *types.StreamDict
	var area int64
	for _, o := range xobjs {
		sd, _, err := f.xt.DereferenceStreamDict(o)
		if err != nil || sd == nil {
			continue
		}
		cand, a := sd, int64(dictInt(sd.Dict, "Width"))*int64(dictInt(sd.Dict, "Height"))
		if sub := sd.NameEntry("Subtype"); sub != nil && *sub == "Form" {
			inner, _ := f.xt.DereferenceDict(sd.Dict["Resources"])
			cand, a = f.largestImage(inner, depth+1)
		} else if sub == nil || *sub != "Image" {
			continue
		}
		if cand != nil && (best == nil || a > area) {
			best, area = cand, a
		}
	}
	return best, area
}

func dictInt(d types.Dict, key string) int {
	if v := d.IntEntry(key); v != nil {
		return *v
	}
	return 0
}

// page decodes the image of page i (from 0).
func (f *pdfFile) page(i int) (img image.Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, corrupt(PDF, fmt.Errorf("page %d: %v", i+1, p))
		}
	}()
	p := f.pages[i]
	if p.image == nil {
		return nil, apperr.New(CodeNoPageImage, fmt.Sprintf("PDF の %d ページ目にはスキャンした画像がありません（文字や図形で作られたページです）。", i+1))
	}
	img, err = decodeImage(p)
	if err != nil {
		return nil, corrupt(PDF, fmt.Errorf("page %d: %w", i+1, err))
	}
	return img, nil
}

// isImageFilter reports a pipeline ending in a filter that makes an
// image of its own (JPEG, CCITT, JPEG 2000, JBIG2).
func isImageFilter(pipe []types.PDFFilter) bool {
	if len(pipe) == 0 {
		return false
	}
	switch pipe[len(pipe)-1].Name {
	case "DCTDecode", "CCITTFaxDecode", "JPXDecode", "JBIG2Decode":
		return true
	}
	return false
}

func decodeImage(p pdfPage) (image.Image, error) {
	sd := p.image
	w, h := dictInt(sd.Dict, "Width"), dictInt(sd.Dict, "Height")
	pipe := sd.FilterPipeline
	last := ""
	if len(pipe) > 0 {
		last = pipe[len(pipe)-1].Name
	}
	switch last {
	case "DCTDecode":
		data, err := preDecode(sd, pipe[:len(pipe)-1], w, h)
		if err != nil {
			return nil, err
		}
		return decodeJPEG(data, w, h)
	case "CCITTFaxDecode":
		data, err := preDecode(sd, pipe[:len(pipe)-1], w, h)
		if err != nil {
			return nil, err
		}
		return decodeCCITT(data, pipe[len(pipe)-1].DecodeParms, w, h)
	case "JPXDecode", "JBIG2Decode":
		return nil, fmt.Errorf("%s images are not supported", last)
	}
	data, err := preDecode(sd, pipe, w, h)
	if err != nil {
		return nil, err
	}
	return rawImage(sd.Dict, p.comps, data, w, h)
}

// preDecode undoes the general filters (Flate, LZW, ASCII85...) before an
// image filter, bounded by what the image can hold.
func preDecode(sd *types.StreamDict, pipe []types.PDFFilter, w, h int) ([]byte, error) {
	if len(pipe) == 0 {
		return sd.Raw, nil
	}
	tmp := *sd
	tmp.FilterPipeline = pipe
	if err := tmp.DecodeWithLimit(int64(w)*int64(h)*4 + 1<<20); err != nil {
		return nil, err
	}
	return tmp.Content, nil
}

func decodeJPEG(data []byte, w, h int) (image.Image, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if cfg.Width != w || cfg.Height != h {
		return nil, fmt.Errorf("JPEG is %d×%d, the PDF says %d×%d", cfg.Width, cfg.Height, w, h)
	}
	return jpeg.Decode(bytes.NewReader(data))
}

func decodeCCITT(data []byte, parms types.Dict, w, h int) (image.Image, error) {
	k, cols, rows := 0, 1728, h
	blackIs1, align := false, false
	if parms != nil {
		k = dictIntOr(parms, "K", 0)
		cols = dictIntOr(parms, "Columns", 1728)
		rows = dictIntOr(parms, "Rows", h)
		blackIs1 = dictBool(parms, "BlackIs1")
		align = dictBool(parms, "EncodedByteAlign")
	}
	if k > 0 {
		return nil, errors.New("mixed 1D/2D CCITT (K > 0) is not supported")
	}
	if cols != w || rows != h {
		return nil, fmt.Errorf("CCITT is %d×%d, the image %d×%d", cols, rows, w, h)
	}
	sf := ccitt.Group4
	if k == 0 {
		sf = ccitt.Group3
	}
	dst := image.NewGray(image.Rect(0, 0, w, h))
	err := ccitt.DecodeIntoGray(dst, bytes.NewReader(data), ccitt.MSB, sf, &ccitt.Options{Align: align, Invert: blackIs1})
	return dst, err
}

func dictIntOr(d types.Dict, key string, def int) int {
	if v := d.IntEntry(key); v != nil {
		return *v
	}
	return def
}

func dictBool(d types.Dict, key string) bool {
	v := d.BooleanEntry(key)
	return v != nil && *v
}
