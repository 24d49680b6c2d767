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

// The README's license is the LICENSE file's, and its commands are the
// safe ones: the data key is written with --out (0600), not redirected
// into a file that others can read.
func TestReadmeMatchesTheLicenseAndTheKeyCommand(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	license, err := os.ReadFile("../../LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(license), "MIT License\n") || !strings.Contains(string(license), "Copyright (c) 2026 Kofu contributors") {
		t.Errorf("LICENSE is not the MIT license of Kofu contributors")
	}
	if !strings.Contains(string(readme), "MIT License") {
		t.Errorf("the README does not name the MIT license")
	}
	if strings.Contains(string(readme), "keys generate >") || !strings.Contains(string(readme), "keys generate --out") {
		t.Errorf("the README must show kofu keys generate --out FILE")
	}
}
