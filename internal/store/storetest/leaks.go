package storetest

import (
	"bytes"
	"fmt"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/store"
)

// Dump returns what someone who copies the database gets: on SQLite the
// database file with its WAL and shared-memory file, on PostgreSQL a
// pg_dump of the test's schema (plain SQL, every row as text).
func Dump(tb testing.TB, e store.Engine, dsn string) []byte {
	tb.Helper()
	if e == store.SQLite {
		return StoredTableBytes(tb, e, dsn)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	schema := q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	out, err := exec.Command("pg_dump", "--no-owner", "--schema="+schema, u.String()).Output()
	if err != nil {
		tb.Fatalf("pg_dump: %v", err)
	}
	return out
}

// Needles are the readable forms of seeded personal values, by kind
// ("birth_date", "notice_number"...), that must not be found in a Dump.
type Needles map[string][]string

// Add adds values of a kind; empty values are skipped.
func (n Needles) Add(kind string, values ...string) {
	for _, v := range values {
		if v != "" && !slices.Contains(n[kind], v) {
			n[kind] = append(n[kind], v)
		}
	}
}

// AddBirthDate adds a YYYY-MM-DD date in the forms a leak would take:
// as it is, as YYYYMMDD and in the Japanese era (昭和57年5月6日 and
// 昭和57年05月06日).
func (n Needles) AddBirthDate(d string) {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return
	}
	n.Add("birth_date", d, t.Format("20060102"))
	if era, y, ok := wareki(t); ok {
		n.Add("birth_date", fmt.Sprintf("%s%s年%d月%d日", era, y, t.Month(), t.Day()),
			fmt.Sprintf("%s%s年%02d月%02d日", era, y, t.Month(), t.Day()))
	}
}

func wareki(t time.Time) (era, year string, ok bool) {
	eras := []struct {
		name  string
		start time.Time
	}{
		{"令和", time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)},
		{"平成", time.Date(1989, 1, 8, 0, 0, 0, 0, time.UTC)},
		{"昭和", time.Date(1926, 12, 25, 0, 0, 0, 0, time.UTC)},
	}
	for _, e := range eras {
		if !t.Before(e.start) {
			y := t.Year() - e.start.Year() + 1
			if y == 1 {
				return e.name, "元", true
			}
			return e.name, fmt.Sprint(y), true
		}
	}
	return "", "", false
}

// Hits counts, per kind, how many times the needles occur in data. A
// needle of digits only counts where no digit stands right before or
// after it, so a date's YYYYMMDD is not found inside an unrelated larger
// number (a timestamp, a keyed hash written in decimal).
func Hits(data []byte, n Needles) map[string]int {
	out := map[string]int{}
	for kind, vals := range n {
		out[kind] = 0
		for _, v := range vals {
			out[kind] += count(data, []byte(v), isDigits(v))
		}
	}
	return out
}

// AssertNoHits fails tb for every kind of needle found in data, and logs
// the count per kind (the figures of the issue that asked for this check).
func AssertNoHits(tb testing.TB, what string, data []byte, n Needles) {
	tb.Helper()
	hits := Hits(data, n)
	kinds := make([]string, 0, len(hits))
	for k := range hits {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		tb.Logf("%s: %s: %d values sought, %d hits", what, k, len(n[k]), hits[k])
		if hits[k] > 0 {
			tb.Errorf("%s: %d hits of %s, e.g. %q", what, hits[k], k, Found(data, n, k, 3))
		}
	}
}

// Found returns up to max needles of the kind found in data, for messages.
func Found(data []byte, n Needles, kind string, max int) []string {
	var out []string
	for _, v := range n[kind] {
		if len(out) < max && count(data, []byte(v), isDigits(v)) > 0 {
			out = append(out, v)
		}
	}
	return out
}

func count(data, needle []byte, bounded bool) int {
	n := 0
	for i := 0; ; {
		j := bytes.Index(data[i:], needle)
		if j < 0 {
			return n
		}
		at := i + j
		end := at + len(needle)
		if !bounded || ((at == 0 || !digit(data[at-1])) && (end == len(data) || !digit(data[end]))) {
			n++
		}
		i = at + 1
	}
}

func digit(b byte) bool { return '0' <= b && b <= '9' }

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
