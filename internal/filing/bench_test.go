package filing_test

import (
	"bytes"
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

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/document/documenttest"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// The target, through the database: a 100-page stack scanned at
// 300 dpi is taken in by the inbox (sealed into chunks, split, each page
// decoded, its codes matched against the cards of a real store and
// stored sealed) in under 60 s on 2 cores with RSS under 300 MB.
// Run: go test -run XXX -bench InboxStack100 -benchtime 1x -cpu 2 ./internal/filing
// (KOFU_TEST_ENGINES=sqlite,postgres measures both engines).
//
// The stack is a PDF of colour JPEG pages (A4, 300 dpi, 2481 × 3507) with
// printed-form blocks on every page and a notice-number QR code on every
// other page; the 50 notice numbers are cards in the database.

var stack100 = sync.OnceValue(func() []byte {
	return documenttest.ScanPDF(300, 100, func(i int) *image.Gray {
		if i%2 == 0 {
			return documenttest.ScanA4(i, 300, benchNotice(i))
		}
		return documenttest.ScanA4(i, 300)
	})
})

func benchNotice(i int) string { return fmt.Sprintf("B7K-%06d", 100000+i) }

func BenchmarkInboxStack100Pages300dpi(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) { benchInbox(b, e) })
	}
}

func benchInbox(b *testing.B, e store.Engine) {
	db := storetest.MustOpen(b, e)
	for i := 0; i < 100; i += 2 {
		ledgertest.MustCard(b, db, ledgertest.Seed{App: i + 1, Notice: benchNotice(i)})
	}
	svc := newService(b, db)
	pdf := stack100()
	b.SetBytes(int64(len(pdf)))
	runtime.GC()
	debug.FreeOSMemory() // return the generator's garbage, so RSS is the inbox's
	resetPeakRSS()
	cpu0 := cpuTime()
	peak := watchHeap()
	start := time.Now()
	for b.Loop() {
		res, err := svc.ScanStack(b.Context(), staff, auth.Meta{}, "stack.pdf", bytes.NewReader(pdf))
		if err != nil {
			b.Fatal(err)
		}
		if res.Filed != 50 || res.ToReview != 50 {
			b.Fatalf("%d pages filed, %d to review; want 50 and 50", res.Filed, res.ToReview)
		}
	}
	elapsed := time.Since(start) / time.Duration(b.N)
	heap, anon := peak()
	b.ReportMetric(elapsed.Seconds(), "s/stack")
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/stack")
	b.ReportMetric(float64(heap)/(1<<20), "MB-peak-heap")
	b.ReportMetric(float64(peakRSS())/(1<<20), "MB-peak-RSS")
	b.ReportMetric(float64(anon)/(1<<20), "MB-peak-RSS-anon")
	b.ReportMetric(float64(len(pdf))/(1<<20), "MB-file")
}

// watchHeap samples the heap in use and the anonymous resident memory
// (RssAnon: without the pages of files mapped, such as SQLite's mmap of
// the database) every 5 ms until the returned function is called, which
// gives the highest values seen.
func watchHeap() func() (heap, anon uint64) {
	var mu sync.Mutex
	var top, topAnon uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			a := uint64(statusBytes("RssAnon:"))
			mu.Lock()
			top, topAnon = max(top, m.HeapInuse), max(topAnon, a)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() (uint64, uint64) {
		close(done)
		mu.Lock()
		defer mu.Unlock()
		return top, topAnon
	}
}

// resetPeakRSS clears the kernel's high-water mark of this process (Linux).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's resident high-water mark (VmHWM), 0 elsewhere.
func peakRSS() int64 { return statusBytes("VmHWM:") }

// statusBytes reads a size from /proc/self/status (Linux), 0 elsewhere.
func statusBytes(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
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
