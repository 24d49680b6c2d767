package export

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"testing"
)

// sheetCells reads the cells of the workbook's sheet back: reference,
// type and text.
func sheetCells(t *testing.T, b []byte) [][3]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var sheet []byte
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r)
		var any struct{ XMLName xml.Name }
		if err := xml.Unmarshal(body, &any); err != nil {
			t.Fatalf("%s is not well-formed XML: %v", f.Name, err)
		}
		if f.Name == "xl/worksheets/sheet1.xml" {
			sheet = body
		}
	}
	var ws struct {
		Rows []struct {
			Cells []struct {
				Ref    string `xml:"r,attr"`
				Type   string `xml:"t,attr"`
				Value  string `xml:"v"`
				Inline string `xml:"is>t"`
			} `xml:"c"`
		} `xml:"sheetData>row"`
	}
	if err := xml.Unmarshal(sheet, &ws); err != nil {
		t.Fatal(err)
	}
	var out [][3]string
	for _, r := range ws.Rows {
		for _, c := range r.Cells {
			out = append(out, [3]string{c.Ref, c.Type, c.Value + c.Inline})
		}
	}
	return out
}

func TestXLSXKeepsNumbersAsNumbersAndTextAsIs(t *testing.T) {
	var buf bytes.Buffer
	err := WriteXLSX(&buf, "月次報告", []string{"年月", "交付", "率"}, [][]any{{"2026-04", 12, 0.5}, {"=1+1 <&>\x01", 3, 1.25}})
	if err != nil {
		t.Fatal(err)
	}
	got := sheetCells(t, buf.Bytes())
	want := [][3]string{{"A1", "inlineStr", "年月"}, {"B1", "inlineStr", "交付"}, {"C1", "inlineStr", "率"},
		{"A2", "inlineStr", "2026-04"}, {"B2", "", "12"}, {"C2", "", "0.5"},
		{"A3", "inlineStr", "=1+1 <&>"}, {"B3", "", "3"}, {"C3", "", "1.25"}}
	if len(got) != len(want) {
		t.Fatalf("cells %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("cell %d: %v, want %v", i, got[i], want[i])
		}
	}
	if ColumnName(1) != "A" || ColumnName(26) != "Z" || ColumnName(27) != "AA" || ColumnName(703) != "AAA" {
		t.Error("column names")
	}
}
