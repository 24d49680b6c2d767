package xlsx

import (
	"bytes"
	"fmt"
	"io"
)

// guard bounds every XML token of a part before the decoder sees it: the
// bytes between two '<' hold at most one tag and one text, so bounding
// them bounds what the decoder buffers. Comments, CDATA sections, DTDs
// ("<!") and processing instructions past the XML declaration ("<?"),
// which may hold '<' and which spreadsheet programs do not write in
// these parts, are refused.
type guard struct {
	r    io.Reader
	part string
	pos  int64 // bytes read before the current chunk
	run  int   // bytes since the last '<'
	lt   bool  // the previous chunk ended with '<'
}

// declBytes is how far into a part the XML declaration (<?xml ...?>) may
// start: after a byte order mark at most.
const declBytes = 4

func (g *guard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	b := p[:n]
	if g.lt && len(b) > 0 && !g.allowed(b[0], g.pos) {
		return 0, g.refuse()
	}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '<')
		if i < 0 {
			g.run += len(b)
			g.lt = false
			break
		}
		g.run += i
		if g.run > tokenBytes {
			break
		}
		g.run = 0
		b = b[i+1:]
		at := g.pos + int64(n-len(b))
		if len(b) > 0 && !g.allowed(b[0], at) {
			return 0, g.refuse()
		}
		g.lt = len(b) == 0
	}
	g.pos += int64(n)
	if g.run > tokenBytes {
		return 0, &Error{Code: "xlsx_cell_too_long", Reason: fmt.Sprintf(
			"Excel ブックの %s に、1 つのセルには入りきらない長さ（%d KB を超える）の文字列があります", g.part, tokenBytes>>10)}
	}
	return n, err
}

// allowed tells whether the byte after a '<' found at offset at is one
// the guard lets through.
func (g *guard) allowed(c byte, at int64) bool {
	return c != '!' && (c != '?' || at <= declBytes+1)
}

func (g *guard) refuse() error {
	return &Error{Code: "xlsx_broken", Reason: fmt.Sprintf(
		"Excel ブックの %s に、表計算ソフトが書かない XML（<!...> や <?...?>）があるため読めません。Excel で開いて保存し直してください", g.part)}
}
