package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var wfNow = time.UnixMilli(1_790_000_000_000)

func mustUpdate(t *testing.T, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.Update(ctx, fn); err != nil {
		t.Fatal(err)
	}
}

func mustPost(t *testing.T, db *store.DB, p store.Posting) store.Posting {
	t.Helper()
	if p.CreatedAt.IsZero() {
		p.CreatedAt = wfNow
	}
	if p.Actor == "" {
		p.Actor = "tanaka"
	}
	mustUpdate(t, db, func(tx *store.Tx) error { return tx.InsertPosting(ctx, &p) })
	return p
}

func mustEvent(t *testing.T, db *store.DB, e store.CardEvent) {
	t.Helper()
	if e.Kind == "" {
		e.Kind = store.EventStatus
	}
	e.Actor = "tanaka"
	mustUpdate(t, db, func(tx *store.Tx) error { return tx.InsertCardEvent(ctx, &e) })
}

func workflowCard(t *testing.T, db *store.DB, id int64) store.WorkflowCard {
	t.Helper()
	var wc store.WorkflowCard
	err := db.View(ctx, func(tx *store.Tx) (err error) { wc, err = tx.WorkflowCardByID(ctx, id); return err })
	if err != nil {
		t.Fatal(err)
	}
	return wc
}

func TestPostingsKeepTheAddressHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusNoticeSent})
		mustPost(t, db, store.Posting{CardID: rec.ID, Kind: store.PostingNotice, Date: "2025-04-01", PostalCode: "669-1595", Address: "三田市三輪2丁目"})
		mustPost(t, db, store.Posting{CardID: rec.ID, Kind: store.PostingReturn, Date: "2025-04-10", Reason: "moved_unknown", Note: "転居済み"})
		mustPost(t, db, store.Posting{CardID: rec.ID, Kind: store.PostingResend, Date: "2025-04-20", Address: "神戸市中央区𠮷田町1", ActorID: 7})
		var got []store.Posting
		err := db.View(ctx, func(tx *store.Tx) (err error) { got, err = tx.CardPostings(ctx, rec.ID); return err })
		if err != nil {
			t.Fatal(err)
		}
		kinds := []string{}
		for _, p := range got {
			kinds = append(kinds, p.Kind)
		}
		if !slices.Equal(kinds, []string{"notice", "return", "resend"}) || got[2].Address != "神戸市中央区𠮷田町1" ||
			got[2].ActorID != 7 || got[0].ActorID != 0 || got[1].Reason != "moved_unknown" || !got[0].CreatedAt.Equal(wfNow) {
			t.Errorf("postings %+v", got)
		}
		bad := store.Posting{CardID: rec.ID, Kind: "telegram", Date: "2025-04-01", Actor: "x", CreatedAt: wfNow}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.InsertPosting(ctx, &bad) }); err == nil {
			t.Error("an unknown kind must be refused by the schema")
		}
	})
}

func TestWorkflowCardSumsUpPostingsAndEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusNoticeSent})
		other := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Status: card.StatusArrived})
		at := func(day int) time.Time { return time.Date(2025, 4, day, 3, 0, 0, 0, time.UTC) }
		mustEvent(t, db, store.CardEvent{CardID: rec.ID, At: at(1), FromStatus: card.StatusSetupDone, ToStatus: card.StatusNoticeSent})
		mustEvent(t, db, store.CardEvent{CardID: rec.ID, At: at(5), FromStatus: card.StatusNoticeSent, ToStatus: card.StatusNoticeReturned})
		mustEvent(t, db, store.CardEvent{CardID: rec.ID, At: at(9), FromStatus: card.StatusNoticeReturned, ToStatus: card.StatusNoticeSent})
		// A booking that fell through is no new mailing.
		mustEvent(t, db, store.CardEvent{CardID: rec.ID, At: at(20), FromStatus: card.StatusReserved, ToStatus: card.StatusNoticeSent})
		mustPost(t, db, store.Posting{CardID: rec.ID, Kind: store.PostingNotice, Date: "2025-03-31"})
		mustPost(t, db, store.Posting{CardID: rec.ID, Kind: store.PostingReturn, Date: "2025-04-04", Reason: "refused"})
		mustPost(t, db, store.Posting{CardID: rec.ID, Kind: store.PostingResend, Date: "2025-04-08"})
		mustPost(t, db, store.Posting{CardID: rec.ID, Kind: store.PostingRenotice, Date: "2025-07-15"})
		mustPost(t, db, store.Posting{CardID: other.ID, Kind: store.PostingNotice, Date: "2025-05-01"})

		wc := workflowCard(t, db, rec.ID)
		if wc.Resident.Name == "" || wc.FirstNotice != "2025-03-31" || wc.LastNotice.Date != "2025-04-08" ||
			wc.LastRenotice.Date != "2025-07-15" || wc.LastReturn.Date != "2025-04-04" || wc.LastReturn.Reason != "refused" ||
			wc.Returns != 1 || !wc.LastNotice.CreatedAt.Equal(wfNow) {
			t.Errorf("postings summed up as %+v", wc)
		}
		if !wc.FirstNoticeEvent.Equal(at(1)) || !wc.LastNoticeEvent.Equal(at(9)) || !wc.LastReturnEvent.Equal(at(5)) {
			t.Errorf("events %v %v %v", wc.FirstNoticeEvent, wc.LastNoticeEvent, wc.LastReturnEvent)
		}
		if wc.Hold != nil || wc.Disposal != nil {
			t.Errorf("hold %v disposal %v", wc.Hold, wc.Disposal)
		}
		bare := workflowCard(t, db, other.ID)
		if bare.FirstNotice != "2025-05-01" || bare.LastReturn.ID != 0 || !bare.LastReturnEvent.IsZero() || bare.LastRenotice.Date != "" {
			t.Errorf("other card %+v", bare)
		}
		err := db.View(ctx, func(tx *store.Tx) error { _, err := tx.WorkflowCardByID(ctx, 99); return err })
		if !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing card: %v", err)
		}
	})
}

func TestEachWorkflowCardFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusNoticeSent})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Status: card.StatusNoticeReturned})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 3, Status: card.StatusMailReturned, Method: card.MethodAtApplication})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 4, Status: card.StatusIssued})
		ids := func(f store.WorkflowFilter) []int64 {
			var out []int64
			err := db.View(ctx, func(tx *store.Tx) error {
				return tx.EachWorkflowCard(ctx, f, func(wc store.WorkflowCard) error { out = append(out, wc.ID); return nil })
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		returned := []card.Status{card.StatusNoticeReturned, card.StatusMailReturned}
		if got := ids(store.WorkflowFilter{Statuses: returned}); !slices.Equal(got, []int64{2, 3}) {
			t.Errorf("returned %v", got)
		}
		if got := ids(store.WorkflowFilter{Statuses: returned, Method: card.MethodCounter}); !slices.Equal(got, []int64{2}) {
			t.Errorf("counter returned %v", got)
		}
		if got := ids(store.WorkflowFilter{CardIDs: []int64{4, 1}}); !slices.Equal(got, []int64{1, 4}) {
			t.Errorf("by id %v", got)
		}
		if got := ids(store.WorkflowFilter{}); len(got) != 4 {
			t.Errorf("all %v", got)
		}
	})
}

func TestDisposalHoldPutReplaceLift(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusNoticeSent})
		mustUpdate(t, db, func(tx *store.Tx) error {
			return tx.PutDisposalHold(ctx, store.DisposalHold{CardID: rec.ID, Reason: "入院中", Until: "2025-12-31", ActorID: 7, Actor: "tanaka", CreatedAt: wfNow})
		})
		mustUpdate(t, db, func(tx *store.Tx) error {
			return tx.PutDisposalHold(ctx, store.DisposalHold{CardID: rec.ID, Reason: "入院延長", Until: "2026-03-31", Actor: "sato", CreatedAt: wfNow})
		})
		var h store.DisposalHold
		err := db.View(ctx, func(tx *store.Tx) (err error) { h, err = tx.DisposalHoldOf(ctx, rec.ID); return err })
		if err != nil || h.Reason != "入院延長" || h.Until != "2026-03-31" || h.Actor != "sato" || h.ActorID != 0 {
			t.Fatalf("hold %+v %v", h, err)
		}
		if wc := workflowCard(t, db, rec.ID); wc.Hold == nil || wc.Hold.Until != "2026-03-31" {
			t.Errorf("workflow hold %+v", wc.Hold)
		}
		mustUpdate(t, db, func(tx *store.Tx) error { return tx.DeleteDisposalHold(ctx, rec.ID) })
		err = db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteDisposalHold(ctx, rec.ID) })
		if !apperr.Is(err, apperr.NotFound) {
			t.Errorf("lifting a missing hold: %v", err)
		}
		err = db.View(ctx, func(tx *store.Tx) error { _, err := tx.DisposalHoldOf(ctx, rec.ID); return err })
		if !apperr.Is(err, apperr.NotFound) {
			t.Errorf("hold after lifting: %v", err)
		}
	})
}

func TestDisposalIsConfirmedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusDisposalPending})
		prop := store.Disposal{CardID: rec.ID, Rule: "returned", ProposedAt: wfNow, ProposerID: 7, Proposer: "tanaka", Method: "shred"}
		mustUpdate(t, db, func(tx *store.Tx) error { return tx.PutDisposalProposal(ctx, prop) })
		conf := prop
		conf.Method, conf.DisposedDate, conf.ConfirmedAt, conf.ConfirmerID, conf.Confirmer = "dissolve", "2025-06-02", wfNow, 8, "sato"
		mustUpdate(t, db, func(tx *store.Tx) error { return tx.ConfirmDisposalRecord(ctx, conf) })
		var d store.Disposal
		err := db.View(ctx, func(tx *store.Tx) (err error) { d, err = tx.DisposalOf(ctx, rec.ID); return err })
		if err != nil || !d.Confirmed() || d.Method != "dissolve" || d.Proposer != "tanaka" || d.ProposerID != 7 ||
			d.Confirmer != "sato" || d.ConfirmerID != 8 || !d.ConfirmedAt.Equal(wfNow) || d.Rule != "returned" {
			t.Fatalf("disposal %+v %v", d, err)
		}
		// Neither a second confirmation nor a new proposal changes a disposal.
		again := conf
		again.Confirmer, again.Proposer = "ito", "ito"
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.ConfirmDisposalRecord(ctx, again) }); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("second confirmation: %v", err)
		}
		mustUpdate(t, db, func(tx *store.Tx) error { return tx.PutDisposalProposal(ctx, again) })
		if wc := workflowCard(t, db, rec.ID); wc.Disposal == nil || wc.Disposal.Confirmer != "sato" || wc.Disposal.Proposer != "tanaka" {
			t.Errorf("confirmed disposal changed: %+v", wc.Disposal)
		}
		bad := prop
		bad.Method = "burn"
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.PutDisposalProposal(ctx, bad) }); err == nil {
			t.Error("an unknown method must be refused by the schema")
		}
	})
}

func TestConfirmWithoutProposalRowCreatesIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusDisposalPending})
		mustEvent(t, db, store.CardEvent{CardID: rec.ID, At: wfNow, ActorID: 7, FromStatus: card.StatusCancelled, ToStatus: card.StatusDisposalPending})
		var ev store.CardEvent
		err := db.View(ctx, func(tx *store.Tx) (err error) {
			ev, err = tx.LastStatusEvent(ctx, rec.ID, string(card.StatusDisposalPending))
			return err
		})
		if err != nil || ev.ActorID != 7 || ev.Actor != "tanaka" {
			t.Fatalf("last event %+v %v", ev, err)
		}
		conf := store.Disposal{CardID: rec.ID, ProposedAt: ev.At, ProposerID: ev.ActorID, Proposer: ev.Actor,
			Method: "other", DisposedDate: "2025-06-02", ConfirmedAt: wfNow, ConfirmerID: 8, Confirmer: "sato", Note: "溶解業者へ"}
		mustUpdate(t, db, func(tx *store.Tx) error { return tx.ConfirmDisposalRecord(ctx, conf) })
		if wc := workflowCard(t, db, rec.ID); wc.Disposal == nil || wc.Disposal.Note != "溶解業者へ" || wc.Disposal.ProposerID != 7 {
			t.Errorf("disposal %+v", wc.Disposal)
		}
		err = db.View(ctx, func(tx *store.Tx) error { _, err := tx.LastStatusEvent(ctx, rec.ID, "issued"); return err })
		if !apperr.Is(err, apperr.NotFound) {
			t.Errorf("no such event: %v", err)
		}
	})
}

func TestDashboardCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		issued := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusIssued, Delivery: "2025-03-01"})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Status: card.StatusSetupDone, Delivery: "2025-03-01"})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 3, Status: card.StatusSetupDone, Delivery: "2025-05-01"})
		cancelled := ledgertest.MustCard(t, db, ledgertest.Seed{App: 4, Status: card.StatusCancelled})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 5, Status: card.StatusArrived})
		// The cancelled card had a notice mailed before it was cancelled.
		mustEvent(t, db, store.CardEvent{CardID: cancelled.ID, At: wfNow, FromStatus: card.StatusSetupDone, ToStatus: card.StatusNoticeSent})
		mustEvent(t, db, store.CardEvent{CardID: issued.ID, At: wfNow, FromStatus: card.StatusNoticeSent, ToStatus: card.StatusIssued})
		mustEvent(t, db, store.CardEvent{CardID: issued.ID, At: wfNow.Add(-48 * time.Hour), Kind: store.EventImport, ToStatus: card.StatusIssued})

		var funnel []int
		var stock []store.StockCount
		var times []time.Time
		err := db.View(ctx, func(tx *store.Tx) (err error) {
			funnel, err = tx.FunnelCounts(ctx, [][]card.Status{nil, {card.StatusSetupDone, card.StatusNoticeSent, card.StatusIssued},
				{card.StatusNoticeSent, card.StatusIssued}, {card.StatusIssued}})
			if err != nil {
				return err
			}
			stock, err = tx.StockByDelivery(ctx, []card.Status{card.StatusSetupDone, card.StatusArrived})
			if err != nil {
				return err
			}
			times, err = tx.StatusEventTimes(ctx, card.StatusIssued, wfNow.Add(-72*time.Hour))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(funnel, []int{5, 4, 2, 1}) {
			t.Errorf("funnel %v, want [5 4 2 1]", funnel)
		}
		want := []store.StockCount{{card.StatusArrived, "", 1}, {card.StatusSetupDone, "2025-03-01", 1}, {card.StatusSetupDone, "2025-05-01", 1}}
		if !slices.Equal(stock, want) {
			t.Errorf("stock %v, want %v", stock, want)
		}
		if len(times) != 1 || !times[0].Equal(wfNow) {
			t.Errorf("issuance events %v: imports are not issuance", times)
		}
	})
}

func TestNoShowAndReturnCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusNoticeSent})
		b := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Status: card.StatusNoticeSent})
		for i, p := range []struct {
			card   int64
			status string
			done   time.Time
		}{{a.ID, store.PersonNoShow, wfNow}, {a.ID, store.PersonNoShow, wfNow.Add(-40 * 24 * time.Hour)},
			{b.ID, store.PersonIssued, wfNow}} {
			mustUpdate(t, db, func(tx *store.Tx) error {
				bk := store.Booking{Code: "CODE000" + string(rune('A'+i)), TokenHash: "hash" + string(rune('A'+i)), Service: "pickup",
					Place: "honcho", Start: wfNow, End: wfNow.Add(30 * time.Minute), Date: "2026-09-21", Channel: "web", Seats: 1,
					Status: store.BookingNoShow, CreatedAt: wfNow, CreatedBy: "test"}
				if _, err := tx.InsertBooking(ctx, &bk); err != nil {
					return err
				}
				return tx.InsertBookingPerson(ctx, &store.BookingPerson{BookingID: bk.ID, Seq: 1, Service: "pickup", CardID: p.card,
					PersonKey: "k", Status: p.status, DoneAt: p.done})
			})
		}
		mustPost(t, db, store.Posting{CardID: b.ID, Kind: store.PostingReturn, Date: "2025-04-01"})
		mustPost(t, db, store.Posting{CardID: b.ID, Kind: store.PostingReturn, Date: "2025-05-01"})
		var noShows, returns map[int64]int
		var month int
		err := db.View(ctx, func(tx *store.Tx) (err error) {
			if noShows, err = tx.NoShowCounts(ctx, []int64{a.ID, b.ID}); err != nil {
				return err
			}
			if returns, err = tx.ReturnCounts(ctx, []int64{a.ID, b.ID}); err != nil {
				return err
			}
			month, err = tx.NoShowsSince(ctx, wfNow.Add(-24*time.Hour))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(noShows) != 1 || noShows[a.ID] != 2 || len(returns) != 1 || returns[b.ID] != 2 || month != 1 {
			t.Errorf("no-shows %v returns %v this month %d", noShows, returns, month)
		}
		err = db.View(ctx, func(tx *store.Tx) error {
			m, err := tx.NoShowCounts(ctx, nil)
			if len(m) != 0 {
				t.Errorf("no cards: %v", m)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
