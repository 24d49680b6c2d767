package bench

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// TestMain lets the test binary be the bench's server process too.
func TestMain(m *testing.M) {
	if ServeChild() {
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Every scenario runs at a tiny size on each engine, produces its lines
// and passes its correctness checks.
func TestScenariosRunTiny(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			if e == store.Postgres {
				storetest.MustDSN(t, e) // skips when PostgreSQL is unreachable (fails in CI)
			}
			pg := os.Getenv("KOFU_TEST_POSTGRES")
			if pg == "" {
				pg = storetest.DefaultPostgres
			}
			rp, err := Run(t.Context(), Config{Engines: []store.Engine{e}, Sizes: Tiny(), Dir: t.TempDir(), Postgres: pg})
			if err != nil {
				t.Fatal(err)
			}
			if err := rp.Broken(); err != nil {
				t.Fatal(err)
			}
			var md strings.Builder
			rp.WriteMarkdown(&md)
			t.Log("\n" + md.String())
			for _, fig := range []string{"予約の確定", "1 枠への集中", "1 か月の空き状況", "予約ページ", "1 か月の空き状況 API（HTTP", "J-LIS 取込",
				"氏名検索 漢字 2 文字", "氏名検索 カナ前方", "CSV 出力", "過負荷", "サーバーの RSS 最大（別プロセス"} {
				if !strings.Contains(md.String(), fig) {
					t.Errorf("no %q line in\n%s", fig, md.String())
				}
			}
			for _, r := range rp.Results {
				if r.Target.Min > 0 && (r.Value <= 0 || r.Baseline <= 0) { // a rate and its baseline
					t.Errorf("%s: nothing measured: %+v", r.Figure, r)
				}
			}
		})
	}
}

func TestCheckExactly(t *testing.T) {
	if err := checkExactly(5, 5, 5); err != nil {
		t.Error(err)
	}
	for _, c := range [][2]int{{6, 6}, {4, 4}, {5, 6}, {6, 5}} {
		if checkExactly(5, c[0], c[1]) == nil {
			t.Errorf("%v accepted", c)
		}
	}
}

func TestCheckCapacity(t *testing.T) {
	caps := map[string]int{"hot": 5}
	if bad := checkCapacity([]slotSeats{{"hot", 1, 5}}, caps); len(bad) != 0 {
		t.Errorf("full slot reported: %v", bad)
	}
	if bad := checkCapacity([]slotSeats{{"hot", 1, 5}, {"hot", 2, 6}, {"gone", 3, 1}}, caps); len(bad) != 2 {
		t.Errorf("overbooked or unknown slots missed: %v", bad)
	}
}

func TestCheckSameResults(t *testing.T) {
	a := found{total: 3, page: []int64{1, 2, 3}}
	if err := checkSameResults(a, found{total: 3, page: []int64{1, 2, 3}}); err != nil {
		t.Error(err)
	}
	for _, b := range []found{{total: 4, page: []int64{1, 2, 3}}, {total: 3, page: []int64{1, 3, 2}}, {total: 3, page: []int64{1, 2}}} {
		if checkSameResults(a, b) == nil {
			t.Errorf("%+v accepted as %+v", b, a)
		}
	}
}

// The full scan orders its hits as the search does: by reading up to
// store.NameOrderBound matches, by card beyond.
func TestScanOrderFollowsTheSearch(t *testing.T) {
	short := []hit{{"ミワ", 3}, {"アベ", 9}, {"アベ", 2}}
	inSearchOrder(short)
	if got := []int64{short[0].id, short[1].id, short[2].id}; !slices.Equal(got, []int64{2, 9, 3}) {
		t.Errorf("short list in order %v, want by reading then card", got)
	}
	long := make([]hit, store.NameOrderBound+1)
	for i := range long {
		long[i] = hit{kana: fmt.Sprint(i % 7), id: int64(len(long) - i)}
	}
	inSearchOrder(long)
	if !slices.IsSortedFunc(long, func(a, b hit) int { return cmp.Compare(a.id, b.id) }) {
		t.Error("a list over the bound is not in card order")
	}
}

func TestTargetsAndVerdicts(t *testing.T) {
	if !AtLeast(0.3, "").Met(0.3) || AtLeast(0.3, "").Met(0.29) || !AtMost(2, "").Met(2) || AtMost(2, "").Met(2.1) {
		t.Error("target bounds")
	}
	r := Result{Value: 1, Baseline: 4, Target: AtLeast(0.3, "≥ 30%")}
	if r.Verdict() != "未達" {
		t.Errorf("25%% of the baseline against 30%%: %s", r.Verdict())
	}
	r.Value = 2
	if r.Verdict() != "達成" {
		t.Errorf("50%%: %s", r.Verdict())
	}
	r.Broken = checkExactly(5, 6, 6)
	rp := Report{Results: []Result{r}}
	if !strings.Contains(r.Verdict(), "FAIL") || rp.Broken() == nil {
		t.Error("a correctness failure must fail the line and the run")
	}
}

func TestStatusMB(t *testing.T) {
	status := "Name:\tkofubench\nVmHWM:\t  153600 kB\nVmRSS:\t   51200 kB\n"
	if got := statusMB(status, "VmHWM:"); got != 150 {
		t.Errorf("VmHWM %v", got)
	}
	if got := statusMB(status, "VmRSS:"); got != 50 {
		t.Errorf("VmRSS %v", got)
	}
}

func TestResidentsAreReproducibleAndUnique(t *testing.T) {
	g := newResidents()
	if g.row(7) != g.row(7) {
		t.Error("row 7 differs between calls")
	}
	seen := map[string]bool{}
	for i := range 2000 {
		r := g.row(i)
		if seen[r.AppID] || seen[r.Notice] {
			t.Fatalf("row %d repeats an ID: %+v", i, r)
		}
		seen[r.AppID], seen[r.Notice] = true, true
	}
}
