package bench

import (
	"testing"

	"github.com/kofu-oss/kofu/internal/store"
)

// TestPlatformScenarioRunsTiny runs the platform scenario at its smallest
// size: every figure is measured and none is broken.
func TestPlatformScenarioRunsTiny(t *testing.T) {
	rp, err := RunPlatform(t.Context(), Config{Engines: []store.Engine{store.SQLite}, Dir: t.TempDir()}, PlatformTiny())
	if err != nil {
		t.Fatal(err)
	}
	if len(rp.Results) != 3 {
		t.Fatalf("%d results, want 3: %+v", len(rp.Results), rp.Results)
	}
	for _, r := range rp.Results {
		if r.Broken != nil || r.Value <= 0 {
			t.Errorf("%s: %v (value %v)", r.Figure, r.Broken, r.Value)
		}
	}
}
