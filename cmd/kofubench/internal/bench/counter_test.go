package bench

import (
	"os"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// The counter day's scenario runs at a tiny size on each engine with two
// server processes, and every ticket is issued and called exactly once.
func TestCounterScenarioRunsTiny(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			if e == store.Postgres {
				storetest.MustDSN(t, e) // skips when PostgreSQL is unreachable (fails in CI)
			}
			pg := os.Getenv("KOFU_TEST_POSTGRES")
			if pg == "" {
				pg = storetest.DefaultPostgres
			}
			rp, err := RunCounter(t.Context(), Config{Engines: []store.Engine{e}, Dir: t.TempDir(), Postgres: pg}, CounterTiny())
			if err != nil {
				t.Fatal(err)
			}
			if err := rp.Broken(); err != nil {
				t.Fatal(err)
			}
			var md strings.Builder
			rp.WriteMarkdown(&md)
			t.Log("\n" + md.String())
			for _, fig := range []string{"受付（チェックイン）の p95", "番号札の欠け・二重呼出", "すべての呼出表示", "サーバー 1 台の RSS"} {
				if !strings.Contains(md.String(), fig) {
					t.Errorf("no %q line in\n%s", fig, md.String())
				}
			}
			for _, r := range rp.Results[:3] {
				if r.Figure != rp.Results[1].Figure && r.Value <= 0 {
					t.Errorf("%s: nothing measured: %+v", r.Figure, r)
				}
			}
		})
	}
}
