package backup

import (
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// benchCards is the ledger size of the benchmarks: KOFU_BENCH_CARDS or
// 100,000 (the cards, their residents, applications and search rows).
func benchCards(b *testing.B) int {
	if v := os.Getenv("KOFU_BENCH_CARDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 100_000
}

// peakHeap samples the Go heap while fn runs and returns its largest size.
func peakHeap(fn func()) uint64 {
	var peak atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak.Store(max(peak.Load(), ms.HeapInuse))
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	<-done
	return peak.Load()
}

// benchBackup writes a backup of the generated ledger to path.
func benchBackup(b *testing.B, path string, enc Encryption) (Manifest, uint64) {
	src := ledgertest.OpenBenchDB(b, benchCards(b))
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var m Manifest
	heap := peakHeap(func() { m, err = Write(b.Context(), src, f, enc, time.Now()) })
	if err != nil {
		b.Fatal(err)
	}
	return m, heap
}

// BenchmarkBackup backs up a generated ledger (100,000 cards are about
// 1.4 million rows) and reports rows per second, the file size and the
// peak heap.
func BenchmarkBackup(b *testing.B) {
	path := b.TempDir() + "/bench.age"
	enc := toKey(mustIdentity(b))
	for b.Loop() {
		start := time.Now()
		m, heap := benchBackup(b, path, enc)
		st, _ := os.Stat(path)
		b.ReportMetric(float64(m.TotalRows())/time.Since(start).Seconds(), "rows/s")
		b.ReportMetric(float64(st.Size())/1e6, "file-MB")
		b.ReportMetric(float64(heap)/1e6, "peak-heap-MB")
	}
}

// BenchmarkRestore restores that backup into a fresh database of each
// engine.
func BenchmarkRestore(b *testing.B) {
	path := b.TempDir() + "/bench.age"
	id := mustIdentity(b)
	m, _ := benchBackup(b, path, toKey(id))
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			for b.Loop() {
				dst := storetest.MustOpen(b, e)
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				heap := peakHeap(func() { _, err = Restore(b.Context(), f, withKey(id), dst) })
				f.Close()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(m.TotalRows())/time.Since(start).Seconds(), "rows/s")
				b.ReportMetric(float64(heap)/1e6, "peak-heap-MB")
			}
		})
	}
}
