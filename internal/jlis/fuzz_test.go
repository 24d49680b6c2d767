package jlis

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzReader reads whatever it is given as a delivery list: it never
// panics, every row it returns is checked, and a file it cannot read is
// refused with a coded *FileError. The seeds hold the hostile CSV of issue
// #14 (every line rejected), a long line, a NUL, a change of encoding.
func FuzzReader(f *testing.F) {
	header := "申請書ID,交付通知書番号,氏名,氏名カナ,生年月日,性別,住所\n"
	var rejects strings.Builder
	rejects.WriteString(header)
	for i := range 200 {
		rejects.WriteString(strings.Repeat("0", 22) + string(rune('0'+i%10)) + ",,山田\u3000太郎,ヤマダ\u3000タロウ,不明,男,兵庫県三田市\n")
	}
	for _, seed := range []string{
		rejects.String(),
		header + "12345678901234567890123,AB1-123456,𠮷田\u3000花子,ヨシダ\u3000ハナコ,昭和45年3月1日,女,兵庫県三田市\n",
		header + "\"unterminated,1,2\n",
		header + strings.Repeat("x", 4096) + "\n",
		header + "1,\x00,2\n",
		"\xef\xbb\xbf" + header + "1,2,3,4,5,6,7\n",
		"\x90\x5c\x90\xbf\x8f\x91ID\r\n\x82\xa0,1\r\n", // CP932
	} {
		f.Add([]byte(seed))
	}
	today := Date{Year: 2026, Month: 12, Day: 31}
	f.Fuzz(func(t *testing.T, content []byte) {
		rd, err := NewReader(bytes.NewReader(content), Options{Today: today})
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.Code == "" || fe.Reason == "" {
				t.Fatalf("uncoded error %v", err)
			}
			return
		}
		for n := 0; ; n++ {
			row, err := rd.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var fe *FileError
				if !errors.As(err, &fe) || fe.Code == "" {
					t.Fatalf("uncoded error %v", err)
				}
				return
			}
			if n > len(content) {
				t.Fatalf("more rows than bytes")
			}
			for _, p := range row.Problems {
				if p.Code == "" || p.Reason == "" || p.Line != row.Line {
					t.Fatalf("problem %+v of row %d", p, row.Line)
				}
			}
		}
	})
}
