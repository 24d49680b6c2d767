package jlis

import (
	"bytes"
	"fmt"
	"slices"
)

// redact blanks the 個人番号 fields in a row's raw bytes: those of dropped
// columns, and values in unmapped columns that look like a 個人番号. If the
// raw bytes cannot be split into the same fields the parser found, nothing
// of them is kept rather than risk keeping the number.
func (rd *Reader) redact(raw []byte, rec []string, line int) []byte {
	cols := rd.dropped[:len(rd.dropped):len(rd.dropped)] // appending must not touch rd.dropped
	for _, i := range rd.unknown {
		if i < len(rec) && looksLikePersonalNumber(rec[i]) {
			cols = append(cols, i)
			rd.warnGuarded(i, line)
		}
	}
	if len(cols) == 0 {
		return raw
	}
	spans, ok := fieldSpans(raw)
	if !ok || len(spans) != len(rec) {
		return nil
	}
	return blankSpans(raw, spans, cols)
}

func (rd *Reader) warnGuarded(i, line int) {
	if rd.guarded[i] {
		return
	}
	rd.guarded[i] = true
	h := rd.columns[i].Header
	rd.warn(line, "personal_number_suspected", h,
		fmt.Sprintf("列「%s」に個人番号と思われる値があるため、元データから消去しました（この行以降も同様）", h))
}

// fieldSpans splits one CSV record of raw bytes into field byte ranges,
// quotes included. It works on CP932 as well as UTF-8: the bytes ',' '"'
// and '\n' are never part of a multibyte character in either.
func fieldSpans(raw []byte) ([][2]int, bool) {
	var spans [][2]int
	for i := 0; ; i++ { // i++ skips the comma
		start := i
		if i < len(raw) && raw[i] == '"' {
			end, ok := quotedEnd(raw, i)
			if !ok || (end < len(raw) && raw[end] != ',') {
				return nil, false
			}
			i = end
		} else if j := bytes.IndexByte(raw[i:], ','); j >= 0 {
			i += j
		} else {
			i = len(raw)
		}
		spans = append(spans, [2]int{start, i})
		if i >= len(raw) {
			return spans, true
		}
	}
}

// quotedEnd returns the index just after the closing quote of the quoted
// field starting at raw[start].
func quotedEnd(raw []byte, start int) (int, bool) {
	for i := start + 1; i < len(raw); i++ {
		if raw[i] != '"' {
			continue
		}
		if i+1 < len(raw) && raw[i+1] == '"' {
			i++ // an escaped quote
			continue
		}
		return i + 1, true
	}
	return 0, false
}

// blankSpans copies raw with the fields at cols emptied.
func blankSpans(raw []byte, spans [][2]int, cols []int) []byte {
	out := make([]byte, 0, len(raw))
	prev := 0
	for i, sp := range spans {
		if slices.Contains(cols, i) {
			out = append(out, raw[prev:sp[0]]...)
			prev = sp[1]
		}
	}
	return append(out, raw[prev:]...)
}
