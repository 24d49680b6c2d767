package archtest

import (
	"os"
	"testing"
)

func readArchitecture(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../ARCHITECTURE.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
