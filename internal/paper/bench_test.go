package paper

import (
	"fmt"
	"io"
	"iter"
	"runtime"
	"testing"
)

// countingWriter counts what a benchmark writes and keeps nothing.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countingWriter)(nil)

// generated yields n letters made on the fly, as a database cursor would.
func generated(n int) iter.Seq[Letter] {
	return func(yield func(Letter) bool) {
		for i := range n {
			notice := fmt.Sprintf("A%02d-%06d", i%100, i)
			l := Letter{Key: fmt.Sprint(i), PostalCode: "669-1535", Address: fmt.Sprintf("兵庫県三田市南が丘%d丁目%d-%d コーポ南が丘%d号", i%3+1, i%40+1, i%9+1, i%300+101),
				Persons: []Person{person(fmt.Sprintf("三田 %d郎", i), notice)}}
			if !yield(l) {
				return
			}
		}
	}
}

// BenchmarkLetters5000 renders a batch of 5,000 A4 letters (target: under
// 30 s on 2 cores, RSS under 150 MB: pages are streamed, not held). It
// reports the PDF's size and the heap in use at the end.
func BenchmarkLetters5000(b *testing.B) {
	for b.Loop() {
		var w countingWriter
		res, err := RenderLetters(&w, batch(PaperA4), generated(5000))
		if err != nil || res.Printed != 5000 {
			b.Fatal(err, res.Printed)
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		b.ReportMetric(float64(w.n)/1e6, "MB-pdf")
		b.ReportMetric(float64(m.HeapInuse)/1e6, "MB-heap")
		b.ReportMetric(float64(m.Sys)/1e6, "MB-sys")
	}
}

// BenchmarkLabels5000 renders 5,000 labels on 24-label sheets (target: a
// PDF under 20 MB).
func BenchmarkLabels5000(b *testing.B) {
	for b.Loop() {
		var w countingWriter
		res, err := RenderLabels(&w, LabelSheet{Labels: 24}, nil, func(yield func(Label) bool) {
			for _, l := range labelsOf(5000) {
				if !yield(l) {
					return
				}
			}
		})
		if err != nil || res.Printed != 5000 {
			b.Fatal(err, res.Printed)
		}
		b.ReportMetric(float64(w.n)/1e6, "MB-pdf")
	}
}
