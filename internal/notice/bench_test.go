package notice_test

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/notice"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// countingWriter counts what a benchmark writes and keeps nothing.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// benchBatch stores n set-up cards and makes one batch of them.
func benchBatch(b *testing.B, db *store.DB, n int) (*notice.Service, int64) {
	b.Helper()
	ctx := b.Context()
	err := db.Update(ctx, func(tx *store.Tx) error {
		for i := range n {
			rec := ledgertest.Seed{App: i + 1, Notice: fmt.Sprintf("A%02d-%06d", i%100, i), Name: fmt.Sprintf("三田　%d郎", i),
				Address: fmt.Sprintf("兵庫県三田市南が丘%d丁目%d-%d コーポ南が丘%d号", i%3+1, i%40+1, i%9+1, i%300+101),
				Status:  card.StatusSetupDone, Delivery: "2026-03-01", Box: fmt.Sprintf("箱%03d", i/500)}.Record()
			if err := tx.InsertCardRecord(ctx, &rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	svc := newService(b, db, "2026-04-06")
	batch, err := svc.Create(ctx, staff(), meta(), notice.Selection{Count: n})
	if err != nil || batch.Cards != n {
		b.Fatal(err, batch.Cards)
	}
	return svc, batch.ID
}

// peakRSS is the process's peak resident set (VmHWM), in MB.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return -1
}

// BenchmarkBatchLetters5000 renders a batch of 5,000 letters as the
// server does: rows streamed from the database (SQLite) into the PDF
// writer (target: under 30 s on 2 cores, RSS under 150 MB).
func BenchmarkBatchLetters5000(b *testing.B) {
	db := storetest.MustOpen(b, store.SQLite)
	svc, id := benchBatch(b, db, 5000)
	runtime.GC()
	for b.Loop() {
		var w countingWriter
		res, err := svc.Letters(b.Context(), staff(), meta(), id, &w)
		if err != nil || res.Printed != 5000 {
			b.Fatal(err, res.Printed)
		}
		b.ReportMetric(float64(w.n)/1e6, "MB-pdf")
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapInuse)/1e6, "MB-heap")
	b.ReportMetric(peakRSS(), "MB-peak-rss")
}

// BenchmarkBatchLabels5000 renders the same batch's labels on 24-label
// sheets (target: a PDF under 20 MB).
func BenchmarkBatchLabels5000(b *testing.B) {
	db := storetest.MustOpen(b, store.SQLite)
	svc, id := benchBatch(b, db, 5000)
	for b.Loop() {
		var w countingWriter
		res, err := svc.Labels(b.Context(), staff(), meta(), id, &w)
		if err != nil || res.Printed != 5000 {
			b.Fatal(err, res.Printed)
		}
		b.ReportMetric(float64(w.n)/1e6, "MB-pdf")
	}
	b.ReportMetric(peakRSS(), "MB-peak-rss")
}
