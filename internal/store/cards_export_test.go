package store_test

import (
	"errors"
	"testing"

	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// eachCards collects what EachCard hands out for f.
func eachCards(t *testing.T, db *store.DB, f store.CardFilter) []store.CardRecord {
	t.Helper()
	var out []store.CardRecord
	err := db.View(ctx, func(tx *store.Tx) error {
		return tx.EachCard(ctx, f, func(rec store.CardRecord) error { out = append(out, rec); return nil })
	})
	if err != nil {
		t.Fatalf("EachCard %+v: %v", f, err)
	}
	return out
}

// More cards than one batch of the reading goroutine pass through
// EachCard in order with their names decrypted; a name query keeps only
// its matches; an error from fn stops the stream and is returned.
func TestEachCardStreamsOpensFiltersAndStops(t *testing.T) {
	const n = 600 // over two batches of 256
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := ledgertest.SeedCards(ctx, db, n); err != nil {
			t.Fatal(err)
		}
		ledgertest.MustCard(t, db, ledgertest.Seed{App: n + 1, Name: "三輪　𠮷子", Kana: "ミワ　ヨシコ"})
		all := eachCards(t, db, store.CardFilter{Sort: "id"})
		if len(all) != n+1 {
			t.Fatalf("streamed %d cards, want %d", len(all), n+1)
		}
		for i, rec := range all {
			if i > 0 && rec.ID <= all[i-1].ID {
				t.Fatalf("card %d (id %d) after id %d: not in id order", i, rec.ID, all[i-1].ID)
			}
		}
		if last := all[n].Resident; last.Name != "三輪　𠮷子" || last.NameKana != "ミワ　ヨシコ" {
			t.Errorf("last card's name = %q %q, want it decrypted", last.Name, last.NameKana)
		}
		found := eachCards(t, db, store.CardFilter{Query: "ミワ　ヨシコ"})
		if len(found) != 1 || found[0].Resident.Name != "三輪　𠮷子" {
			t.Errorf("name query ミワ　ヨシコ streamed %d cards: %v", len(found), found)
		}
		stop := errors.New("stop")
		seen := 0
		err := db.View(ctx, func(tx *store.Tx) error {
			return tx.EachCard(ctx, store.CardFilter{Sort: "id"}, func(store.CardRecord) error {
				if seen++; seen == 300 {
					return stop
				}
				return nil
			})
		})
		if !errors.Is(err, stop) || seen != 300 {
			t.Errorf("after fn failed at card 300: err %v, fn called %d times", err, seen)
		}
		if got := len(eachCards(t, db, store.CardFilter{Sort: "id"})); got != n+1 {
			t.Errorf("after a stopped stream the next one found %d cards", got)
		}
	})
}
