package jlis

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func TestFieldSpans(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"a,b,c", []string{"a", "b", "c"}, true},
		{"a,,", []string{"a", "", ""}, true},
		{"", []string{""}, true},
		{`"a,b",c`, []string{`"a,b"`, "c"}, true},
		{`"say ""hi""",x`, []string{`"say ""hi"""`, "x"}, true},
		{"\"two\r\nlines\",x", []string{"\"two\r\nlines\"", "x"}, true},
		{`"open,x`, nil, false},
		{`"closed"junk,x`, nil, false},
		{"\x83\x5c,\xf0\x40", []string{"\x83\x5c", "\xf0\x40"}, true}, // CP932 trail bytes are never ',' or '"'
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			spans, ok := fieldSpans([]byte(tt.in))
			var got []string
			for _, sp := range spans {
				got = append(got, tt.in[sp[0]:sp[1]])
			}
			if ok != tt.ok || !slices.Equal(got, tt.want) {
				t.Errorf("fieldSpans(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestBlankSpans(t *testing.T) {
	raw := []byte(`a,"b,c",d,e`)
	spans, _ := fieldSpans(raw)
	if got := string(blankSpans(raw, spans, []int{1, 3})); got != "a,,d," {
		t.Errorf("blankSpans = %q", got)
	}
}

func TestSyntaxErrorRowDropsRawWhenPersonalNumberColumn(t *testing.T) {
	data := lines("申請書ID,個人番号,氏名,生年月日", appID1+",123456789018,山田 \"太郎\",19700301")
	rows, _ := mustReadString(t, data, Options{})
	if len(rows) != 1 || rows[0].Raw != nil || !slices.Equal(codes(rows[0].Problems), []string{"csv_syntax"}) {
		t.Errorf("rows %+v", rows)
	}
}

func TestUnclosedQuote(t *testing.T) {
	data := lines("申請書ID,氏名,生年月日", appID1+",\"山田　太郎,19700301", appID2+",鈴木　花子,19800101")
	rows, _ := mustReadString(t, data, Options{})
	if len(rows) != 1 || rows[0].Line != 2 || !strings.Contains(rows[0].Problems[0].Reason, "閉じられていない") {
		t.Errorf("rows %+v", rows)
	}
}

func TestInvalidCP932MidFile(t *testing.T) {
	start := mustCP932(t, "ID,NAME,BIRTH\r\n"+strings.ReplaceAll(asciiRows(2000), "YAMADA TARO", "山田　太郎"))
	data := append(start, []byte(appID1+",\x82\xff,19700301\r\n")...)
	rd, err := NewReader(bytes.NewReader(data), Options{
		Profile: Profile{"ID": FieldApplicationID, "NAME": FieldName, "BIRTH": FieldBirthDate}, Today: testToday})
	if err != nil {
		t.Fatal(err)
	}
	_, err = readUntilError(t, rd)
	if fe := mustFileError(t, err, "encoding"); fe.Line != 2002 || !strings.Contains(fe.Reason, "82 FF") {
		t.Errorf("error %+v", fe)
	}
}

func TestReadErrorsPassThrough(t *testing.T) {
	boom := errors.New("disk gone")
	t.Run("at the start", func(t *testing.T) {
		_, err := NewReader(io.MultiReader(strings.NewReader("申請書ID,氏名,生年月日\r\n"), iotest.ErrReader(boom)), Options{})
		if !errors.Is(err, boom) {
			t.Errorf("error %v, want %v", err, boom)
		}
	})
	t.Run("mid-file", func(t *testing.T) {
		head := "ID,NAME,BIRTH\r\n" + asciiRows(2000)
		rd, err := NewReader(io.MultiReader(strings.NewReader(head), iotest.ErrReader(boom)), Options{
			Profile: Profile{"ID": FieldApplicationID, "NAME": FieldName, "BIRTH": FieldBirthDate}, Today: testToday})
		if err == nil {
			_, err = readUntilError(t, rd)
		}
		if !errors.Is(err, boom) {
			t.Errorf("error %v, want %v", err, boom)
		}
	})
}

func TestFieldLabels(t *testing.T) {
	for f, want := range map[Field]string{FieldApplicationID: "申請書ID", FieldBox: "箱番号", FieldIgnore: "取り込まない列", FieldUnknown: "不明な列"} {
		if f.String() != want {
			t.Errorf("%d: %q, want %q", f, f.String(), want)
		}
	}
	a := FieldName.Aliases()
	a[0] = "changed"
	if FieldName.Aliases()[0] != "氏名" {
		t.Errorf("Aliases exposes the table")
	}
}
