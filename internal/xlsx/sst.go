package xlsx

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// readSharedStrings loads the shared strings table, if the workbook has
// one: the text of each item, without its phonetic (furigana) runs.
func (b *Book) readSharedStrings() error {
	const name = "xl/sharedStrings.xml"
	if _, ok := b.parts[strings.ToLower(name)]; !ok {
		return nil
	}
	rc, err := b.open(name, b.lim.SharedStrings, "xlsx_unzipped_too_large")
	if err != nil {
		return err
	}
	defer rc.Close()
	var all strings.Builder // every string, one after the other: one allocation
	all.Grow(int(b.parts[strings.ToLower(name)].UncompressedSize64))
	defer func() { b.sst.text = all.String() }()
	d := decoder(rc)
	var t text
	depth, inSI := 0, false
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return broken(name, err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if depth++; depth > maxDepth {
				return broken(name, errDepth)
			}
			if e.Name.Local == "si" {
				inSI = true
				t.reset()
			} else if inSI {
				t.start(e.Name.Local)
			}
		case xml.EndElement:
			depth--
			if e.Name.Local == "si" && inSI {
				inSI = false
				s := t.String()
				if utf8.RuneCountInString(s) > b.lim.CellChars {
					return &Error{Code: "xlsx_cell_too_long", Reason: fmt.Sprintf(
						"Excel ブックの %d 番目の文字列が %d 文字を超えています（1 つのセルに入る文字数の上限）", len(b.sst.ends)+1, b.lim.CellChars)}
				}
				all.WriteString(s)
				b.sst.ends = append(b.sst.ends, uint32(all.Len()))
			} else if inSI {
				t.end(e.Name.Local)
			}
		case xml.CharData:
			if inSI && !t.add(e, b.lim.CellChars) {
				return &Error{Code: "xlsx_cell_too_long", Reason: fmt.Sprintf(
					"Excel ブックの %d 番目の文字列が %d 文字を超えています（1 つのセルに入る文字数の上限）", len(b.sst.ends)+1, b.lim.CellChars)}
			}
		}
	}
}

// text collects the characters of <t> elements, leaving out phonetic runs
// (<rPh>: the reading Japanese Excel keeps beside a name).
type text struct {
	b        strings.Builder
	inT      bool
	phonetic int
}

func (t *text) reset() { t.b.Reset(); t.inT = false; t.phonetic = 0 }

func (t *text) start(local string) {
	switch local {
	case "t":
		t.inT = true
	case "rPh":
		t.phonetic++
	}
}

func (t *text) end(local string) {
	switch local {
	case "t":
		t.inT = false
	case "rPh":
		t.phonetic--
	}
}

// add keeps c if it is part of the value; false once the value holds
// more bytes than chars characters can take.
func (t *text) add(c xml.CharData, chars int) bool {
	if t.inT && t.phonetic == 0 {
		t.b.Write(c)
	}
	return t.b.Len() <= chars*utf8.UTFMax
}

func (t *text) String() string { return unescape(t.b.String()) }

// unescape decodes the _xHHHH_ escapes OOXML uses for characters XML
// cannot hold (_x000D_ for a carriage return); _x005F_ escapes an
// underscore.
func unescape(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "_x")
		if i < 0 || len(s) < i+7 {
			break
		}
		r, ok := hex4(s[i+2 : i+6])
		if !ok || s[i+6] != '_' {
			b.WriteString(s[:i+2])
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		b.WriteRune(r)
		s = s[i+7:]
	}
	b.WriteString(s)
	return b.String()
}

func hex4(s string) (rune, bool) {
	var r rune
	for _, c := range []byte(s) {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// sharedStrings is the table of shared strings kept as one string and the
// end of each item in it: a table of millions of short items costs its
// text and four bytes an item, not a string header and an allocation each.
type sharedStrings struct {
	text string
	ends []uint32
}

func (t *sharedStrings) len() int { return len(t.ends) }

func (t *sharedStrings) at(i int) string {
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.text[start:t.ends[i]]
}
