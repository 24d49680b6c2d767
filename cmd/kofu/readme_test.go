package main

import (
	"os"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/config"
)

// The README's configuration table must name every option of kofu serve.
func TestReadmeDocumentsEveryOption(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	for _, o := range config.Options {
		if !strings.Contains(readme, "`--"+o.Flag+"`") || !strings.Contains(readme, "`"+o.Env+"`") {
			t.Errorf("README lacks --%s / %s", o.Flag, o.Env)
		}
	}
	for _, cmd := range []string{"go run ./cmd/kofu serve --demo", "./scripts/test.sh"} {
		if !strings.Contains(readme, cmd) {
			t.Errorf("README lacks the command %q", cmd)
		}
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil || !strings.Contains(string(ci), "./scripts/test.sh") {
		t.Errorf(".ci/run must run the README's test command: %v", err)
	}
}
