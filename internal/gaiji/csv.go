package gaiji

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/moji"
)

// ParseCSV reads a 外字 table in the format of the city's file:
// コード,文字,備考 with codes like U+E000, in UTF-8 (with or without BOM) or
// CP932. Every bad line is reported; nothing is taken from a bad file.
func ParseCSV(r io.Reader) ([]Entry, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxCSV+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxCSV {
		return nil, apperr.New(apperr.Invalid, "外字表のファイルが大きすぎます (4 MB まで)。")
	}
	text, err := decode(raw)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	var out []Entry
	var fe apperr.Fields
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, apperr.New(apperr.Invalid, fmt.Sprintf("%d 行目を CSV として読めません。", line))
		}
		if line == 1 && isHeader(rec) {
			continue
		}
		e, err := entryOf(rec)
		if err != nil {
			fe.Add(fmt.Sprintf("%d 行目", line), err.Error())
			continue
		}
		out = append(out, e)
	}
	if len(fe) > 0 {
		return nil, apperr.WithFields("外字表に誤りがあります。どの行も登録していません。", fe)
	}
	return out, nil
}

func decode(raw []byte) (string, error) {
	enc, err := moji.DetectEncoding(raw)
	if err != nil {
		return "", apperr.Wrap(apperr.Invalid, err.Error(), err)
	}
	if enc == moji.CP932 {
		s, _, err := moji.DecodeCP932(raw)
		if err != nil {
			return "", apperr.Wrap(apperr.Invalid, err.Error(), err)
		}
		return s, nil
	}
	return strings.TrimPrefix(string(raw), moji.BOM), nil
}

// maxCSV bounds a 外字 table file; a city's table has hundreds of lines.
const maxCSV = 4 << 20

// isHeader reports whether the first line names the columns rather than
// holding a code (U+E000 or E000).
func isHeader(rec []string) bool {
	_, err := ParseCode(rec[0])
	return err != nil && !strings.ContainsAny(rec[0], "0123456789")
}

func entryOf(rec []string) (Entry, error) {
	if len(rec) < 2 {
		return Entry{}, errors.New("コードと文字の 2 列が必要です")
	}
	cp, err := ParseCode(rec[0])
	if err != nil {
		return Entry{}, err
	}
	e := Entry{CodePoint: cp, Text: strings.TrimSpace(rec[1])}
	if len(rec) > 2 {
		e.Note = strings.TrimSpace(rec[2])
	}
	return e, validate(e)
}

// LoadCSV parses a table and stores it (all lines or none).
func (s *Service) LoadCSV(ctx context.Context, p auth.Principal, m auth.Meta, r io.Reader) (int, error) {
	entries, err := ParseCSV(r)
	if err != nil {
		return 0, err
	}
	return len(entries), s.Put(ctx, p, m, entries)
}
