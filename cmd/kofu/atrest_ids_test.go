package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// The demo city leaves none of its residents' birth dates (in any of the
// forms a leak would take), notice numbers, 宛名番号 or card remarks and
// surface-update notes readable in the SQLite files or a pg_dump: without
// the key, a copied database must not give what the public site asks to
// manage a booking (notice number and birth date).
func TestDemoCityIdentifiersAreNotInTheFilesOrADump(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			dsn := storetest.MustDSN(t, e)
			if err := runServe(t, "--demo", "--db", dsn); err != nil {
				t.Fatal(err)
			}
			n := demoNeedles(t, dsn)
			data := storetest.Dump(t, e, dsn)
			if len(n["notice_number"]) < 100 || len(n["remarks"]) < 3 || len(n["note"]) < 7 {
				t.Fatalf("too few seeded values to look for: %d notices, %d remarks, %d notes",
					len(n["notice_number"]), len(n["remarks"]), len(n["note"]))
			}
			if !bytes.Contains(data, []byte("D000")) { // a box name: stored as it is
				t.Fatal("control: a box name is not in the bytes read")
			}
			storetest.AssertNoHits(t, string(e), data, n)
		})
	}
}

// demoNeedles reads, with the key, what the demo seeded.
func demoNeedles(t *testing.T, dsn string) storetest.Needles {
	t.Helper()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.UseKeys(storetest.Keys())
	n := storetest.Needles{}
	err = db.View(ctx, func(tx *store.Tx) error {
		recs, _, err := tx.SearchCards(ctx, store.CardFilter{Sort: "id", Limit: 1000})
		if err != nil {
			return err
		}
		for _, r := range recs {
			n.AddBirthDate(r.Resident.BirthDate)
			n.Add("notice_number", r.NoticeNumber)
			n.Add("resident_number", r.Resident.ResidentNumber)
			n.Add("remarks", r.Resident.Remarks)
			if h, err := tx.DisposalHoldOf(ctx, r.ID); err == nil {
				n.Add("note", h.Reason) // why a card is kept: "長期入院中のため"
			}
		}
		reissues, err := tx.Reissues(ctx, store.ReissueFilter{})
		if err != nil {
			return err
		}
		for _, x := range reissues {
			n.Add("note", x.VoidReason, x.ReasonDetail, x.FreeDetail)
		}
		ups, _, err := tx.SurfaceUpdates(ctx, store.SurfaceFilter{Limit: 100})
		if err != nil {
			return err
		}
		for _, u := range ups {
			n.Add("note", u.Note)
		}
		day := time.Now()
		for i := -7; i < 28; i++ {
			bs, err := tx.ListBookings(ctx, store.BookingFilter{Date: day.AddDate(0, 0, i).Format(time.DateOnly)})
			if err != nil {
				return err
			}
			for _, b := range bs {
				for _, p := range b.People {
					n.AddBirthDate(p.BirthDate)
					n.Add("notice_number", p.NoticeNumber)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
