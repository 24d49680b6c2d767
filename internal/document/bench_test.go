package document

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The target: a 100-page stack scanned at 300 dpi is split,
// decoded and matched in under 60 s on 2 cores with RSS under 300 MB.
// Run: go test -run XXX -bench Stack100 -benchtime 1x -cpu 2 ./internal/document
//
// The stack is a PDF of colour JPEG pages (A4, 300 dpi, 2481 × 3507) with
// printed-form blocks on every page and a notice-number QR code on every
// other page, about what an office scanner makes of a day's forms.

var stack100 = sync.OnceValue(func() []byte {
	var pages []pdfImage
	for i := range 100 {
		p := testPage{text: true, seed: uint64(i)}
		if i%2 == 0 {
			p.qr = []string{fmt.Sprintf("A%02d-%06d", i%100, 100000+i)}
		}
		pages = append(pages, jpegPage(nopTB{}, tinted(p.render(300)), 300))
	}
	return buildPDF(pages)
})

// tinted turns a gray page into a colour one on slightly yellow paper, as a
// colour scan of a form looks.
func tinted(g *image.Gray) image.Image {
	out := image.NewRGBA(g.Bounds())
	for i, v := range g.Pix {
		out.Pix[4*i], out.Pix[4*i+1], out.Pix[4*i+2], out.Pix[4*i+3] = v, v, uint8(int(v)*94/100), 0xFF
	}
	return out
}

func BenchmarkStack100Pages300dpi(b *testing.B) {
	pdf := stack100()
	b.SetBytes(int64(len(pdf)))
	debug.FreeOSMemory() // return the generator's garbage, so RSS is the scan's
	resetPeakRSS()
	cpu0 := cpuTime()
	peak := watchHeap()
	start := time.Now()
	for b.Loop() {
		f, err := Open(bytes.NewReader(pdf), int64(len(pdf)), "stack.pdf", Limits{})
		if err != nil {
			b.Fatal(err)
		}
		found := 0
		err = Scan(context.Background(), f, ScanOptions{Rules: rules}, func(p PageScan) error {
			if p.Err != nil {
				return p.Err
			}
			found += len(p.Refs)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if found != 50 {
			b.Fatalf("%d notice numbers found, want 50", found)
		}
	}
	elapsed := time.Since(start) / time.Duration(b.N)
	heap := peak()
	b.ReportMetric(elapsed.Seconds(), "s/stack")
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/stack")
	b.ReportMetric(float64(heap)/(1<<20), "MB-peak-heap")
	b.ReportMetric(float64(peakRSS())/(1<<20), "MB-peak-RSS")
	b.ReportMetric(float64(len(pdf))/(1<<20), "MB-file")
}

// watchHeap samples the live heap every 5 ms until the returned function
// is called, which gives the highest value seen.
func watchHeap() func() uint64 {
	var mu sync.Mutex
	var top uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			mu.Lock()
			top = max(top, m.HeapInuse)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(done)
		mu.Lock()
		defer mu.Unlock()
		return top
	}
}

// resetPeakRSS clears the kernel's high-water mark of this process (Linux),
// so the peak measured is the scan's, not the stack's generation.
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's resident high-water mark (VmHWM), 0 elsewhere.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cpuTime is the CPU time this process used (user and system): on a
// machine shared with other work it tells the cost where wall time cannot.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// nopTB lets the generators run outside a test (in a sync.Once).
type nopTB struct{ testing.TB }

func (nopTB) Helper()           {}
func (nopTB) Fatal(args ...any) { panic(fmt.Sprint(args...)) }
