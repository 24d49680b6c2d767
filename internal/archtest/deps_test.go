// Package archtest checks the floor plan of ARCHITECTURE.md with go list:
// the rules that keep the layers apart.
package archtest

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/kofu-oss/kofu/internal/"

// pure are the domain packages: rules without SQL, HTTP or the store.
var pure = []string{
	"apperr", "audit", "booking", "calendar", "card", "clock", "document", "document/blob", "fieldcrypt", "fresh",
	"jlis", "legacy", "moji", "municipality", "paper", "paper/font", "paper/pdf", "postal", "qr", "scan", "wave", "xlsx",
}

// forbidden are what a pure package may not reach, even through another package.
var forbidden = []string{"net/http", "database/sql", module + "store", module + "web", module + "api", module + "server"}

// allowed lists the exceptions with their reason.
var allowed = map[string][]string{
	// http.DetectContentType is the standard library's content sniffer
	// (WHATWG MIME sniffing), used to refuse HTML or SVG named .png.
	"document": {"net/http"},
}

// TestDependencyRule fails when a pure domain package depends, directly or
// through another package, on HTTP, SQL, the store or an HTTP package.
func TestDependencyRule(t *testing.T) {
	args := []string{"-f", "{{.ImportPath}} {{join .Deps \" \"}}"}
	for _, p := range pure {
		args = append(args, "./"+p)
	}
	for _, line := range goListLines(t, args...) {
		fields := strings.Fields(line)
		p, deps := strings.TrimPrefix(fields[0], module), fields[1:]
		for _, f := range forbidden {
			if slices.Contains(deps, f) && !slices.Contains(allowed[p], f) {
				t.Errorf("internal/%s depends on %s: a domain package holds rules only (see ARCHITECTURE.md)", p, f)
			}
		}
	}
}

// services are the use-case packages and the composition root that builds
// them: they know nothing of the HTTP side, so a city's services can be
// built without a server (kofubench, the demo, platform mode).
var services = []string{
	"app", "auditlog", "auth", "backup", "challenge", "counter", "demo", "filing", "gaiji", "intake", "juki",
	"ledger", "mail", "notice", "platform", "reception", "reissue", "reserve", "sitetext", "storage", "surface",
}

// httpSide are the packages that parse requests and render answers.
var httpSide = []string{module + "server", module + "web", module + "api", module + "route", module + "upload"}

// TestServicesKnowNoHTTPPackage fails when a service, or the composition
// root, depends on a package of the HTTP side.
func TestServicesKnowNoHTTPPackage(t *testing.T) {
	args := []string{"-f", "{{.ImportPath}} {{join .Deps \" \"}}"}
	for _, p := range services {
		args = append(args, "./"+p)
	}
	for _, line := range goListLines(t, args...) {
		fields := strings.Fields(line)
		for _, h := range httpSide {
			if slices.Contains(fields[1:], h) {
				t.Errorf("%s depends on %s: services are below the HTTP side (see ARCHITECTURE.md)", fields[0], h)
			}
		}
	}
}

// TestEveryPackageHasARoom fails when a package under internal/ is missing
// from ARCHITECTURE.md, so the floor plan stays true as rooms are added.
func TestEveryPackageHasARoom(t *testing.T) {
	doc := readArchitecture(t)
	for _, p := range goList(t, "./...") {
		name := strings.TrimPrefix(p, module)
		if strings.HasSuffix(name, "test") || name == "archtest" {
			continue // test helpers
		}
		if !strings.Contains(doc, "`"+name+"`") && !strings.Contains(doc, " "+name+" ") {
			t.Errorf("internal/%s is not in ARCHITECTURE.md", name)
		}
	}
}

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	return strings.Fields(strings.Join(goListLines(t, args...), " "))
}

func goListLines(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}
