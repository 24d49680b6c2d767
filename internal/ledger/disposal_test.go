package ledger_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// boundary checks that card id is in the list only from day on: not the
// day before, and still the day after.
func boundary(t *testing.T, db *store.DB, list string, id int64, before, on, after string) {
	t.Helper()
	for _, c := range []struct {
		day  string
		want bool
	}{{before, false}, {on, true}, {after, true}} {
		if got := slices.Contains(due(t, wfAt(t, db, c.day), list), id); got != c.want {
			t.Errorf("%s list on %s: card %d listed %v, want %v", list, c.day, id, got, c.want)
		}
	}
}

func TestRenoticeIsDueDaysAfterTheDeadline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusSetupDone})
		mustSend(t, wfAt(t, db, "2025-01-10"), "2025-01-10", rec.ID)
		// Deadline 1/10 + 90 days = 4/10; due 14 days after: 4/24.
		boundary(t, db, "renotice", rec.ID, "2025-04-23", "2025-04-24", "2025-04-25")
		overdue := func(day string) bool { return mustCardWorkflow(t, wfAt(t, db, day), rec.ID).Assessment.NoticeOverdue }
		if overdue("2025-04-10") || !overdue("2025-04-11") {
			t.Error("a notice is overdue from the day after its deadline")
		}
		wf := wfAt(t, db, "2025-04-25")
		res, err := wf.SendRenotices(ctx, staff(), meta(), []int64{rec.ID}, "2025-04-25")
		if err != nil || len(res.Done) != 1 {
			t.Fatalf("renotice: %+v %v", res, err)
		}
		cw := mustCardWorkflow(t, wf, rec.ID)
		if cw.Card.Status != card.StatusNoticeSent || cw.Dates.Renotice != "2025-04-25" || cw.Assessment.RenoticeDeadline != "2025-05-25" ||
			cw.Events[len(cw.Events)-1].Reason != "再通知を発送（2025-04-25）" || cw.Postings[1].Kind != store.PostingRenotice {
			t.Errorf("after renotice: %+v %+v", cw.Dates, cw.Assessment)
		}
		if got := due(t, wf, "renotice"); len(got) != 0 {
			t.Errorf("a re-noticed card is no longer due: %v", got)
		}
		again, err := wf.SendRenotices(ctx, staff(), meta(), []int64{rec.ID}, "2025-04-25")
		if err != nil || len(again.Failed) != 1 || again.Failed[0].Code != "conflict" {
			t.Errorf("a second re-notice for the same notice: %+v %v", again, err)
		}
		if len(auditEntries(t, db, "card.renotice_sent")) != 1 || len(auditEntries(t, db, "card.renotices_listed")) == 0 {
			t.Error("renotice and its list must be audited")
		}
	})
}

func TestRenoticeRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rules := ledger.DefaultDisposalRules()
		rules.NoticeValidDays, rules.RenoticeAfterDays = 30, 1
		if err := wfAt(t, db, "2025-01-01").SaveRules(ctx, staff(), meta(), rules); err != nil {
			t.Fatal(err)
		}
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusSetupDone})
		mustSend(t, wfAt(t, db, "2025-01-10"), "2025-01-10", rec.ID)
		boundary(t, db, "renotice", rec.ID, "2025-02-09", "2025-02-10", "2025-02-11")
		// The batch reports a refusal per card.
		res, err := wfAt(t, db, "2025-02-10").SendRenotices(ctx, staff(), meta(), []int64{rec.ID}, "2025-01-09")
		if err != nil || len(res.Failed) != 1 || !strings.Contains(res.Failed[0].Message, "発送日（2025-01-10）より前") {
			t.Errorf("renotice before the notice: %+v %v", res, err)
		}
	})
}

func TestDisposalAfterRenoticeAndRetention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		early := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusSetupDone})
		late := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Status: card.StatusSetupDone})
		mustSend(t, wfAt(t, db, "2024-06-02"), "2024-06-02", early.ID, late.ID)
		renotice := func(day string, id int64) {
			if res, err := wfAt(t, db, day).SendRenotices(ctx, staff(), meta(), []int64{id}, day); err != nil || len(res.Done) != 1 {
				t.Fatalf("renotice: %+v %v", res, err)
			}
		}
		renotice("2024-09-15", early.ID) // deadline 10/15: the 12 months end later
		renotice("2025-05-20", late.ID)  // deadline 6/19: after the 12 months
		// 12 months since 2024-06-02 have passed from 2025-06-03.
		boundary(t, db, "disposal", early.ID, "2025-06-02", "2025-06-03", "2025-06-04")
		boundary(t, db, "disposal", late.ID, "2025-06-19", "2025-06-20", "2025-06-21")
		it := mustCardWorkflow(t, wfAt(t, db, "2025-06-03"), early.ID)
		if it.Assessment.DisposalRule != ledger.RuleRenotice || it.Assessment.DisposalDueFrom != "2025-06-03" || !it.Can.Propose {
			t.Errorf("assessment %+v can %+v", it.Assessment, it.Can)
		}
	})
}

func TestNoDisposalWithoutRenotice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusSetupDone})
		mustSend(t, wfAt(t, db, "2023-01-10"), "2023-01-10", rec.ID)
		wf := wfAt(t, db, "2025-01-10")
		if got := due(t, wf, "disposal"); len(got) != 0 {
			t.Errorf("without a re-notice a card is not disposed of: %v", got)
		}
		if got := due(t, wf, "renotice"); !slices.Equal(got, []int64{rec.ID}) {
			t.Errorf("it waits for its re-notice: %v", got)
		}
		_, err := wf.ProposeDisposal(ctx, staff(), meta(), rec.ID, ledger.ProposeInput{})
		if !apperr.Is(err, apperr.Conflict) || !strings.Contains(apperr.MessageOf(err), "廃棄の対象ではありません") {
			t.Errorf("proposal of a card not due: %v", err)
		}
	})
}

func TestDisposalMonthsAfterAReturn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusSetupDone})
		mustSend(t, wfAt(t, db, "2024-05-20"), "2024-05-20", rec.ID)
		if _, err := wfAt(t, db, "2024-06-02").RecordReturn(ctx, staff(), meta(), rec.ID,
			ledger.ReturnInput{Date: "2024-06-02", Reason: ledger.ReturnAddressUnknown}); err != nil {
			t.Fatal(err)
		}
		boundary(t, db, "disposal", rec.ID, "2025-06-02", "2025-06-03", "2025-06-04")
		rules := ledger.DefaultDisposalRules()
		rules.ReturnedMonths = 6
		if err := wfAt(t, db, "2024-06-02").SaveRules(ctx, staff(), meta(), rules); err != nil {
			t.Fatal(err)
		}
		boundary(t, db, "disposal", rec.ID, "2024-12-02", "2024-12-03", "2024-12-04")
	})
}

func TestExpiredOrCancelledCardsAreDueAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		expiring := ledgertest.Seed{App: 1, Status: card.StatusNoticeSent}.Record()
		expiring.ExpiryDate = "2025-06-02"
		exp := mustRecord(t, db, expiring)
		cancelled := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Status: card.StatusCancelled})
		// The expiry date itself is still valid.
		boundary(t, db, "disposal", exp.ID, "2025-06-02", "2025-06-03", "2025-06-04")
		it := mustCardWorkflow(t, wfAt(t, db, "2025-06-03"), exp.ID)
		if it.Assessment.DisposalRule != ledger.RuleExpired || ledger.RuleLabel(it.Assessment.DisposalRule) != "カードの有効期限切れ" {
			t.Errorf("expired: %+v", it.Assessment)
		}
		if got := due(t, wfAt(t, db, "2025-01-01"), "disposal"); !slices.Equal(got, []int64{cancelled.ID}) {
			t.Errorf("a cancelled card is due at once: %v", got)
		}
	})
}

func TestDisposalCountedFromTheApplication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rules := ledger.DefaultDisposalRules()
		rules.DisposalFrom = ledger.FromApplication
		if err := wfAt(t, db, "2024-01-01").SaveRules(ctx, staff(), meta(), rules); err != nil {
			t.Fatal(err)
		}
		seed := ledgertest.Seed{App: 1, Status: card.StatusSetupDone, Delivery: "2024-03-01"}.Record()
		seed.IssueDate = "2024-02-15"
		rec := mustRecord(t, db, seed)
		mustSend(t, wfAt(t, db, "2024-06-02"), "2024-06-02", rec.ID)
		if res, err := wfAt(t, db, "2024-10-01").SendRenotices(ctx, staff(), meta(), []int64{rec.ID}, "2024-10-01"); err != nil || len(res.Done) != 1 {
			t.Fatal(res, err)
		}
		// Counted from the issue date 2024-02-15, the earliest date after the application.
		boundary(t, db, "disposal", rec.ID, "2025-02-15", "2025-02-16", "2025-02-17")
	})
}

func TestHoldKeepsACardFromDisposal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusCancelled})
		wf := wfAt(t, db, "2025-06-02")
		cw, err := wf.HoldDisposal(ctx, staff(), meta(), rec.ID, ledger.HoldInput{Reason: "長期入院のため本人から申出", Until: "2025-09-30"})
		if err != nil || cw.Hold == nil || !cw.Assessment.Held || cw.Assessment.DisposalDue || !cw.Can.Release || cw.Can.Propose {
			t.Fatalf("hold: %v %+v %+v", err, cw.Assessment, cw.Can)
		}
		if e := auditEntries(t, db, "card.disposal_held"); len(e) != 1 || strings.Contains(e[0].Detail, "入院") {
			t.Errorf("hold audit must not hold the reason: %+v", e)
		}
		boundary(t, db, "disposal", rec.ID, "2025-09-30", "2025-10-01", "2025-10-02")
		if got := due(t, wf, "held"); !slices.Equal(got, []int64{rec.ID}) {
			t.Errorf("held list %v", got)
		}
		_, err = wf.ProposeDisposal(ctx, staff(), meta(), rec.ID, ledger.ProposeInput{})
		if !apperr.Is(err, apperr.Conflict) || !strings.Contains(apperr.MessageOf(err), "2025-09-30 まで保留中") {
			t.Errorf("proposal while held: %v", err)
		}
		for _, in := range []ledger.HoldInput{{Until: "2025-09-30"}, {Reason: "x", Until: "2025-06-01"}, {Reason: "x", Until: "2031-01-01"}} {
			if _, err := wf.HoldDisposal(ctx, staff(), meta(), rec.ID, in); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("hold %+v: %v", in, err)
			}
		}
		cw, err = wf.ReleaseHold(ctx, staff(), meta(), rec.ID, 0)
		if err != nil || cw.Hold != nil || !cw.Assessment.DisposalDue {
			t.Fatalf("release: %v %+v", err, cw.Assessment)
		}
		if _, err := wf.ReleaseHold(ctx, staff(), meta(), rec.ID, 0); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("second release: %v", err)
		}
		if n := len(auditEntries(t, db, "card.disposal_hold_released")); n != 1 {
			t.Errorf("%d release entries", n)
		}
	})
}

func TestDisposalNeedsTwoStaffMembers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusCancelled})
		wf := wfAt(t, db, "2025-06-02")
		cw, err := wf.ProposeDisposal(ctx, staff(), meta(), rec.ID, ledger.ProposeInput{Method: ledger.MethodShred, Note: "第2四半期分", Version: 1})
		if err != nil || cw.Card.Status != card.StatusDisposalPending || cw.Disposal == nil || cw.Disposal.Proposer != "tanaka" ||
			cw.Disposal.Rule != ledger.RuleCancelled || !cw.Can.Confirm {
			t.Fatalf("propose: %v %s %+v", err, cw.Card.Status, cw.Disposal)
		}
		if got := due(t, wf, "pending"); !slices.Equal(got, []int64{rec.ID}) {
			t.Errorf("pending %v", got)
		}
		confirm := ledger.ConfirmInput{Date: "2025-06-02", Method: ledger.MethodDissolve}
		_, err = wf.ConfirmDisposal(ctx, staff(), meta(), rec.ID, confirm)
		if !apperr.Is(err, apperr.Forbidden) || !strings.Contains(apperr.MessageOf(err), "起案した職員（tanaka）") {
			t.Errorf("the proposer confirms: %v", err)
		}
		if _, err := wf.ConfirmDisposal(ctx, staff2(), meta(), rec.ID, ledger.ConfirmInput{Date: "2025-06-02", Method: ledger.MethodOther}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("other without a note: %v", err)
		}
		cw, err = wf.ConfirmDisposal(ctx, staff2(), meta(), rec.ID, confirm)
		if err != nil {
			t.Fatal(err)
		}
		d := cw.Disposal
		if cw.Card.Status != card.StatusDisposed || d == nil || d.DisposedDate != "2025-06-02" || d.Method != "dissolve" ||
			d.Proposer != "tanaka" || d.ProposerID != 7 || d.Confirmer != "sato" || d.ConfirmerID != 8 || len(cw.Next) != 0 {
			t.Fatalf("confirmed: %s %+v next %v", cw.Card.Status, d, cw.Next)
		}
		if det := detailOf(t, auditEntries(t, db, "card.disposed")[0]); det["proposer"] != "tanaka" || det["method"] != "dissolve" {
			t.Errorf("audit %v", det)
		}
		assertFrozen(t, db, wf, rec.ID)
	})
}

// assertFrozen checks that a disposed card can no longer change.
func assertFrozen(t *testing.T, db *store.DB, wf *ledger.Workflows, id int64) {
	t.Helper()
	steps := map[string]func() error{
		"transition": func() error {
			_, err := wf.Transition(ctx, staff(), meta(), id, card.StatusOnHold, "", "")
			return err
		},
		"hold": func() error {
			_, err := wf.HoldDisposal(ctx, staff(), meta(), id, ledger.HoldInput{Reason: "x", Until: "2025-12-31"})
			return err
		},
		"confirm again": func() error {
			_, err := wf.ConfirmDisposal(ctx, staff2(), meta(), id, ledger.ConfirmInput{Date: "2025-06-02", Method: ledger.MethodShred})
			return err
		},
		"propose": func() error {
			_, err := wf.ProposeDisposal(ctx, staff(), meta(), id, ledger.ProposeInput{})
			return err
		},
		"return": func() error {
			_, err := wf.RecordReturn(ctx, staff(), meta(), id, ledger.ReturnInput{Date: "2025-06-01", Reason: ledger.ReturnRefused})
			return err
		},
	}
	before := mustCardWorkflow(t, wf, id)
	for name, step := range steps {
		if err := step(); apperr.CodeOf(err) != card.CodeIllegalTransition {
			t.Errorf("%s on a disposed card: %v", name, err)
		}
	}
	after := mustCardWorkflow(t, wf, id)
	if after.Card.Version != before.Card.Version || len(after.Events) != len(before.Events) {
		t.Errorf("the disposed card changed: v%d → v%d", before.Card.Version, after.Card.Version)
	}
}

// The card page may queue a card for disposal but not dispose of it, and
// whoever queued it counts as the proposer.
func TestCardPageCannotDisposeAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusCancelled})
		wf := wfAt(t, db, "2025-06-02")
		d, err := wf.Transition(ctx, staff(), meta(), rec.ID, card.StatusDisposalPending, "廃棄へ", "")
		if err != nil || slices.Contains(d.Next, card.StatusDisposed) {
			t.Fatalf("queue from the card page: %v, next %v", err, d.Next)
		}
		_, err = wf.Transition(ctx, staff2(), meta(), rec.ID, card.StatusDisposed, "", "")
		if apperr.CodeOf(err) != card.CodeIllegalTransition || !strings.Contains(apperr.MessageOf(err), "別の職員が確認") {
			t.Errorf("dispose from the card page: %v", err)
		}
		confirm := ledger.ConfirmInput{Date: "2025-06-02", Method: ledger.MethodShred}
		if _, err := wf.ConfirmDisposal(ctx, staff(), meta(), rec.ID, confirm); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("who queued it confirms: %v", err)
		}
		cw, err := wf.ConfirmDisposal(ctx, staff2(), meta(), rec.ID, confirm)
		if err != nil || cw.Disposal.Proposer != "tanaka" || cw.Disposal.Confirmer != "sato" {
			t.Fatalf("confirm: %v %+v", err, cw.Disposal)
		}
	})
}

func TestDisposalSettingsAreValidatedAndAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		wf := wfAt(t, db, "2025-06-02")
		if r, err := wf.Rules(ctx); err != nil || r != ledger.DefaultDisposalRules() {
			t.Fatalf("defaults: %+v %v", r, err)
		}
		bad := ledger.DisposalRules{NoticeValidDays: 0, RenoticeAfterDays: 14, RenoticeValidDays: 30, DisposalMonths: 121,
			DisposalFrom: "birth", ReturnedMonths: 12}
		err := wf.SaveRules(ctx, staff(), meta(), bad)
		fields := []string{}
		for _, f := range apperr.FieldsOf(err) {
			fields = append(fields, f.Field)
		}
		if !slices.Equal(fields, []string{"notice_valid_days", "disposal_months", "disposal_from"}) {
			t.Errorf("fields %v", fields)
		}
		good := ledger.DefaultDisposalRules()
		good.DisposalMonths = 6
		if err := wf.SaveRules(ctx, staff(), meta(), good); err != nil {
			t.Fatal(err)
		}
		if r, _ := wf.Rules(ctx); r.DisposalMonths != 6 {
			t.Errorf("saved %+v", r)
		}
		entries := auditEntries(t, db, "settings.disposal_changed")
		if len(entries) != 1 || !strings.Contains(entries[0].Detail, `"disposal_months":12`) || !strings.Contains(entries[0].Detail, `"disposal_months":6`) {
			t.Errorf("audit %+v", entries)
		}
	})
}
