package intake

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/legacy/legacytest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// The ledger import gives the same cards, history, mailings and report
// whether its rows are applied one by one or in chunks, for a first import
// (new cards) and for the same file again (every row compared).
func TestLedgerChunksApplyRowsAsOneByOne(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			file := legacytest.Sample(t)
			var want string
			for _, size := range []int{1, 7, defaultChunkRows} {
				db := storetest.MustOpen(t, e)
				s := ledgerService(db)
				s.chunkRows = size
				first := importLedger(t, s, file, false)
				again := importLedger(t, s, file, false)
				if first.Created != 119 || again.Created != 0 || again.Updated+again.Unchanged+again.RejectedRows() != 120 {
					t.Fatalf("chunks of %d: first %+v, again %+v", size, first.Result, again.Result)
				}
				got := ledgerHistoryDigest(t, db) + outcomesDigest(t, first) + outcomesDigest(t, again)
				if size == 1 {
					want = got
					continue
				}
				if got != want {
					t.Fatalf("chunks of %d differ from row by row:\n%s\nwant:\n%s", size, got, want)
				}
			}
			for _, s := range []string{"posting notice", "event status →issued", "event import"} {
				if !strings.Contains(want, s) {
					t.Errorf("ledger lacks %q", s)
				}
			}
		})
	}
}

// ledgerHistoryDigest writes every card with its resident, history and
// mailings.
func ledgerHistoryDigest(t *testing.T, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	err := db.View(ctx, func(tx *store.Tx) error {
		recs, _, err := tx.SearchCards(ctx, store.CardFilter{Sort: "application_id", Limit: 1000})
		if err != nil {
			return err
		}
		for _, rec := range recs {
			r := rec.Resident
			fmt.Fprintf(&b, "%s %s %s %s %s %s %s %s v%d\n", rec.Application.ApplicationID, rec.NoticeNumber, r.ResidentNumber,
				r.Name, r.Address, rec.Status, rec.StorageLocation, r.Remarks, rec.Version)
			events, err := tx.CardEvents(ctx, rec.ID)
			if err != nil {
				return err
			}
			for _, e := range events {
				fmt.Fprintf(&b, "  event %s %s→%s %q %q %q %s %s\n", e.Kind, e.FromStatus, e.ToStatus, e.Field, e.OldValue, e.NewValue,
					e.Reason, e.At.UTC().Format("2006-01-02T15:04"))
			}
			postings, err := tx.CardPostings(ctx, rec.ID)
			if err != nil {
				return err
			}
			for _, p := range postings {
				fmt.Fprintf(&b, "  posting %s %s %s %s %s %s\n", p.Kind, p.Date, p.PostalCode, p.Address, p.Note, p.Actor)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func outcomesDigest(t *testing.T, res LedgerResult) string {
	t.Helper()
	res.ImportID, res.AlreadyImported = 0, nil
	res.Warnings = nil // the second import names the first by its time
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}
