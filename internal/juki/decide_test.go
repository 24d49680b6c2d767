package juki_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

const deceased = "宛名番号,氏名,氏名カナ,生年月日,性別,住所,住基カード,住民状態,異動日\n" +
	"100,山本　一,ヤマモト　ハジメ,1940-01-01,男,三田市A町1,無,死亡,2026-10-01\n"

// oneProposal seeds a waiting card of a deceased person and imports the
// extract that proposes cancelling it.
func oneProposal(t *testing.T, db *store.DB) (store.Proposal, store.CardRecord) {
	t.Helper()
	c := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Resident: "100", Name: "山本　一", Birth: "1940-01-01", Status: card.StatusNoticeSent})
	svc := newService(db)
	if _, err := svc.Import(ctx, staff, auth.Meta{}, strings.NewReader(deceased)); err != nil {
		t.Fatal(err)
	}
	props, err := svc.Proposals(ctx, staff, auth.Meta{})
	if err != nil || len(props) != 1 {
		t.Fatalf("proposals: %+v %v", props, err)
	}
	return props[0], c
}

func TestDecidedProposalCannotBeDecidedAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		prop, c := oneProposal(t, db)
		svc := newService(db)
		if err := svc.Dismiss(ctx, staff, auth.Meta{}, prop.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.Confirm(ctx, staff, auth.Meta{}, prop.ID); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("confirming a dismissed proposal: %v", err)
		}
		if err := svc.Dismiss(ctx, staff, auth.Meta{}, prop.ID); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("dismissing twice: %v", err)
		}
		var rec store.CardRecord
		db.View(ctx, func(tx *store.Tx) (err error) { rec, err = tx.CardByID(ctx, c.ID); return })
		if rec.Status != card.StatusNoticeSent {
			t.Fatalf("a dismissed proposal leaves the card: %s", rec.Status)
		}
	})
}

func TestConfirmThatCannotCancelPutsTheProposalBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		prop, c := oneProposal(t, db)
		// The card was cancelled meanwhile by another way.
		if _, err := ledger.New(db, clock.NewFixed(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))).Transition(ctx, staff, auth.Meta{}, c.ID, card.StatusCancelled, "", card.ReasonOther); err != nil {
			t.Skipf("cannot cancel directly here: %v", err)
		}
		svc := newService(db)
		if err := svc.Confirm(ctx, staff, auth.Meta{}, prop.ID); err == nil {
			t.Fatal("cancelling a cancelled card must fail")
		}
		props, _ := svc.Proposals(ctx, staff, auth.Meta{})
		if len(props) != 1 || props[0].ID != prop.ID {
			t.Fatalf("the proposal must wait again: %+v", props)
		}
	})
}

func TestProposalListIsAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		oneProposal(t, db)
		var n int
		db.View(ctx, func(tx *store.Tx) (err error) {
			n, err = tx.SearchAudit(ctx, store.AuditFilter{Action: "juki.proposals_listed"}, func(audit.Entry) error { return nil })
			return err
		})
		if n != 1 {
			t.Fatalf("audit entries for the list: %d", n)
		}
	})
}
