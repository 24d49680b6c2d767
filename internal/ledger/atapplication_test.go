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

func visitOf(app int, checked bool) ledger.VisitInput {
	return ledger.VisitInput{ApplicationID: ledgertest.AppID(app), Date: "2025-04-01", IdentityChecked: checked,
		IdentityDocument: "運転免許証", PINFormReceived: true, ItemsReturned: []string{ledger.ItemNotificationCard}}
}

func fieldOf(err error) string {
	if fs := apperr.FieldsOf(err); len(fs) > 0 {
		return fs[0].Field
	}
	return ""
}

func statusTrail(events []store.CardEvent) []card.Status {
	out := []card.Status{}
	for _, e := range events {
		if e.Kind == store.EventStatus {
			out = append(out, e.ToStatus)
		}
	}
	return out
}

func TestAtApplicationJourney(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		wf := wfAt(t, db, "2025-05-10")
		// The visit comes before the card is in the ledger.
		if _, err := wf.RecordVisit(ctx, staff(), meta(), visitOf(1, true)); err != nil {
			t.Fatal(err)
		}
		if e := auditEntries(t, db, "application.visit_recorded"); len(e) != 1 || e[0].Target != "application:"+ledgertest.AppID(1) {
			t.Fatalf("visit audit %+v", e)
		}
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Method: card.MethodAtApplication, Name: "郵送　花子"})
		if _, err := wf.Transition(ctx, staff(), meta(), rec.ID, card.StatusSetupDone, "", ""); err != nil {
			t.Fatal(err)
		}
		_, err := wf.Mail(ctx, staff(), meta(), rec.ID, ledger.MailInput{Date: "2025-05-01"})
		if fieldOf(err) != "tracking_number" {
			t.Fatalf("mail without a tracking number: %v", err)
		}
		a, err := wf.Mail(ctx, staff(), meta(), rec.ID, ledger.MailInput{Date: "2025-05-01", TrackingNumber: "１２３４-5678-9012"})
		if err != nil || a.Card.Status != card.StatusMailed || len(a.Mailings) != 1 || a.Mailings[0].TrackingNumber != "123456789012" ||
			!a.Steps.Delivered || !a.Steps.Return || a.Steps.Mail || a.Visit == nil || !a.Visit.PINFormReceived {
			t.Fatalf("mailed: %+v %+v %v", a.Mailings, a.Steps, err)
		}
		a, err = wf.MailReturned(ctx, staff(), meta(), rec.ID, ledger.MailOutcomeInput{Date: "2025-05-05", Reason: ledger.ReturnMovedUnknown})
		if err != nil || a.Card.Status != card.StatusMailReturned || a.Mailings[0].Outcome != store.MailingReturned ||
			a.Mailings[0].ReturnReason != "moved_unknown" || !a.Steps.Mail || !a.Steps.Pickup {
			t.Fatalf("returned: %s %+v %+v %v", a.Card.Status, a.Mailings, a.Steps, err)
		}
		if ids := due(t, wf, "returns"); !slices.Equal(ids, []int64{rec.ID}) {
			t.Errorf("returns list %v", ids)
		}
		_, err = wf.Mail(ctx, staff(), meta(), rec.ID, ledger.MailInput{Date: "2025-05-08", TrackingNumber: "123456789012"})
		if fieldOf(err) != "tracking_number" || !strings.Contains(apperr.FieldsOf(err)[0].Message, "すでに") {
			t.Fatalf("re-mail with the old tracking number: %v", err)
		}
		a, err = wf.Mail(ctx, staff(), meta(), rec.ID, ledger.MailInput{Date: "2025-05-08", TrackingNumber: "987654321098",
			PostalCode: "6691500", Address: "三田市新住所1"})
		if err != nil || a.Card.Status != card.StatusMailed || len(a.Mailings) != 2 || a.Mailings[1].Outcome != store.MailingOpen {
			t.Fatalf("re-mailed: %+v %v", a.Mailings, err)
		}
		if last := a.Postings[len(a.Postings)-1]; last.Kind != store.PostingResend || last.Address != "三田市新住所1" || last.PostalCode != "669-1500" {
			t.Errorf("re-mail posting %+v", last)
		}
		a, err = wf.MailDelivered(ctx, staff(), meta(), rec.ID, ledger.MailOutcomeInput{Date: "2025-05-10"})
		if err != nil || a.Card.Status != card.StatusIssued || a.Mailings[1].Outcome != store.MailingDelivered ||
			a.Mailings[1].OutcomeDate != "2025-05-10" {
			t.Fatalf("delivered: %+v %v", a.Mailings, err)
		}
		want := []card.Status{card.StatusSetupDone, card.StatusMailed, card.StatusMailReturned, card.StatusMailed, card.StatusIssued}
		if got := statusTrail(a.Events); !slices.Equal(got, want) {
			t.Errorf("history %v", got)
		}
		if !strings.Contains(a.Events[len(a.Events)-1].Reason, "追跡番号 987654321098") {
			t.Errorf("last event %+v", a.Events[len(a.Events)-1])
		}
		for _, action := range []string{"card.mailed", "card.mail_returned", "card.remailed", "card.mail_delivered"} {
			if e := auditEntries(t, db, action); len(e) != 1 || e[0].Target != "card:1" || e[0].Actor != "tanaka" {
				t.Errorf("audit %s: %+v", action, e)
			}
		}
		if _, err := wf.MailDelivered(ctx, staff(), meta(), rec.ID, ledger.MailOutcomeInput{Date: "2025-05-10"}); !apperr.Is(err, card.CodeIllegalTransition) {
			t.Errorf("delivered twice: %v", err)
		}
	})
}

func TestAtApplicationNeedsTheVisitAndMayEndAtTheCounter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		wf := wfAt(t, db, "2025-05-10")
		counter := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusSetupDone})
		if _, err := wf.RecordVisit(ctx, staff(), meta(), visitOf(1, true)); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("visit for a counter card: %v", err)
		}
		if _, err := wf.Mail(ctx, staff(), meta(), counter.ID, ledger.MailInput{Date: "2025-05-01", TrackingNumber: "11122233344"}); !apperr.Is(err, card.CodeIllegalTransition) {
			t.Errorf("mail a counter card: %v", err)
		}
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Method: card.MethodAtApplication, Status: card.StatusSetupDone})
		mail := ledger.MailInput{Date: "2025-05-01", TrackingNumber: "11122233344"}
		if _, err := wf.Mail(ctx, staff(), meta(), rec.ID, mail); !apperr.Is(err, apperr.Conflict) || !strings.Contains(apperr.MessageOf(err), "本人確認") {
			t.Errorf("mail without a visit: %v", err)
		}
		if _, err := wf.RecordVisit(ctx, staff(), meta(), visitOf(2, false)); err != nil {
			t.Fatal(err)
		}
		if _, err := wf.Mail(ctx, staff(), meta(), rec.ID, mail); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("mail without an identity check: %v", err)
		}
		// Correcting the visit once the card is here enters its history.
		if _, err := wf.RecordVisit(ctx, staff(), meta(), visitOf(2, true)); err != nil {
			t.Fatal(err)
		}
		if _, err := wf.Mail(ctx, staff(), meta(), rec.ID, mail); err != nil {
			t.Fatal(err)
		}
		if _, err := wf.PickUpAtCounter(ctx, staff(), meta(), rec.ID, ledger.PickupInput{Date: "2025-05-09", IdentityDocument: "旅券"}); !apperr.Is(err, card.CodeIllegalTransition) {
			t.Errorf("pickup while mailed: %v", err)
		}
		if _, err := wf.MailReturned(ctx, staff(), meta(), rec.ID, ledger.MailOutcomeInput{Date: "2025-04-30", Reason: ledger.ReturnRefused}); fieldOf(err) != "date" {
			t.Errorf("return before the mailing: %v", err)
		}
		if _, err := wf.MailReturned(ctx, staff(), meta(), rec.ID, ledger.MailOutcomeInput{Date: "2025-05-03", Reason: ledger.ReturnRefused}); err != nil {
			t.Fatal(err)
		}
		if _, err := wf.PickUpAtCounter(ctx, staff(), meta(), rec.ID, ledger.PickupInput{Date: "2025-05-09"}); fieldOf(err) != "identity_document" {
			t.Errorf("pickup without a document: %v", err)
		}
		a, err := wf.PickUpAtCounter(ctx, staff(), meta(), rec.ID, ledger.PickupInput{Date: "2025-05-09", IdentityDocument: "旅券"})
		if err != nil || a.Card.Status != card.StatusIssued {
			t.Fatalf("pickup: %v", err)
		}
		trail := statusTrail(a.Events)
		if !slices.Equal(trail, []card.Status{card.StatusMailed, card.StatusMailReturned, card.StatusIssued}) ||
			a.Events[0].Kind != store.EventWorkflow || !strings.Contains(a.Events[0].Reason, "本人確認：未") {
			t.Errorf("history %v %+v", trail, a.Events)
		}
		if e := auditEntries(t, db, "card.issued_at_counter"); len(e) != 1 {
			t.Errorf("pickup audit %+v", e)
		}
	})
}

func TestIssuedListAndHandoverSlip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		yesterday, today := wfAt(t, db, "2025-05-09"), wfAt(t, db, "2025-05-10")
		a := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusNoticeSent, Name: "今日　一郎"})
		b := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Status: card.StatusNoticeSent, Name: "昨日　二郎"})
		c := ledgertest.MustCard(t, db, ledgertest.Seed{App: 3, Status: card.StatusNoticeSent, Name: "未交付　三郎"})
		if _, err := yesterday.Transition(ctx, staff(), meta(), b.ID, card.StatusIssued, "窓口", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := today.Transition(ctx, staff(), meta(), a.ID, card.StatusIssued, "窓口", ""); err != nil {
			t.Fatal(err)
		}
		l, err := today.IssuedOn(ctx, staff(), meta(), "")
		if err != nil || l.Date != "2025-05-10" || len(l.Cards) != 1 || l.Cards[0].ID != a.ID || l.Cards[0].IssuedBy != "tanaka" {
			t.Fatalf("today's list %+v %v", l, err)
		}
		if l, err = today.IssuedOn(ctx, staff(), meta(), "2025-05-09"); err != nil || len(l.Cards) != 1 || l.Cards[0].ID != b.ID {
			t.Fatalf("yesterday's list %+v %v", l, err)
		}
		if _, err = today.IssuedOn(ctx, staff(), meta(), "2025-05-11"); fieldOf(err) != "date" {
			t.Errorf("a future day: %v", err)
		}
		if e := auditEntries(t, db, "card.issued_list_printed"); len(e) != 2 || !strings.Contains(e[0].Detail, `"card_ids":[1]`) {
			t.Errorf("list audit %+v", e)
		}
		s, err := today.Slip(ctx, staff(), meta(), a.ID)
		if err != nil || s.Card.Resident.Name != "今日　一郎" || s.IssuedBy != "tanaka" || len(s.Items) != 2 || s.Items[0].Checked {
			t.Fatalf("slip %+v %v", s, err)
		}
		if _, err := today.Slip(ctx, staff(), meta(), c.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("slip of a card not issued: %v", err)
		}
		if e := auditEntries(t, db, "card.handover_slip_printed"); len(e) != 1 || e[0].Target != "card:1" {
			t.Errorf("slip audit %+v", e)
		}
	})
}
