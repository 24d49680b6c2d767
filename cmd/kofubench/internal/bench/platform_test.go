package bench

import (
	"testing"

	"github.com/kofu-oss/kofu/internal/store"
)

// TestPlatformScenarioRunsTiny runs the platform scenario at its smallest
// size: every figure is measured and none is broken. The memory figures are
// differences of the live heap, which other tests of this package running
// at the same time can move either way, so only the latencies must be
// positive here; kofubench runs the scenario alone in its own process.
func TestPlatformScenarioRunsTiny(t *testing.T) {
	rp, err := RunPlatform(t.Context(), Config{Engines: []store.Engine{store.SQLite}, Dir: t.TempDir()}, PlatformTiny())
	if err != nil {
		t.Fatal(err)
	}
	if len(rp.Results) != 3 {
		t.Fatalf("%d results, want 3: %+v", len(rp.Results), rp.Results)
	}
	for _, r := range rp.Results {
		if r.Broken != nil {
			t.Errorf("%s: %v", r.Figure, r.Broken)
		}
		if r.Unit == "ms" && (r.Value <= 0 || r.Baseline <= 0) {
			t.Errorf("%s: latency %v ms against %v ms quiet", r.Figure, r.Value, r.Baseline)
		}
	}
}
