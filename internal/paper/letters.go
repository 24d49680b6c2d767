package paper

import (
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/kofu-oss/kofu/internal/paper/font"
	"github.com/kofu-oss/kofu/internal/paper/pdf"
	"github.com/kofu-oss/kofu/internal/qr"
)

// Person is one resident on a letter.
type Person struct {
	Name         string // as stored: 外字 still as private use code points
	NoticeNumber string // 交付通知書番号, A1B-123456
	BookingURL   string // the QR's text: the booking site with this notice number
}

// Letter is one page: to one resident, or to a household (one envelope per
// address) listing each person.
type Letter struct {
	Key        string // the caller's key, echoed in Result.Held
	PostalCode string
	Address    string
	Persons    []Person
}

// LetterBatch is what every letter of a batch shares.
type LetterBatch struct {
	Layout   LetterLayout
	Template Template
	City     string   // {{市区町村名}}, also printed as the sender
	Contact  string   // {{問い合わせ先}}: the office, telephone, hours
	Deadline string   // {{受取期限}}, as it should read: 令和9年3月31日
	Items    []string // {{持ち物}}, one a line
	SiteURL  string   // {{予約URL}}
	Gaiji    Gaiji    // the city's 外字 table
}

// geometry places a letter's parts on its paper, in mm and points.
type geometry struct {
	size                     pdf.Size
	margin                   float64
	addrX, addrY, addrW      float64 // the address block (the window on A4)
	addrH                    float64
	addrSize, nameSize       float64
	titleSize, bodySize      float64
	blockW, blockH, qrSide   float64 // one person's block: QR, name, number
	cols                     int
	twoSided                 bool // はがき: address on one side, message on the other
	blockNameSize, blockSize float64
}

func (l LetterLayout) geometry() geometry {
	if l.Paper == PaperHagaki {
		// The address side, then the message side: print them duplex.
		return geometry{size: pdf.Hagaki, twoSided: true, margin: 7, addrX: 12, addrY: 24, addrW: 76, addrH: 90,
			addrSize: 11, nameSize: 16, titleSize: 10, bodySize: 7.5,
			blockW: 43, blockH: 21, qrSide: 20, cols: 2, blockNameSize: 7, blockSize: 6}
	}
	return geometry{size: pdf.A4, margin: 20, addrX: l.WindowX + 4, addrY: l.WindowY + 4, addrW: l.WindowW - 8, addrH: l.WindowH - 8,
		addrSize: 10, nameSize: 13, titleSize: 16, bodySize: 10.5,
		blockW: 85, blockH: 34, qrSide: 30, cols: 2, blockNameSize: 10.5, blockSize: 9}
}

// RenderLetters writes one page per letter to w, in order, streaming:
// each page is written when it is drawn. Letters that cannot be printed
// as they are go to Result.Held with the reason. An invalid layout or
// template, or batch texts the font cannot print, are an error and
// nothing is written.
func RenderLetters(w io.Writer, b LetterBatch, letters iter.Seq[Letter]) (Result, error) {
	var res Result
	if err := b.Layout.Validate(); err != nil {
		return res, err
	}
	if err := b.Template.Validate(); err != nil {
		return res, err
	}
	f, err := font.Gothic()
	if err != nil {
		return res, err
	}
	shared := []field{{"市区町村名", b.City}, {"問い合わせ先", b.Contact}, {"受取期限", b.Deadline}, {"持ち物", strings.Join(b.Items, "")}, {"予約URL", b.SiteURL}}
	if _, reason := printable(f, nil, shared...); reason != "" {
		return res, fmt.Errorf("paper: %s", reason)
	}
	g := b.Layout.geometry()
	pw := pdf.New(w, f, pdf.Info{Title: b.Template.Title, Creator: "Kofu"})
	for l := range letters {
		page, reason := b.prepare(f, g, l)
		if reason != "" {
			res.Held = append(res.Held, Held{Key: l.Key, Reason: reason})
			continue
		}
		if g.twoSided {
			err = pw.Page(g.size, page.drawAddress)
			if err == nil {
				err = pw.Page(g.size, page.drawMessage)
			}
		} else {
			err = pw.Page(g.size, func(p *pdf.Page) { page.drawAddress(p); page.drawMessage(p) })
		}
		if err != nil {
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

// letterPage is a letter checked and laid out, ready to draw.
type letterPage struct {
	f        *font.Font
	g        geometry
	b        *LetterBatch
	addr     [][]font.Glyph // postal code, address and name lines
	nameFrom int            // the first name line of addr
	nameSize float64
	body     [][]font.Glyph
	people   []personBlock
}

type personBlock struct {
	name, notice []font.Glyph
	code         *qr.Code
}

// prepare checks a letter and lays it out, or returns why it is held.
func (b *LetterBatch) prepare(f *font.Font, g geometry, l Letter) (*letterPage, string) {
	switch {
	case strings.TrimSpace(l.PostalCode) == "":
		return nil, "郵便番号がありません。"
	case strings.TrimSpace(l.Address) == "":
		return nil, "住所がありません。"
	case len(l.Persons) == 0:
		return nil, "あて先の人がいません。"
	}
	fields := []field{{"郵便番号", l.PostalCode}, {"住所", l.Address}}
	for _, p := range l.Persons {
		switch {
		case strings.TrimSpace(p.Name) == "":
			return nil, "氏名がありません。"
		case strings.TrimSpace(p.NoticeNumber) == "":
			return nil, fmt.Sprintf("%sの交付通知書番号がありません。", p.Name)
		case p.BookingURL == "":
			return nil, fmt.Sprintf("%sの予約用 URL がありません。", p.Name)
		}
		fields = append(fields, field{"氏名", p.Name}, field{"交付通知書番号", p.NoticeNumber})
	}
	texts, reason := printable(f, b.Gaiji, fields...)
	if reason != "" {
		return nil, reason
	}
	postal, address := texts[0], texts[1]
	var names, notices []string
	for i := range l.Persons {
		names = append(names, texts[2+2*i])
		notices = append(notices, texts[3+2*i])
	}

	lp := &letterPage{f: f, g: g, b: b}
	lp.addr = append(lp.addr, glyphs(f, "〒"+postal))
	lp.addr = append(lp.addr, wrap(f, address, g.addrSize, g.addrW)...)
	lp.nameFrom = len(lp.addr)
	lp.nameSize = g.nameSize
	if len(names) > 1 {
		lp.nameSize = g.addrSize + 1
	}
	fits := func(nameLines [][]font.Glyph) bool {
		return float64(lp.nameFrom)*lineHeight(g.addrSize)+float64(len(nameLines))*lineHeight(lp.nameSize) <= g.addrH
	}
	var nameLines [][]font.Glyph
	for _, n := range names {
		nameLines = append(nameLines, wrap(f, n+" 様", lp.nameSize, g.addrW)...)
	}
	if !fits(nameLines) && len(names) > 1 {
		// A large household: the first name and a count; the blocks below list everyone.
		nameLines = wrap(f, fmt.Sprintf("%s 様 ほか %d 名様", names[0], len(names)-1), lp.nameSize, g.addrW)
	}
	if !fits(nameLines) {
		return nil, "住所と氏名があて名の枠（封筒の窓）に収まりません。"
	}
	lp.addr = append(lp.addr, nameLines...)

	items := make([]string, len(b.Items))
	for i, it := range b.Items {
		items[i] = "・" + it
	}
	body := fill(b.Template.Body, map[string]string{
		PName: strings.Join(names, " 様、"), PNotice: strings.Join(notices, "、"), PDeadline: b.Deadline,
		PItems: strings.Join(items, "\n"), PURL: b.SiteURL, PContact: b.Contact, PCity: b.City,
		PPostal: postal, PAddress: address,
	})
	lp.body = wrap(f, body, g.bodySize, g.size.W-2*g.margin)

	for i, p := range l.Persons {
		code, err := qr.Encode(p.BookingURL, qr.Medium)
		if err != nil {
			return nil, fmt.Sprintf("%sの予約用 URL が長すぎて二次元コードにできません。", names[i])
		}
		lp.people = append(lp.people, personBlock{
			name: glyphs(f, names[i]+" 様"), notice: glyphs(f, "交付通知書番号 "+notices[i]), code: code})
	}
	if lp.bodyTop()+linesHeight(lp.body, g.bodySize) > lp.blocksTop() {
		return nil, "文面と人数分の二次元コードが 1 枚に収まりません。"
	}
	return lp, ""
}

func (lp *letterPage) titleY() float64 {
	top := lp.g.addrY + lp.g.addrH + 4 // below the window
	if lp.g.twoSided {
		top = lp.g.margin
	}
	return top + lp.g.titleSize*ptToMM*1.5
}

func (lp *letterPage) bodyTop() float64 { return lp.titleY() + lineHeight(lp.g.titleSize) + 2 }

func (lp *letterPage) blocksTop() float64 {
	rows := (len(lp.people) + lp.g.cols - 1) / lp.g.cols
	return lp.g.size.H - lp.g.margin - float64(rows)*lp.g.blockH
}

// drawAddress draws the postal code, address and names, and the sender.
func (lp *letterPage) drawAddress(p *pdf.Page) {
	f, g := lp.f, lp.g
	y := g.addrY + g.addrSize*ptToMM
	for i, l := range lp.addr {
		size := g.addrSize
		if i >= lp.nameFrom {
			size = lp.nameSize
		}
		p.Text(g.addrX, y, size, l)
		y += lineHeight(size)
	}
	city := glyphs(f, lp.b.City)
	if g.twoSided { // bottom left of the address side
		p.Text(g.margin+2, g.size.H-g.margin-lineHeight(8), 8, city)
		return
	}
	p.Text(g.size.W-g.margin-textWidth(f, city, 10.5), g.addrY+4, 10.5, city)
}

// drawMessage draws the title, the body and each person's block.
func (lp *letterPage) drawMessage(p *pdf.Page) {
	f, g := lp.f, lp.g
	// Title, centred.
	title := glyphs(f, lp.b.Template.Title)
	p.Text((g.size.W-textWidth(f, title, g.titleSize))/2, lp.titleY(), g.titleSize, title)
	drawLines(p, g.margin, lp.bodyTop(), g.bodySize, lp.body)
	// One block per person: QR on the left, name and number beside it.
	top := lp.blocksTop()
	for i, pb := range lp.people {
		x := g.margin + float64(i%g.cols)*g.blockW
		by := top + float64(i/g.cols)*g.blockH
		drawQR(p, pb.code, x, by, g.qrSide)
		tx := x + g.qrSide + 2
		p.Text(tx, by+6, g.blockNameSize, pb.name)
		p.Text(tx, by+6+lineHeight(g.blockNameSize), g.blockSize, pb.notice)
		p.Text(tx, by+6+lineHeight(g.blockNameSize)+lineHeight(g.blockSize), g.blockSize, glyphs(f, "読み取ると予約画面が開きます"))
	}
}

// drawQR draws a QR code as vector squares, side mm including the quiet
// zone, its top-left corner at x, y.
func drawQR(p *pdf.Page, c *qr.Code, x, y, side float64) {
	m := side / float64(c.Size()+2*qr.QuietZone)
	c.Runs(func(cx, cy, n int) {
		p.Rect(x+float64(cx+qr.QuietZone)*m, y+float64(cy+qr.QuietZone)*m, float64(n)*m, m)
	})
	p.Fill()
}
