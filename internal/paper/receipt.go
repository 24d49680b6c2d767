package paper

import (
	"image"
	"image/color"
	"io"

	"github.com/kofu-oss/kofu/internal/paper/font"
	"github.com/kofu-oss/kofu/internal/paper/pdf"
	"github.com/kofu-oss/kofu/internal/qr"
)

// ReceiptTitle is the form's name, printed at the top of each page.
const ReceiptTitle = "交付受付確認票"

// Receipt is one person's 交付受付確認票: one A4 page.
type Receipt struct {
	Name, Kana   string // as stored: 外字 still as private use code points
	BirthDate    string
	NoticeNumber string
	Booking      string // 予約番号 and time: "ABCD-EFGH 2026-12-08 10:00"
	Place        string
	Comes        string // who the booking said would come, as a label
	Items        []ReceiptItem
	Brought      []string
	// Signature is the resident's signature from the tablet, drawn in the
	// signature box; nil leaves the box empty for a pen.
	Signature image.Image
	SignedAt  string // when it was signed, as it should read
	Code      string // the QR code's text (document.FormCode): the scanner inbox files the scanned page by it
}

// ReceiptItem is one line the resident confirms.
type ReceiptItem struct {
	Label  string
	Ticked bool
}

// receipt page geometry, mm.
const (
	rcMargin             = 20.0
	rcQRSide             = 28.0
	rcSigW, rcSigH       = 110.0, 34.0
	rcTitleSize          = 18.0
	rcSize, rcSmall      = 11.0, 8.5
	rcBox                = 3.6 // a tick box's side
	rcSigCols, rcSigRows = 330, 102
)

// UnprintableError says why a form cannot be printed: an unmapped 外字, or
// a character the font lacks (Reason is Japanese, for staff).
type UnprintableError struct{ Reason string }

func (e *UnprintableError) Error() string { return "paper: " + e.Reason }

// RenderReceipts writes one page per receipt, headed by the city's name.
// A name the font or the city's 外字 table cannot print is an error: the
// clerk uses the paper form and writes it by hand.
func RenderReceipts(w io.Writer, city string, gaiji Gaiji, receipts []Receipt) (Result, error) {
	var res Result
	f, err := font.Gothic()
	if err != nil {
		return res, err
	}
	type page struct {
		r     Receipt
		texts []string
		code  *qr.Code
	}
	var pages []page
	for _, r := range receipts {
		fields := []field{{"市区町村名", city}, {"氏名", r.Name}, {"ふりがな", r.Kana}, {"生年月日", r.BirthDate},
			{"交付通知書番号", r.NoticeNumber}, {"予約", r.Booking}, {"場所", r.Place}, {"来庁する方", r.Comes}}
		for _, it := range r.Items {
			fields = append(fields, field{"確認事項", it.Label})
		}
		for _, d := range r.Brought {
			fields = append(fields, field{"持参した書類", d})
		}
		texts, reason := printable(f, gaiji, fields...)
		if reason != "" {
			return res, &UnprintableError{Reason: reason}
		}
		code, err := qr.Encode(r.Code, qr.Medium)
		if err != nil {
			return res, err
		}
		pages = append(pages, page{r: r, texts: texts, code: code})
	}
	pw := pdf.New(w, f, pdf.Info{Title: ReceiptTitle, Creator: "Kofu"})
	for _, pg := range pages {
		if err := pw.Page(pdf.A4, func(p *pdf.Page) { drawReceipt(p, f, pg.r, pg.texts, pg.code) }); err != nil {
			return res, err
		}
		res.Printed++
	}
	if err := pw.Close(); err != nil {
		return res, err
	}
	res.Pages = pw.Pages()
	return res, nil
}

// drawReceipt lays out one page; texts are the checked fields in the
// order RenderReceipts listed them.
func drawReceipt(p *pdf.Page, f *font.Font, r Receipt, texts []string, code *qr.Code) {
	w := pdf.A4.W
	city := glyphs(f, texts[0])
	p.Text(rcMargin, rcMargin+4, rcSize, city)
	title := glyphs(f, ReceiptTitle)
	p.Text((w-textWidth(f, title, rcTitleSize))/2, rcMargin+16, rcTitleSize, title)
	drawQR(p, code, w-rcMargin-rcQRSide, rcMargin-4, rcQRSide)

	y := rcMargin + 36.0
	rows := [][2]string{{"氏名", texts[1]}, {"ふりがな", texts[2]}, {"生年月日", texts[3]}, {"交付通知書番号", texts[4]},
		{"予約", texts[5]}, {"場所", texts[6]}, {"来庁する方", texts[7]}}
	for _, row := range rows {
		if row[1] == "" {
			continue
		}
		p.Text(rcMargin, y, rcSize, glyphs(f, row[0]))
		p.Text(rcMargin+38, y, rcSize, glyphs(f, row[1]))
		p.Line(rcMargin, y+2, w-rcMargin, y+2, 0.2)
		y += lineHeight(rcSize) + 2
	}

	y += 4
	p.Text(rcMargin, y, rcSize, glyphs(f, "確認事項（職員がお尋ねします）"))
	y += lineHeight(rcSize) + 1
	next := 8
	for _, it := range r.Items {
		drawTickBox(p, rcMargin, y-rcBox+0.6, it.Ticked)
		lines := wrap(f, texts[next], rcSize, w-2*rcMargin-rcBox-3)
		drawLines(p, rcMargin+rcBox+3, y, rcSize, lines)
		y += linesHeight(lines, rcSize) + 1.5
		next++
	}
	if len(r.Brought) > 0 {
		y += 2
		list := ""
		for i := range r.Brought {
			if i > 0 {
				list += "、"
			}
			list += texts[next+i]
		}
		lines := wrap(f, "持参した本人確認書類: "+list, rcSize, w-2*rcMargin)
		drawLines(p, rcMargin, y, rcSize, lines)
		y += linesHeight(lines, rcSize)
	}

	y += 6
	p.Text(rcMargin, y, rcSize, glyphs(f, "署名"))
	sx, sy := rcMargin+20, y-5
	drawFrame(p, sx, sy, rcSigW, rcSigH)
	if r.Signature != nil {
		drawSignature(p, r.Signature, sx+1, sy+1, rcSigW-2, rcSigH-2)
		p.Text(sx, sy+rcSigH+5, rcSmall, glyphs(f, "窓口のタブレットで署名 "+r.SignedAt))
	}
	y = sy + rcSigH + 14
	for _, l := range []string{"暗証番号は、窓口の暗証番号入力端末にご自身で入力してください。この確認票には書かないでください。",
		"この確認票は、右上の二次元コードで該当するカードの書類として保存されます。"} {
		p.Text(rcMargin, y, rcSmall, glyphs(f, l))
		y += lineHeight(rcSmall)
	}
}

// drawTickBox draws a tick box, filled inside when ticked.
func drawTickBox(p *pdf.Page, x, y float64, ticked bool) {
	drawFrame(p, x, y, rcBox, rcBox)
	if ticked {
		p.Rect(x+0.8, y+0.8, rcBox-1.6, rcBox-1.6)
		p.Fill()
	}
}

// drawFrame draws a rectangle's outline.
func drawFrame(p *pdf.Page, x, y, w, h float64) {
	p.Line(x, y, x+w, y, 0.3)
	p.Line(x, y+h, x+w, y+h, 0.3)
	p.Line(x, y, x, y+h, 0.3)
	p.Line(x+w, y, x+w, y+h, 0.3)
}

// drawSignature draws a signature picture as filled runs of a grid
// sampled from it (the PDF writer has no images; a signature is strokes
// on white, which runs of cells render faithfully at print resolution),
// fitted into the box keeping its proportions.
func drawSignature(p *pdf.Page, img image.Image, x, y, w, h float64) {
	b := img.Bounds()
	if b.Dx() == 0 || b.Dy() == 0 {
		return
	}
	scale := min(w/float64(b.Dx()), h/float64(b.Dy()))
	cols, rows := min(rcSigCols, b.Dx()), min(rcSigRows, b.Dy())
	cw, ch := float64(b.Dx())*scale/float64(cols), float64(b.Dy())*scale/float64(rows)
	for r := range rows {
		run := 0
		flush := func(c int) {
			if run > 0 {
				p.Rect(x+float64(c-run)*cw, y+float64(r)*ch, float64(run)*cw, ch)
				run = 0
			}
		}
		for c := range cols {
			if inkAt(img, b, c, r, cols, rows) {
				run++
			} else {
				flush(c)
			}
		}
		flush(cols)
	}
	p.Fill()
}

// inkAt tells whether the grid cell (c, r) holds ink: any dark pixel of
// the picture's pixels under it, sampled on a 3 × 3 grid.
func inkAt(img image.Image, b image.Rectangle, c, r, cols, rows int) bool {
	for dy := range 3 {
		for dx := range 3 {
			px := b.Min.X + (c*3+dx)*b.Dx()/(cols*3)
			py := b.Min.Y + (r*3+dy)*b.Dy()/(rows*3)
			if DarkOnWhite(img.At(px, py)) {
				return true
			}
		}
	}
	return false
}

// DarkOnWhite tells whether a pixel reads as ink on white paper (a
// transparent pixel is paper).
func DarkOnWhite(c color.Color) bool {
	r, g, bl, a := c.RGBA()
	lum := (299*(r+0xffff-a) + 587*(g+0xffff-a) + 114*(bl+0xffff-a)) / 1000
	return lum < 0x8000
}
