package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// eachBatch is how many scanned rows travel together from the reading
// goroutine of EachCard to the one that decrypts them.
const eachBatch = 256

// scannedCard is a card row as read, its sealed fields not yet opened.
type scannedCard struct {
	rec        CardRecord
	name, kana string // sealed search keys, read only for a name query
}

// EachCard streams every card matching f, ignoring paging, so an export of
// a million cards holds a few hundred rows in memory at a time. Names are
// sealed, so the kana and name sorts stream in card ID order here, and a
// name query's candidates are checked against the decrypted name one by
// one.
//
// Reading the rows and decrypting them take about the same time, so they
// run on two goroutines: one reads and scans batches of rows, the caller's
// opens the sealed fields and calls fn.
func (t *Tx) EachCard(ctx context.Context, f CardFilter, fn func(CardRecord) error) error {
	order, err := f.orderBy()
	if err != nil {
		return err
	}
	where, args, err := f.where(t.keys)
	if err != nil {
		return err
	}
	qkeys := queryKeys(f.Query)
	cols := recordColumns
	if len(qkeys) > 0 {
		cols += `, r.name_key, r.kana_key`
	}
	rows, err := t.query(ctx, `SELECT `+cols+cardFrom+where+order, args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches, readErr := readBatches(ctx, rows, len(qkeys) > 0)
	for batch := range batches {
		for i := range batch {
			if err := t.openScanned(&batch[i], qkeys, f.Remarks, fn); err != nil {
				cancel()
				for range batches { // let the reader see the cancel and stop
				}
				return err
			}
		}
	}
	return readErr()
}

// readBatches scans rows on a goroutine of its own; the returned function
// gives the reading error once the channel is closed.
func readBatches(ctx context.Context, rows *sql.Rows, withKeys bool) (<-chan []scannedCard, func() error) {
	out := make(chan []scannedCard, 2)
	var err error
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(out)
		batch := make([]scannedCard, 0, eachBatch)
		for rows.Next() {
			var sc scannedCard
			var s recordScan
			targets := s.targets(&sc.rec)
			if withKeys {
				targets = append(targets, &sc.name, &sc.kana)
			}
			if err = rows.Scan(targets...); err != nil {
				return
			}
			s.finish(&sc.rec)
			if batch = append(batch, sc); len(batch) == eachBatch {
				if !send(ctx, out, batch) {
					return
				}
				batch = make([]scannedCard, 0, eachBatch)
			}
		}
		if err = rows.Err(); err == nil && len(batch) > 0 {
			send(ctx, out, batch)
		}
	})
	return out, func() error { wg.Wait(); return err }
}

func send(ctx context.Context, out chan<- []scannedCard, batch []scannedCard) bool {
	select {
	case out <- batch:
		return true
	case <-ctx.Done():
		return false
	}
}

// openScanned decrypts one scanned card and hands it to fn if it matches
// the name query and the remarks (both sealed, so checked here).
func (t *Tx) openScanned(sc *scannedCard, qkeys []string, remarks string, fn func(CardRecord) error) error {
	if len(qkeys) > 0 {
		keys, err := t.openKeys("residents", sc.rec.Resident.ID, sc.name, sc.kana)
		if err != nil {
			return err
		}
		if !keys.matches(qkeys) {
			return nil
		}
	}
	if err := t.openResident(&sc.rec.Resident); err != nil {
		return err
	}
	if remarks != "" && !strings.Contains(sc.rec.Resident.Remarks, remarks) {
		return nil
	}
	if err := t.openCard(&sc.rec.Card); err != nil {
		return err
	}
	return fn(sc.rec)
}
