package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/kofu-oss/kofu/internal/hostile"
	"github.com/kofu-oss/kofu/internal/legacy/legacytest"
)

// writeHostile is `kofubench hostile DIR`: it writes the files of issue
// #14 that took the server down, to send to a running `kofu serve` and
// watch its memory, its answer time and its temporary folder.
func writeHostile(dir string, stdout, stderr io.Writer) int {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "kofubench: %v\n", err)
		return 1
	}
	sample := legacytest.SampleBook()
	var sampleBytes bytes.Buffer
	if err := sample.Write(&sampleBytes); err != nil {
		fmt.Fprintf(stderr, "kofubench: %v\n", err)
		return 1
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"ledger.xlsx", func(w io.Writer) error { _, err := w.Write(sampleBytes.Bytes()); return err }},
		{"ledger-100k.xlsx", func(w io.Writer) error { return hostile.BigLedger(w, 99_000) }},
		{"wide-100.xlsx", func(w io.Writer) error { return hostile.WideRows(w, 100) }},
		{"wide-300.xlsx", func(w io.Writer) error { return hostile.WideRows(w, 300) }},
		{"wide-5000.xlsx", func(w io.Writer) error { return hostile.WideRows(w, 5000) }},
		{"bomb-1g.xlsx", func(w io.Writer) error { return hostile.Bomb(w, 1<<30) }},
		{"reject-890k.csv", func(w io.Writer) error { return hostile.RejectCSV(w, 890_000) }},
		{"fields-1.6m.body", func(w io.Writer) error {
			ct, err := hostile.FieldFlood(w, 1_600_000, sampleBytes.Bytes())
			if err == nil {
				fmt.Fprintf(stdout, "fields-1.6m.body: Content-Type: %s\n", ct)
			}
			return err
		}},
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		out, err := os.Create(path)
		if err == nil {
			err = f.write(out)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "kofubench: %s: %v\n", path, err)
			return 1
		}
		fi, _ := os.Stat(path)
		fmt.Fprintf(stdout, "%s\t%d bytes\n", path, fi.Size())
	}
	return 0
}
