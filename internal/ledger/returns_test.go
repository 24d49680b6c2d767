package ledger_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestSendNoticesRecordsDateAndAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		wf := wfAt(t, db, "2025-04-03")
		counter := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusSetupDone, Address: "三田市三輪1"})
		mailed := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Status: card.StatusSetupDone, Method: card.MethodAtApplication})
		arrived := ledgertest.MustCard(t, db, ledgertest.Seed{App: 3, Status: card.StatusArrived})

		res, err := wf.SendNotices(ctx, staff(), meta(), []int64{arrived.ID, counter.ID, mailed.ID, counter.ID}, "2025-04-01")
		if err != nil || !slices.Equal(res.Done, []int64{1}) || len(res.Failed) != 2 || res.Failed[0].CardID != 2 ||
			res.Failed[0].Code != ledger.CodeAtApplicationFlow.String() || res.Failed[1].CardID != 3 ||
			!strings.Contains(res.Failed[1].Message, "現在の状態「入荷済」") || res.Failed[1].Code != card.CodeIllegalTransition.String() {
			t.Fatalf("batch %+v %v", res, err)
		}
		cw := mustCardWorkflow(t, wf, counter.ID)
		if cw.Card.Status != card.StatusNoticeSent || cw.Dates.FirstNotice != "2025-04-01" || cw.Dates.LastNotice != "2025-04-01" ||
			cw.Assessment.NoticeDeadline != "2025-06-30" || cw.Assessment.RenoticeDueFrom != "2025-07-14" {
			t.Errorf("after sending: %s %+v %+v", cw.Card.Status, cw.Dates, cw.Assessment)
		}
		if len(cw.Postings) != 1 || cw.Postings[0].Address != "三田市三輪1" || cw.Postings[0].Actor != "tanaka" ||
			cw.Events[0].Reason != "通知書を発送（2025-04-01）" || !cw.Can.Return || cw.Can.SendNotice {
			t.Errorf("postings %+v events %+v can %+v", cw.Postings, cw.Events, cw.Can)
		}
		if got := mustCardWorkflow(t, wf, mailed.ID); got.Card.Status != card.StatusSetupDone || len(got.Postings) != 0 || got.Can.SendNotice {
			t.Errorf("at-application card: %s %+v %+v", got.Card.Status, got.Postings, got.Can)
		}
		if n := len(auditEntries(t, db, "card.notice_sent")); n != 1 {
			t.Errorf("%d notice audit entries", n)
		}
		_, err = wf.SendNotices(ctx, staff(), meta(), nil, "2025-04-04")
		if fields := apperr.FieldsOf(err); len(fields) != 2 || fields[0].Field != "card_ids" || fields[1].Field != "date" ||
			!strings.Contains(fields[1].Message, "未来") {
			t.Errorf("no cards and a future date: %v %+v", err, fields)
		}
	})
}

func TestNoticeCandidatesAreAuditedWithTheirCards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusSetupDone, Delivery: "2025-03-02"})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Status: card.StatusSetupDone, Delivery: "2025-03-01"})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 3, Status: card.StatusArrived})
		l, err := wfAt(t, db, "2025-04-03").NoticeCandidates(ctx, staff(), meta(), ledger.ListQuery{Limit: 1})
		if err != nil || l.Total != 2 || !slices.Equal(itemIDs(l), []int64{2}) {
			t.Fatalf("candidates %v of %d: %v", itemIDs(l), l.Total, err)
		}
		entries := auditEntries(t, db, "card.notice_candidates_listed")
		if len(entries) != 1 || !strings.Contains(entries[0].Detail, `"card_ids":[2]`) || entries[0].Actor != "tanaka" {
			t.Errorf("audit %+v", entries)
		}
		if _, err := wfAt(t, db, "2025-04-03").NoticeCandidates(ctx, staff(), meta(), ledger.ListQuery{Limit: 999}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("limit 999: %v", err)
		}
	})
}

func TestReturnAndResendKeepTheHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusSetupDone, Address: "三田市三輪1"})
		mustSend(t, wfAt(t, db, "2025-04-01"), "2025-04-01", rec.ID)
		wf := wfAt(t, db, "2025-04-12")
		cw, err := wf.RecordReturn(ctx, staff(), meta(), rec.ID, ledger.ReturnInput{Date: "2025-04-10",
			Reason: ledger.ReturnMovedUnknown, Note: "転居済みとの付箋", Version: 2})
		if err != nil {
			t.Fatal(err)
		}
		if cw.Card.Status != card.StatusNoticeReturned || cw.Dates.Returned != "2025-04-10" || cw.Dates.ReturnReason != ledger.ReturnMovedUnknown ||
			cw.Card.Version != 3 || !cw.Can.Resend || cw.Can.Return || !slices.Contains(flagCodes(cw.Flags), ledger.FlagReturned) {
			t.Fatalf("after return: %s %+v v%d %+v", cw.Card.Status, cw.Dates, cw.Card.Version, cw.Can)
		}
		last := cw.Events[len(cw.Events)-1]
		if last.ToStatus != card.StatusNoticeReturned || last.Reason != "返戻（転居先不明、2025-04-10）：転居済みとの付箋" {
			t.Errorf("event %+v", last)
		}
		entry := auditEntries(t, db, "card.notice_returned")[0]
		if d := detailOf(t, entry); d["reason"] != "moved_unknown" || d["from"] != "notice_sent" || d["to"] != "notice_returned" ||
			strings.Contains(entry.Detail, "付箋") {
			t.Errorf("audit %s", entry.Detail)
		}
		if got := due(t, wf, "returns"); !slices.Equal(got, []int64{rec.ID}) {
			t.Errorf("returns list %v", got)
		}
		cw, err = wf.Resend(ctx, staff(), meta(), rec.ID, ledger.ResendInput{Date: "2025-04-12", PostalCode: "６５０－０００１",
			Address: "神戸市中央区加納町6丁目5番1号"})
		if err != nil {
			t.Fatal(err)
		}
		if cw.Card.Status != card.StatusNoticeSent || cw.Dates.LastNotice != "2025-04-12" || cw.Dates.FirstNotice != "2025-04-01" ||
			cw.Assessment.NoticeDeadline != "2025-07-11" || cw.MailTo.Address != "神戸市中央区加納町6丁目5番1号" || cw.MailTo.PostalCode != "650-0001" {
			t.Errorf("after resend: %s %+v %+v %+v", cw.Card.Status, cw.Dates, cw.Assessment, cw.MailTo)
		}
		kinds := []string{}
		for _, p := range cw.Postings {
			kinds = append(kinds, p.Kind+":"+p.Address)
		}
		if !slices.Equal(kinds, []string{"notice:三田市三輪1", "return:", "resend:神戸市中央区加納町6丁目5番1号"}) {
			t.Errorf("history %v", kinds)
		}
		if cw.Card.Resident.Address != "三田市三輪1" {
			t.Errorf("the registered address must stay: %q", cw.Card.Resident.Address)
		}
		if e := auditEntries(t, db, "card.notice_resent"); len(e) != 1 || strings.Contains(e[0].Detail, "神戸") {
			t.Errorf("resend audit %+v", e)
		}
		if got := due(t, wf, "returns"); len(got) != 0 {
			t.Errorf("a re-sent card left the returns list: %v", got)
		}
	})
}

func TestReturnAndResendRefuseBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusSetupDone})
		mustSend(t, wfAt(t, db, "2025-04-01"), "2025-04-01", rec.ID)
		wf := wfAt(t, db, "2025-04-12")
		tests := []struct {
			name  string
			in    ledger.ReturnInput
			field string
		}{
			{"no reason", ledger.ReturnInput{Date: "2025-04-10"}, "reason"},
			{"other without a note", ledger.ReturnInput{Date: "2025-04-10", Reason: ledger.ReturnOther}, "note"},
			{"no date", ledger.ReturnInput{Reason: ledger.ReturnRefused}, "date"},
			{"future date", ledger.ReturnInput{Date: "2025-04-13", Reason: ledger.ReturnRefused}, "date"},
			{"before the notice", ledger.ReturnInput{Date: "2025-03-31", Reason: ledger.ReturnRefused}, "date"},
		}
		for _, tt := range tests {
			_, err := wf.RecordReturn(ctx, staff(), meta(), rec.ID, tt.in)
			if f := apperr.FieldsOf(err); !apperr.Is(err, apperr.Invalid) || len(f) != 1 || f[0].Field != tt.field {
				t.Errorf("%s: %v %+v", tt.name, err, f)
			}
		}
		if _, err := wf.RecordReturn(ctx, staff(), meta(), rec.ID, ledger.ReturnInput{Date: "2025-04-10", Reason: ledger.ReturnRefused, Version: 1}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("stale version: %v", err)
		}
		_, err := wf.Resend(ctx, staff(), meta(), rec.ID, ledger.ResendInput{Date: "2025-04-10", Address: "x"})
		if apperr.CodeOf(err) != card.CodeIllegalTransition || !strings.Contains(apperr.MessageOf(err), "「通知書発送済」") {
			t.Errorf("resend of a card not returned: %v", err)
		}
		_, err = wf.Resend(ctx, staff(), meta(), rec.ID, ledger.ResendInput{Date: "2025-04-10", PostalCode: "12-34"})
		if f := apperr.FieldsOf(err); len(f) != 2 || f[0].Field != "postal_code" || f[1].Field != "address" {
			t.Errorf("resend without address: %+v", f)
		}
		if cw := mustCardWorkflow(t, wf, rec.ID); cw.Card.Status != card.StatusNoticeSent || len(cw.Postings) != 1 {
			t.Errorf("refused input changed the card: %s %d postings", cw.Card.Status, len(cw.Postings))
		}
	})
}

// The generic send, return and re-send steps take no tracking number:
// 申請時来庁 cards are refused with a code that points at their own page,
// and nothing is written.
func TestGenericNoticeStepsReferAtApplicationCardsToTheirPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		wf := wfAt(t, db, "2025-04-20")
		at := func(app int, s card.Status) store.CardRecord {
			return ledgertest.MustCard(t, db, ledgertest.Seed{App: app, Status: s, Method: card.MethodAtApplication})
		}
		setup, mailed, returned := at(1, card.StatusSetupDone), at(2, card.StatusMailed), at(3, card.StatusMailReturned)
		steps := []struct {
			name string
			rec  store.CardRecord
			do   func(id int64) error
		}{
			{"send", setup, func(id int64) error { _, err := wf.SendNotice(ctx, staff(), meta(), id, 0, "2025-04-15"); return err }},
			{"return", mailed, func(id int64) error {
				_, err := wf.RecordReturn(ctx, staff(), meta(), id, ledger.ReturnInput{Date: "2025-04-15", Reason: ledger.ReturnAddressUnknown})
				return err
			}},
			{"resend", returned, func(id int64) error {
				_, err := wf.Resend(ctx, staff(), meta(), id, ledger.ResendInput{Date: "2025-04-20", Address: "大阪市北区1"})
				return err
			}},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				err := st.do(st.rec.ID)
				link := "/staff/cards/" + strconv.FormatInt(st.rec.ID, 10) + "/atapp"
				if apperr.CodeOf(err) != ledger.CodeAtApplicationFlow || !strings.Contains(apperr.MessageOf(err), "申請時来庁方式") ||
					!strings.Contains(apperr.MessageOf(err), link) || !strings.Contains(apperr.MessageOf(err), "追跡番号") {
					t.Fatalf("err = %v", err)
				}
				cw := mustCardWorkflow(t, wf, st.rec.ID)
				if cw.Card.Status != st.rec.Status || len(cw.Postings) != 0 || cw.Can.SendNotice || cw.Can.Return || cw.Can.Resend {
					t.Errorf("card after refusal: %s %d postings %+v", cw.Card.Status, len(cw.Postings), cw.Can)
				}
			})
		}
	})
}

// A card moved on the card page, without the workflow pages, still has
// dates: the status events stand in.
func TestDatesComeFromTheHistoryWithoutPostings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusSetupDone})
		svc := wfAt(t, db, "2025-04-01").Service
		if _, err := svc.Transition(ctx, staff(), meta(), rec.ID, card.StatusNoticeSent, "", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := wfAt(t, db, "2025-04-09").Service.Transition(ctx, staff(), meta(), rec.ID, card.StatusNoticeReturned, "", ""); err != nil {
			t.Fatal(err)
		}
		cw := mustCardWorkflow(t, wfAt(t, db, "2025-04-10"), rec.ID)
		if cw.Dates.FirstNotice != "2025-04-01" || cw.Dates.LastNotice != "2025-04-01" || cw.Dates.Returned != "2025-04-09" ||
			cw.Dates.Returns != 1 || cw.Dates.ReturnReason != "" {
			t.Errorf("dates from history: %+v", cw.Dates)
		}
	})
}
