package main

import (
	"fmt"
	"io"
	"runtime/debug"

	"github.com/kofu-oss/kofu/internal/store"
)

// printVersion shows what an operator needs to report a problem: the
// release, the Go toolchain, the commit when the build recorded it, and
// the schema versions this binary migrates to.
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "kofu %s\n", version)
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	fmt.Fprintf(w, "Go: %s\n", info.GoVersion)
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision", "vcs.time", "vcs.modified", "CGO_ENABLED", "GOOS", "GOARCH":
			fmt.Fprintf(w, "%s: %s\n", s.Key, s.Value)
		}
	}
	fmt.Fprintf(w, "schema: sqlite %d, postgres %d\n", store.LatestVersion(store.SQLite), store.LatestVersion(store.Postgres))
}
