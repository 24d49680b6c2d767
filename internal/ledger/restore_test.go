package ledger_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// A card pending disposal still exists: when its owner turns up it goes
// back into stock (and its proposal is dropped), so booking and issuance
// take it like any waiting card.
func TestCardPendingDisposalGoesBackToStock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		wf := wfAt(t, db, "2026-04-01")
		svc := wf.Service
		counter := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "RST-000001", Status: card.StatusNoticeSent})
		mailed := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Status: card.StatusMailReturned, Method: card.MethodAtApplication})
		for _, rec := range []store.CardRecord{counter, mailed} {
			if _, err := svc.Transition(ctx, staff(), meta(), rec.ID, card.StatusDisposalPending, "期限切れ", ""); err != nil {
				t.Fatal(err)
			}
		}
		if cw := mustCardWorkflow(t, wf, counter.ID); cw.Disposal == nil || !slices.Contains(cw.Next, card.StatusNoticeSent) {
			t.Fatalf("pending disposal: proposal %+v, next %v", cw.Disposal, cw.Next)
		}
		d, err := svc.Transition(ctx, staff2(), meta(), counter.ID, card.StatusNoticeSent, "本人が来庁（予約の電話）", "")
		if err != nil || d.Card.Status != card.StatusNoticeSent || !slices.Contains(d.Next, card.StatusIssued) {
			t.Fatalf("back to stock: %v %s %v", err, d.Card.Status, d.Next)
		}
		if cw := mustCardWorkflow(t, wf, counter.ID); cw.Disposal != nil {
			t.Errorf("the proposal must go with the restore: %+v", cw.Disposal)
		}
		if _, err := svc.Transition(ctx, staff(), meta(), mailed.ID, card.StatusNoticeSent, "", ""); apperr.CodeOf(err) != card.CodeIllegalTransition {
			t.Errorf("an at-application card has no notice: %v", err)
		}
		d, err = svc.Transition(ctx, staff(), meta(), mailed.ID, card.StatusMailReturned, "本人が来庁", "")
		if err != nil || d.Card.Status != card.StatusMailReturned || !slices.Contains(d.Next, card.StatusIssued) {
			t.Fatalf("at-application card back to stock: %v %s %v", err, d.Card.Status, d.Next)
		}
	})
}

func TestCancelledCardPendingDisposalStaysOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := wfAt(t, db, "2026-04-01").Service
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "RST-000002", Status: card.StatusNoticeSent})
		if _, err := svc.Transition(ctx, staff(), meta(), rec.ID, card.StatusCancelled, "", card.ReasonDeath); err != nil {
			t.Fatal(err)
		}
		d, err := svc.Transition(ctx, staff(), meta(), rec.ID, card.StatusDisposalPending, "", "")
		if err != nil || slices.Contains(d.Next, card.StatusNoticeSent) || !slices.Contains(d.Next, card.StatusOnHold) {
			t.Fatalf("pending disposal of a cancelled card: %v next %v", err, d.Next)
		}
		_, err = svc.Transition(ctx, staff(), meta(), rec.ID, card.StatusNoticeSent, "", "")
		if apperr.CodeOf(err) != card.CodeIllegalTransition || !strings.Contains(apperr.MessageOf(err), "廃止（死亡）") ||
			!strings.Contains(apperr.MessageOf(err), "再申請") {
			t.Fatalf("restore of a cancelled card: %v", err)
		}
		// A reason lost (older data) still leaves the cancellation in the history.
		err = db.Update(ctx, func(tx *store.Tx) error {
			c, err := tx.CardByID(ctx, rec.ID)
			if err != nil {
				return err
			}
			c.CancelReason = ""
			return tx.UpdateCard(ctx, &c.Card, c.UpdatedAt)
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Transition(ctx, staff(), meta(), rec.ID, card.StatusNoticeSent, "", ""); apperr.CodeOf(err) != card.CodeIllegalTransition {
			t.Fatalf("restore of a card cancelled in its history: %v", err)
		}
	})
}
