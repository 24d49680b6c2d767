package bench

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/intake"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/store"
)

// importChunk is the rows of one delivery file when seeding.
const importChunk = 50_000

// importFile imports rows from..to-1 as one delivery file.
func (v *env) importFile(ctx context.Context, g *residents, from, to int) (time.Duration, error) {
	file := g.deliveryFile(from, to)
	start := time.Now()
	res, err := intake.New(v.db, v.clock).ImportJLIS(ctx, staff, auth.Meta{}, bytes.NewReader(file),
		intake.Options{FileName: fmt.Sprintf("bench-%d.csv", from)})
	took := time.Since(start)
	if err == nil && res.Created != to-from {
		err = fmt.Errorf("取込 %d 行のうち作成 %d、却下 %d", to-from, res.Created, len(res.Rejected))
	}
	return took, err
}

// importRate measures the J-LIS import of the first rows against a raw
// multi-row INSERT of the same values into a table of the same width.
func (v *env) importRate(ctx context.Context, g *residents, rows int) (Result, error) {
	took, err := v.importFile(ctx, g, 0, rows)
	if err != nil {
		return Result{}, err
	}
	rawTook, err := v.rawBulk(ctx, g, rows)
	if err != nil {
		return Result{}, fmt.Errorf("raw bulk insert: %w", err)
	}
	return Result{Figure: fmt.Sprintf("J-LIS 取込（%s 行、1 ファイル）", count(rows)), Value: float64(rows) / took.Seconds(),
		Unit: "行/秒", Baseline: float64(rows) / rawTook.Seconds(), BaseUnit: "行/秒",
		BaseText: "同じ値の一括 INSERT", Target: AtLeast(0.5, "≥ 50%")}, nil
}

// rawBulk inserts the rows into a plain table, 400 rows a statement, in
// one transaction: what the database does without Kofu's checks.
func (v *env) rawBulk(ctx context.Context, g *residents, rows int) (time.Duration, error) {
	cols := []string{"app_id", "notice", "number", "name", "kana", "birth", "sex", "address", "delivery", "box"}
	defs := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = c + " TEXT NOT NULL"
	}
	if err := v.rawTable(ctx, "bench_raw_cards", strings.Join(defs, ", ")); err != nil {
		return 0, err
	}
	start := time.Now()
	tx, err := v.raw.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	const batch = 400
	for lo := 0; lo < rows; lo += batch {
		var q strings.Builder
		q.WriteString("INSERT INTO bench_raw_cards (" + strings.Join(cols, ", ") + ") VALUES ")
		var args []any
		for i := lo; i < min(rows, lo+batch); i++ {
			r := g.row(i)
			if i > lo {
				q.WriteString(", ")
			}
			q.WriteString("(")
			for j, val := range []string{r.AppID, r.Notice, r.Number, r.Name, r.Kana, r.Birth, r.Sex, r.Address, r.Delivery, r.Box} {
				args = append(args, val)
				if j > 0 {
					q.WriteString(", ")
				}
				q.WriteString(v.placeholder(len(args)))
			}
			q.WriteString(")")
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return 0, err
		}
	}
	err = tx.Commit()
	return time.Since(start), err
}

// placeholder is the nth parameter of a long statement: "?" on SQLite,
// whose numbered parameters cost the square of their number, as the store
// does.
func (v *env) placeholder(n int) string {
	if v.engine == store.SQLite {
		return "?"
	}
	return fmt.Sprintf("$%d", n)
}

// analyze refreshes the planner's statistics after a bulk seeding on
// PostgreSQL, as autovacuum soon does in service; SQLite is measured as
// Kofu leaves it (it never runs ANALYZE).
func (v *env) analyze(ctx context.Context) error {
	if v.engine != store.Postgres {
		return nil
	}
	_, err := v.raw.ExecContext(ctx, `ANALYZE`)
	return err
}

// seedCards imports rows from..to-1 in delivery files of importChunk rows.
func (v *env) seedCards(ctx context.Context, g *residents, from, to int) error {
	for lo := from; lo < to; lo += importChunk {
		if _, err := v.importFile(ctx, g, lo, min(to, lo+importChunk)); err != nil {
			return err
		}
	}
	return v.analyze(ctx)
}

// searchQueries are a 2-character kanji name and a kana prefix.
func searchQueries() []struct{ kind, q string } {
	return []struct{ kind, q string }{{"漢字 2 文字", "佐藤"}, {"カナ前方", "タカハ"}}
}

// found is one search's answer: the total and the first page's cards.
type found struct {
	total int
	page  []int64
}

// search compares the indexed name search with a full scan of every
// card; both must find the same cards in the same order.
func (v *env) search(ctx context.Context, cards, calls int) ([]Result, error) {
	var out []Result
	for _, sq := range searchQueries() {
		var fast found
		durs := make([]time.Duration, 0, calls)
		for range calls {
			start := time.Now()
			err := v.db.View(ctx, func(tx *store.Tx) error {
				recs, total, err := tx.SearchCards(ctx, store.CardFilter{Query: sq.q, Limit: store.DefaultCardLimit})
				fast = found{total: total, page: cardIDs(recs)}
				return err
			})
			if err != nil {
				return nil, err
			}
			durs = append(durs, time.Since(start))
		}
		start := time.Now()
		slow, err := v.fullScan(ctx, sq.q)
		if err != nil {
			return nil, err
		}
		scan := time.Since(start)
		r := Result{Figure: fmt.Sprintf("氏名検索 %s「%s」（%s 枚）p95", sq.kind, sq.q, count(cards)),
			Value: percentile(durs, 0.95), Unit: "ms", Baseline: float64(scan.Microseconds()) / 1000, BaseUnit: "ms",
			BaseText: "全件走査", Target: AtMost(0.05, "≤ 5%"), Note: fmt.Sprintf("%d 件", fast.total)}
		r.Broken = checkSameResults(fast, slow)
		out = append(out, r)
	}
	return out, nil
}

func cardIDs(recs []store.CardRecord) []int64 {
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	return ids
}

// hit is a card the full scan found, with its reading.
type hit struct {
	kana string
	id   int64
}

// inSearchOrder orders hits as the search orders its answer: by reading,
// then card; a list longer than store.NameOrderBound by card alone, as
// the search cannot sort that many sealed names (store.searchBySQL).
func inSearchOrder(hits []hit) {
	if len(hits) > store.NameOrderBound {
		slices.SortFunc(hits, func(a, b hit) int { return cmp.Compare(a.id, b.id) })
		return
	}
	slices.SortFunc(hits, func(a, b hit) int { return cmp.Or(strings.Compare(a.kana, b.kana), cmp.Compare(a.id, b.id)) })
}

// fullScan reads every card and keeps those whose name or reading holds
// the query, ordered as the search orders them (inSearchOrder).
func (v *env) fullScan(ctx context.Context, q string) (found, error) {
	keys := slices.Compact([]string{moji.NameKey(q), moji.KanaKey(q)})
	var hits []hit
	err := v.db.View(ctx, func(tx *store.Tx) error {
		return tx.EachCard(ctx, store.CardFilter{Sort: "id"}, func(rec store.CardRecord) error {
			name, kana := moji.NameKey(rec.Resident.Name), moji.KanaKey(rec.Resident.NameKana)
			for _, k := range keys {
				if k != "" && (strings.Contains(name, k) || strings.Contains(kana, k)) {
					hits = append(hits, hit{kana, rec.ID})
					break
				}
			}
			return nil
		})
	})
	inSearchOrder(hits)
	f := found{total: len(hits)}
	for _, h := range hits[:min(len(hits), store.DefaultCardLimit)] {
		f.page = append(f.page, h.id)
	}
	return f, err
}

// checkSameResults fails when the search and the full scan disagree.
func checkSameResults(search, scan found) error {
	if search.total != scan.total || !slices.Equal(search.page, scan.page) {
		return fmt.Errorf("検索 %d 件 %v、全件走査 %d 件 %v", search.total, head(search.page), scan.total, head(scan.page))
	}
	return nil
}

func head(ids []int64) []int64 { return ids[:min(5, len(ids))] }

// countWriter counts the bytes written.
type countWriter struct{ n atomic.Int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n.Add(int64(len(p))); return len(p), nil }

// exportAll compares the CSV export of every card with a raw SELECT of
// the same columns in the same order written by encoding/csv alone, and
// watches the heap meanwhile.
func (v *env) exportAll(ctx context.Context, cards int) ([]Result, error) {
	runtime.GC()
	stop := watchHeap()
	var w countWriter
	start := time.Now()
	err := ledger.New(v.db, v.clock).Export(ctx, admin, auth.Meta{}, ledger.Query{}, export.UTF8, &w)
	took := time.Since(start)
	grew := stop()
	if err != nil {
		return nil, err
	}
	start = time.Now()
	rows, err := v.rawCSV(ctx, io.Discard)
	if err != nil {
		return nil, fmt.Errorf("raw CSV: %w", err)
	}
	rawTook := time.Since(start)
	speed := Result{Figure: fmt.Sprintf("CSV 出力（%s 枚）", count(cards)), Value: float64(cards) / took.Seconds(), Unit: "行/秒",
		Baseline: float64(rows) / rawTook.Seconds(), BaseUnit: "行/秒", BaseText: "同じ列の SELECT + encoding/csv",
		Target: AtLeast(0.5, "≥ 50%"), Note: fmt.Sprintf("%.0f MB", float64(w.n.Load())/1e6)}
	mem := Result{Figure: fmt.Sprintf("CSV 出力中のヒープ増加（%s 枚）", count(cards)), Value: grew, Unit: "MB",
		Target: AtMost(32, "< 32 MB（件数によらず一定）")}
	return []Result{speed, mem}, nil
}

// exportSelect reads the export's columns in its order (by reading).
const exportSelect = `SELECT c.notice_number, a.application_id, r.name, r.name_kana, r.birth_date, r.sex, r.postal_code,
	r.address, c.status, a.method, c.issue_date, c.expiry_date, c.certificate, c.delivery_date, c.box,
	c.storage_location, c.flags, r.remarks
	FROM cards c JOIN applications a ON a.id = c.application_ref JOIN residents r ON r.id = a.resident_id
	ORDER BY r.kana_key ASC NULLS LAST, c.id ASC`

// rawCSV writes every card's export columns with encoding/csv, without
// labels, 外字 tables or formula guards: the floor of an export.
func (v *env) rawCSV(ctx context.Context, w io.Writer) (int, error) {
	rows, err := v.raw.QueryContext(ctx, exportSelect)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	vals := make([]sql.NullString, 18)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	cells := make([]string, len(vals))
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, v := range vals {
			cells[i] = v.String
		}
		if err := cw.Write(cells); err != nil {
			return n, err
		}
		n++
	}
	cw.Flush()
	return n, errors.Join(rows.Err(), cw.Error())
}

// watchHeap samples the live heap (right after a collection, four times
// a second) until the returned stop is called, which gives the largest
// growth in MB: what an export holds, not the garbage it leaves.
func watchHeap() (stop func() float64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() float64 {
		close(done)
		wg.Wait()
		return float64(int64(peak.Load())-int64(base)) / (1 << 20)
	}
}
