package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCityCommands adds, lists, suspends and removes a city through the
// command line, as an operator would, and checks a bad code is refused in
// Japanese with exit code 1.
func TestCityCommands(t *testing.T) {
	dir := t.TempDir()
	flags := []string{"--catalog", filepath.Join(dir, "catalog.db"), "--data-dir", dir}
	city := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(t.Context(), append(append([]string{"city"}, args...), flags...), strings.NewReader(""), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	if code, out, errOut := city("add", "--code", "282197", "--slug", "sanda", "--name", "三田市"); code != 0 || !strings.Contains(out, "/sanda/") {
		t.Fatalf("add: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := city("add", "--code", "282198", "--slug", "other", "--name", "誤り市"); code != 1 || !strings.Contains(errOut, "検査数字") {
		t.Fatalf("a bad check digit: %d %q", code, errOut)
	}
	if code, out, _ := city("list"); code != 0 || !strings.Contains(out, "282197  sanda  三田市") || strings.Contains(out, "other") {
		t.Fatalf("list: %d %q", code, out)
	}
	key := filepath.Join(dir, "cities", "282197", "kofu.key")
	if _, err := os.Stat(key); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := city("remove", "sanda"); code != 1 || !strings.Contains(errOut, "suspend") {
		t.Fatalf("removing an active city: %d %q", code, errOut)
	}
	for _, step := range [][]string{{"suspend", "sanda"}, {"remove", "282197"}} {
		if code, _, errOut := city(step...); code != 0 {
			t.Fatalf("%v: %d %q", step, code, errOut)
		}
	}
	if _, err := os.Stat(key); !os.IsNotExist(err) {
		t.Fatalf("the key of a removed city is still there: %v", err)
	}
}
