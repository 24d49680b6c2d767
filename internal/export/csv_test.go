package export

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/moji"
)

func TestUTF8ExportHasBOMAndNeutralisedCells(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, UTF8)
	w.Header([]string{"氏名", "備考"})
	w.Row([]string{"髙橋 𠮷子", "=1+1"})
	w.Row([]string{"葛\U000E0100城", "@SUM(A1)"})
	w.Row([]string{"-1000", "-1+cmd|' /C calc'!A0"})
	out := buf.String()
	if !strings.HasPrefix(out, "\ufeff") {
		t.Fatal("UTF-8 export must start with a BOM for Excel")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[1][0] != "髙橋 𠮷子" || rows[1][1] != "'=1+1" || rows[2][0] != "葛\U000E0100城" || rows[2][1] != "'@SUM(A1)" ||
		rows[3][0] != "-1000" || rows[3][1] != "'-1+cmd|' /C calc'!A0" {
		t.Fatalf("rows: %q", rows)
	}
}

func TestCP932ExportReportsWhatItCannotWrite(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, CP932)
	w.Header([]string{"氏名"})
	w.Row([]string{"髙橋　𠮷子"})
	w.Row([]string{"山田〜花子"}) // wave dash: a look-alike CP932 can hold
	text, _, err := moji.DecodeCP932(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][1] != "出力できなかった文字" {
		t.Fatalf("header: %q", rows[0])
	}
	if rows[1][0] != "髙橋　〓子" || !strings.Contains(rows[1][1], "U+20BB7") {
		t.Fatalf("𠮷 must be written as 〓 and reported: %q", rows[1])
	}
	if rows[2][0] != "山田～花子" || rows[2][1] != "" {
		t.Fatalf("〜 maps to its CP932 look-alike without a report: %q", rows[2])
	}
	if strings.Contains(text, "?") {
		t.Fatal("never a silent '?'")
	}
}
