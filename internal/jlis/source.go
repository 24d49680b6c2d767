package jlis

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/moji"
)

const (
	// detectBytes is how much of the file encoding detection looks at.
	detectBytes = 64 << 10
	// maxLineBytes bounds one physical line, so a file without line feeds
	// (a binary file that got through) cannot take all memory.
	maxLineBytes = 1 << 20
)

// rawLine is a physical line handed to the CSV parser and not yet claimed
// by a record.
type rawLine struct {
	num int    // physical line number, from 1
	end int64  // offset just after this line in the decoded stream
	raw []byte // bytes as in the file, line terminator included
}

// lineSource reads the file line by line, keeps each line's raw bytes, and
// hands the decoded UTF-8 text to encoding/csv. Line feeds are never part
// of a multibyte character in UTF-8 or CP932, so splitting the raw bytes
// at '\n' is safe before decoding.
type lineSource struct {
	br      *bufio.Reader
	enc     moji.Encoding
	decided bool      // false while the file has shown only ASCII
	pending []byte    // decoded bytes not yet read by the parser
	buf     []byte    // backing array reused for pending
	lines   []rawLine // lines read by the parser, oldest first
	decoded int64     // bytes of decoded text produced so far
	lineNo  int
	err     error // io.EOF, a read error or a *FileError; sticky
}

// newLineSource detects the encoding on the first detectBytes of r.
func newLineSource(r io.Reader) (*lineSource, error) {
	br := bufio.NewReaderSize(r, detectBytes)
	prefix, err := br.Peek(detectBytes)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("jlis: reading the file: %w", err)
	}
	if len(prefix) == 0 {
		return nil, fileError(0, "empty_file", "ファイルが空です")
	}
	sample, enc, err := detect(prefix, err == io.EOF)
	if err != nil {
		return nil, encodingError(0, err)
	}
	// An ASCII-only start says nothing yet: a CP932 file may hold its first
	// kanji after 64 KiB. Decide at the first non-ASCII line instead.
	decided := enc == moji.UTF8BOM || !isASCII(sample)
	return &lineSource{br: br, enc: enc, decided: decided}, nil
}

// detect runs encoding detection on b, the whole rest of the file when
// complete, else a prefix that is cut after its last line feed so that no
// character is cut in two. It returns the bytes it judged by.
func detect(b []byte, complete bool) ([]byte, moji.Encoding, error) {
	if complete {
		enc, err := moji.DetectEncoding(b)
		return b, enc, err
	}
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[:i+1]
	}
	enc, err := moji.DetectEncodingPrefix(b)
	return b, enc, err
}

// Read gives the parser decoded text, at most one line per call.
func (s *lineSource) Read(p []byte) (int, error) {
	for len(s.pending) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		s.fill()
	}
	n := copy(p, s.pending)
	s.pending = s.pending[n:]
	return n, nil
}

// fatal returns the error that stopped reading, if it was not the end.
func (s *lineSource) fatal() error {
	if s.err == nil || s.err == io.EOF {
		return nil
	}
	return s.err
}

func (s *lineSource) fill() {
	line, err := s.readLine()
	if len(line) > 0 {
		s.lineNo++
		dec, derr := s.decode(line)
		if derr != nil {
			s.err = derr
			return
		}
		s.decoded += int64(len(dec))
		s.lines = append(s.lines, rawLine{num: s.lineNo, end: s.decoded, raw: line})
		s.pending = append(s.buf[:0], dec...)
		s.buf = s.pending
	}
	if err != nil {
		s.err = err
	}
}

// readLine returns the next physical line with its terminator, as a copy
// the caller may keep.
func (s *lineSource) readLine() ([]byte, error) {
	var line []byte
	for {
		chunk, err := s.br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxLineBytes {
			return nil, fileError(s.lineNo+1, "line_too_long",
				fmt.Sprintf("1行が%dバイトを超えています。CSVファイルか確かめてください", maxLineBytes))
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			if err != nil && err != io.EOF {
				err = fmt.Errorf("jlis: reading the file: %w", err)
			}
			return line, err
		}
	}
}

// decode turns one raw line into UTF-8, failing at the line if it does not
// fit the encoding detected so far.
func (s *lineSource) decode(line []byte) ([]byte, error) {
	if s.lineNo == 1 && s.enc == moji.UTF8BOM {
		line = bytes.TrimPrefix(line, []byte(moji.BOM))
	}
	if bytes.IndexByte(line, 0) >= 0 {
		return nil, fileError(s.lineNo, "binary", "NUL文字を含んでいます。テキストのCSVファイルではありません")
	}
	if isASCII(line) {
		return line, nil
	}
	if !s.decided {
		if err := s.decideLate(line); err != nil {
			return nil, err
		}
	}
	if s.enc == moji.CP932 {
		text, _, err := moji.DecodeCP932(line)
		if err != nil {
			return nil, encodingError(s.lineNo, err)
		}
		return []byte(text), nil
	}
	if !utf8.Valid(line) {
		return nil, fileError(s.lineNo, "encoding",
			"UTF-8として正しくない文字があります。文字コードが途中で変わっていないか確かめてください")
	}
	return line, nil
}

// decideLate detects the encoding at the first non-ASCII line, on that line
// and what follows it, as the start of the file could not tell.
func (s *lineSource) decideLate(line []byte) error {
	ahead, err := s.br.Peek(detectBytes)
	sample := append(append(make([]byte, 0, len(line)+len(ahead)), line...), ahead...)
	_, enc, err := detect(sample, err == io.EOF)
	if err != nil {
		return encodingError(s.lineNo, err)
	}
	s.enc, s.decided = enc, true
	return nil
}

// claim removes and returns the raw bytes of the lines the parser has fully
// consumed up to offset, starting at physical line from (earlier lines are
// blank lines the parser skipped). The final line terminator is dropped.
func (s *lineSource) claim(offset int64, from int) []byte {
	var raw []byte
	n, parts := 0, 0
	for ; n < len(s.lines) && s.lines[n].end <= offset; n++ {
		if s.lines[n].num < from {
			continue
		}
		if parts == 0 {
			raw = s.lines[n].raw // the usual one-line record: no copy
		} else {
			raw = append(raw[:len(raw):len(raw)], s.lines[n].raw...)
		}
		parts++
	}
	s.lines = append(s.lines[:0], s.lines[n:]...)
	return trimEOL(raw)
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// encoding returns the encoding in use; a file that has shown only ASCII so
// far reads as UTF-8.
func (s *lineSource) encoding() moji.Encoding { return s.enc }
