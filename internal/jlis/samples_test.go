package jlis

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/moji"
)

// samplesDir locates shared/samples next to the repository checkout. The
// samples are part of the test: a missing directory fails, never skips.
func samplesDir(tb testing.TB) string {
	tb.Helper()
	for _, dir := range []string{"../../../shared/samples", "../../shared/samples"} {
		if _, err := os.Stat(filepath.Join(dir, "jlis-delivery-expect.json")); err == nil {
			return dir
		}
	}
	tb.Fatal("shared/samples not found (looked in ../../../shared/samples and ../../shared/samples)")
	return ""
}

func mustReadSample(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(samplesDir(tb), name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustDecodeJSON(tb testing.TB, name string, v any) {
	tb.Helper()
	if err := json.Unmarshal(mustReadSample(tb, name), v); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
}

// sampleToday is after every date in the samples (their cards are issued
// in 2026), so no birth date is in the future.
var sampleToday = Date{2026, 12, 31}

// mustReadAll reads every row of data.
func mustReadAll(tb testing.TB, data []byte, opt Options) ([]Row, *Reader) {
	tb.Helper()
	rd, err := NewReader(bytes.NewReader(data), opt)
	if err != nil {
		tb.Fatalf("NewReader: %v", err)
	}
	var rows []Row
	for {
		row, err := rd.Next()
		if err == io.EOF {
			return rows, rd
		}
		if err != nil {
			tb.Fatalf("Next after %d rows: %v", len(rows), err)
		}
		rows = append(rows, row)
	}
}

type expectFile struct {
	Rows     int `json:"rows"`
	Rejected []struct {
		Line int    `json:"line"`
		Why  string `json:"why"`
	} `json:"rejected"`
	GaijiRows []int    `json:"gaiji_rows"`
	Notices   []string `json:"notices"`
}

type person struct {
	Line   int    `json:"line"`
	AppID  string `json:"appid"`
	Notice string `json:"notice"`
	Birth  string `json:"birth"`
	Method string `json:"method"`
	Gaiji  bool   `json:"gaiji"`
}

func TestSampleCP932MatchesExpect(t *testing.T) {
	var want expectFile
	mustDecodeJSON(t, "jlis-delivery-expect.json", &want)
	rows, rd := mustReadAll(t, mustReadSample(t, "jlis-delivery-cp932.csv"), Options{Today: sampleToday})

	if rd.Encoding() != moji.CP932 {
		t.Errorf("encoding = %v, want CP932", rd.Encoding())
	}
	if len(rows) != want.Rows {
		t.Errorf("%d rows, want %d", len(rows), want.Rows)
	}
	t.Run("rejected lines and reasons", func(t *testing.T) {
		rejected := make(map[int][]Problem)
		for _, r := range rows {
			if len(r.Problems) > 0 {
				rejected[r.Line] = r.Problems
			}
		}
		if len(rejected) != len(want.Rejected) {
			t.Errorf("rejected lines %v, want %d lines", keys(rejected), len(want.Rejected))
		}
		for _, w := range want.Rejected {
			probs, ok := rejected[w.Line]
			if !ok {
				t.Errorf("line %d not rejected, want %q", w.Line, w.Why)
				continue
			}
			if !slices.ContainsFunc(probs, func(p Problem) bool { return strings.Contains(p.Reason, w.Why) }) {
				t.Errorf("line %d rejected with %+v, want a reason containing %q", w.Line, probs, w.Why)
			}
		}
	})
	t.Run("gaiji rows", func(t *testing.T) {
		var got []int
		for _, r := range rows {
			if r.HasGaiji {
				got = append(got, r.Line)
			}
		}
		if !slices.Equal(got, want.GaijiRows) {
			t.Errorf("gaiji rows %v, want %v", got, want.GaijiRows)
		}
		var warned []int
		for _, w := range rd.Warnings() {
			if w.Kind == "gaiji" {
				warned = append(warned, w.Line)
			}
		}
		if !slices.Equal(warned, want.GaijiRows) {
			t.Errorf("gaiji warnings on lines %v, want %v", warned, want.GaijiRows)
		}
	})
	t.Run("notices found", func(t *testing.T) {
		found := make(map[string]bool)
		for _, r := range rows {
			found[r.NoticeNumber] = true
		}
		for _, n := range want.Notices {
			if !found[n] {
				t.Errorf("notice %s not found", n)
			}
		}
	})
	t.Run("no header warnings", func(t *testing.T) {
		for _, w := range rd.Warnings() {
			if w.Line == 1 {
				t.Errorf("unexpected header warning %+v", w)
			}
		}
	})
}

func TestSamplePeopleRowByRow(t *testing.T) {
	var people []person
	mustDecodeJSON(t, "jlis-delivery-people.json", &people)
	byLine := make(map[int]person)
	for _, p := range people {
		byLine[p.Line] = p
	}
	for _, tc := range []struct {
		file string
		rows int
		enc  moji.Encoding
	}{
		{"jlis-delivery-cp932.csv", 240, moji.CP932},
		{"jlis-delivery-utf8bom.csv", 120, moji.UTF8BOM},
	} {
		t.Run(tc.file, func(t *testing.T) {
			rows, rd := mustReadAll(t, mustReadSample(t, tc.file), Options{Today: sampleToday})
			if len(rows) != tc.rows || rd.Encoding() != tc.enc {
				t.Fatalf("%d rows in %v, want %d in %v", len(rows), rd.Encoding(), tc.rows, tc.enc)
			}
			for i, r := range rows {
				if r.Line != i+2 {
					t.Fatalf("row %d has line %d, want %d", i, r.Line, i+2)
				}
				if len(r.Problems) > 0 {
					continue // the rejected lines are checked against the expect file
				}
				checkPerson(t, r, byLine[r.Line])
			}
		})
	}
}

func checkPerson(t *testing.T, r Row, p person) {
	t.Helper()
	method := map[string]string{"交付時来庁": MethodCounter, "申請時来庁": MethodAtApplication}[p.Method]
	got := person{r.Line, r.ApplicationID, r.NoticeNumber, r.BirthDate.String(), r.Method, r.HasGaiji}
	want := person{p.Line, p.AppID, p.Notice, p.Birth, method, p.Gaiji}
	if got != want {
		t.Errorf("line %d: got %+v, want %+v", r.Line, got, want)
	}
}

func TestSampleUTF8KeepsIVSAndNonCP932Kanji(t *testing.T) {
	rows, _ := mustReadAll(t, mustReadSample(t, "jlis-delivery-utf8bom.csv"), Options{Today: sampleToday})
	for _, want := range []string{"葛\U000E0100城", "𠮷"} {
		if !slices.ContainsFunc(rows, func(r Row) bool { return strings.Contains(r.Name, want) }) {
			t.Errorf("no name contains %+q", want)
		}
	}
	if strings.HasPrefix(rows[0].Name, moji.BOM) {
		t.Errorf("BOM leaked into the first row")
	}
}

func TestSampleCP932KeepsExtensionKanji(t *testing.T) {
	data := mustReadSample(t, "jlis-delivery-cp932.csv")
	rows, _ := mustReadAll(t, data, Options{Today: sampleToday})
	for _, k := range []string{"髙", "﨑", "德"} {
		i := slices.IndexFunc(rows, func(r Row) bool { return strings.Contains(r.Name, k) })
		if i < 0 {
			t.Errorf("no name contains %s", k)
			continue
		}
		// The raw bytes kept for the row decode to the same name.
		back, _, err := moji.DecodeCP932(rows[i].Raw)
		if err != nil || !strings.Contains(back, rows[i].Name) {
			t.Errorf("line %d: raw bytes decode to %q, %v; want them to hold %q", rows[i].Line, back, err, rows[i].Name)
		}
	}
}

// TestSampleRawIsThePhysicalLine checks Raw against the file split at CRLF.
func TestSampleRawIsThePhysicalLine(t *testing.T) {
	data := mustReadSample(t, "jlis-delivery-cp932.csv")
	lines := bytes.Split(data, []byte("\r\n"))
	rows, _ := mustReadAll(t, data, Options{Today: sampleToday})
	for _, r := range rows {
		if !bytes.Equal(r.Raw, lines[r.Line-1]) {
			t.Fatalf("line %d: Raw = %q, want %q", r.Line, r.Raw, lines[r.Line-1])
		}
	}
}

func TestSampleKanaNormalized(t *testing.T) {
	rows, _ := mustReadAll(t, mustReadSample(t, "jlis-delivery-cp932.csv"), Options{Today: sampleToday})
	for _, r := range rows {
		if strings.ContainsFunc(r.KanaNormalized, func(c rune) bool { return 0xFF61 <= c && c <= 0xFF9F }) {
			t.Errorf("line %d: %q still holds half-width kana", r.Line, r.KanaNormalized)
		}
	}
	if got := rows[1].KanaNormalized; got != "ミワ　ナオミ" {
		t.Errorf("line 3 kana = %q, want ミワ　ナオミ", got)
	}
}

// TestSampleGaijiMap applies the city's 外字 table from the samples.
func TestSampleGaijiMap(t *testing.T) {
	recs, err := csv.NewReader(bytes.NewReader(mustReadSample(t, "gaiji-map.csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[rune]string)
	for _, rec := range recs[1:] {
		cp, err := strconv.ParseUint(strings.TrimPrefix(rec[0], "U+"), 16, 32)
		if err != nil {
			t.Fatal(err)
		}
		m[rune(cp)] = rec[1]
	}
	rows, _ := mustReadAll(t, mustReadSample(t, "jlis-delivery-cp932.csv"), Options{Today: sampleToday})
	for _, r := range rows {
		if !r.HasGaiji {
			continue
		}
		if got := moji.ApplyGaiji(r.Name, m); moji.HasPUA(got) {
			t.Errorf("line %d: %+q still holds 外字 after mapping", r.Line, got)
		}
	}
}

func keys[K comparable, V any](m map[K]V) []K {
	var out []K
	for k := range m {
		out = append(out, k)
	}
	return out
}
