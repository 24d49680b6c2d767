package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// wallClock lists the non-test files that may read time.Now directly, with
// how many times and why. Everything else asks the clock it is given
// (internal/clock), so that rules depending on time are testable.
var wallClock = map[string]struct {
	n   int
	why string
}{
	"internal/clock/clock.go":            {1, "the system clock itself"},
	"cmd/kofubench/main.go":              {1, "a progress line's log timestamp"},
	"cmd/kofu/keys.go":                   {1, "measures how long resealing took"},
	"internal/server/middleware.go":      {1, "measures a request's duration"},
	"internal/server/admission.go":       {2, "the admission queue ages tickets on the monotonic clock"},
	"internal/store/migrate.go":          {1, "a migration's applied_at, stamped like a log line"},
	"internal/store/storetest/cached.go": {1, "measures a test database's seeding"},
	"internal/counter/public_wait.go":    {1, "ages the top page's cached wait figures in real time"},
}

// wallClockTrees are folders whose code measures real time throughout.
var wallClockTrees = []string{
	"cmd/kofubench/internal/bench/", // kofubench's scenarios time themselves
}

// TestTimeOnlyThroughTheClock fails when a non-test file of the module reads
// time.Now outside the allow-list above (a call or the function as a
// value), or when the allow-list names more than the code has.
func TestTimeOnlyThroughTheClock(t *testing.T) {
	root := filepath.Join("..", "..")
	found := map[string]int{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, root+string(filepath.Separator)))
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		n, err := timeNowUses(path)
		if n > 0 {
			found[rel] = n
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) == 0 {
		t.Fatal("no use of time.Now found at all: the walk missed the module")
	}
	for file, n := range found {
		if underTree(file) {
			continue
		}
		if want := wallClock[file].n; n > want {
			t.Errorf("%s reads time.Now %d times (allowed %d): ask the clock the package is given (internal/clock), or add the file to wallClock with its reason", file, n, want)
		}
	}
	for file, a := range wallClock {
		if found[file] < a.n {
			t.Errorf("wallClock allows %s %d uses of time.Now but it has %d: lower the count", file, a.n, found[file])
		}
	}
}

func underTree(file string) bool {
	for _, tree := range wallClockTrees {
		if strings.HasPrefix(file, tree) {
			return true
		}
	}
	return false
}

// timeNowUses counts the references to the standard library's time.Now in
// one file, under whatever name the file imports "time".
func timeNowUses(path string) (int, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return 0, err
	}
	name := ""
	for _, im := range f.Imports {
		if p, _ := strconv.Unquote(im.Path.Value); p == "time" {
			name = "time"
			if im.Name != nil {
				name = im.Name.Name
			}
		}
	}
	if name == "" || name == "_" {
		return 0, nil
	}
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		if sel, ok := node.(*ast.SelectorExpr); ok && sel.Sel.Name == "Now" {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == name {
				n++
			}
		}
		return true
	})
	return n, nil
}
