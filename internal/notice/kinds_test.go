package notice_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/notice"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// mustPost adds a posting to a card.
func mustPost(t *testing.T, db *store.DB, cardID int64, kind, date, address string) {
	t.Helper()
	err := db.Update(t.Context(), func(tx *store.Tx) error {
		p := store.Posting{CardID: cardID, Kind: kind, Date: date, PostalCode: "669-1595", Address: address,
			Actor: "test", CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		if kind == store.PostingReturn {
			p.Reason = "moved_unknown"
		}
		return tx.InsertPosting(t.Context(), &p)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func cardStatus(t *testing.T, db *store.DB, id int64) (card.Status, []store.Posting) {
	t.Helper()
	var rec store.CardRecord
	var posts []store.Posting
	err := db.View(t.Context(), func(tx *store.Tx) (err error) {
		if rec, err = tx.CardByID(t.Context(), id); err != nil {
			return err
		}
		posts, err = tx.CardPostings(t.Context(), id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rec.Status, posts
}

const home = "兵庫県三田市三輪2丁目1番1号"

func TestReminderBatchRecordsReNoticesWhereTheNoticeWent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		due := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "R01-000001", Status: card.StatusNoticeSent})
		mustPost(t, db, due.ID, store.PostingNotice, "2026-01-05", home)
		moved := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Notice: "R01-000002", Status: card.StatusNoticeSent})
		mustPost(t, db, moved.ID, store.PostingNotice, "2026-01-05", "兵庫県三田市けやき台1丁目1")
		fresh := ledgertest.MustCard(t, db, ledgertest.Seed{App: 3, Notice: "R01-000003", Status: card.StatusNoticeSent})
		mustPost(t, db, fresh.ID, store.PostingNotice, "2026-05-25", home)

		svc := newService(t, db, "2026-06-03")
		b, err := svc.Create(t.Context(), staff(), meta(), notice.Selection{Kind: notice.KindReminder, Count: 10})
		if err != nil || b.Cards != 1 || b.Held != 1 || b.HeldCards[0].CardID != moved.ID || !strings.Contains(b.HeldCards[0].Reason, "前回の送付先") {
			t.Fatalf("reminder batch %+v %v", b, err)
		}
		var pdf bytes.Buffer
		if _, err := svc.Letters(t.Context(), staff(), meta(), b.ID, &pdf); err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(tool(t, "pdftotext", writeTemp(t, "r.pdf", pdf.Bytes()), "-")), "")
		if !strings.Contains(text, "再通知") || !strings.Contains(text, "R01-000001") {
			t.Fatalf("reminder letter text %q", text)
		}
		if c, err := svc.Confirm(t.Context(), staff(), meta(), b.ID, "2026-06-03"); err != nil || c.Done != 1 {
			t.Fatalf("confirm %+v %v", c, err)
		}
		st, posts := cardStatus(t, db, due.ID)
		if st != card.StatusNoticeSent || posts[len(posts)-1].Kind != store.PostingRenotice || posts[len(posts)-1].Address != home {
			t.Fatalf("after the re-notice: %s %+v", st, posts)
		}
	})
}

func TestResendBatchGoesToTheRegisteredAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		back := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "S01-000001", Status: card.StatusNoticeReturned})
		mustPost(t, db, back.ID, store.PostingNotice, "2026-04-01", "兵庫県三田市旧住所1番")
		mustPost(t, db, back.ID, store.PostingReturn, "2026-04-10", "")
		same := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Notice: "S01-000002", Status: card.StatusNoticeReturned})
		mustPost(t, db, same.ID, store.PostingNotice, "2026-04-01", home)
		mustPost(t, db, same.ID, store.PostingReturn, "2026-04-10", "")

		svc := newService(t, db, "2026-06-03")
		b, err := svc.Create(t.Context(), staff(), meta(), notice.Selection{Kind: notice.KindResend, Count: 10})
		if err != nil || b.Cards != 1 || b.Held != 1 || b.HeldCards[0].CardID != same.ID {
			t.Fatalf("resend batch %+v %v", b, err)
		}
		if c, err := svc.Confirm(t.Context(), staff(), meta(), b.ID, "2026-06-03"); err != nil || c.Done != 1 {
			t.Fatalf("confirm %+v %v", c, err)
		}
		st, posts := cardStatus(t, db, back.ID)
		last := posts[len(posts)-1]
		if st != card.StatusNoticeSent || last.Kind != store.PostingResend || last.Address != home {
			t.Fatalf("after the re-send: %s %+v", st, last)
		}
	})
}

func TestHouseholdsGetOneLetterAndOneLabel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "F01-000001", Name: "三輪　太郎", Status: card.StatusSetupDone, Delivery: "2026-03-01"})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Notice: "F01-000002", Name: "北野　遥", Status: card.StatusSetupDone, Delivery: "2026-03-02", Address: "兵庫県三田市けやき台3丁目1"})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 3, Notice: "F01-000003", Name: "三輪　花子", Status: card.StatusSetupDone, Delivery: "2026-03-03"})
		svc := newService(t, db, "2026-04-06")
		st := notice.DefaultSettings()
		st.Household = true
		if err := svc.SaveSettings(ctx, staff(), meta(), st); err != nil {
			t.Fatal(err)
		}
		b, err := svc.Create(ctx, staff(), meta(), notice.Selection{Count: 10})
		if err != nil || b.Cards != 3 {
			t.Fatalf("batch %+v %v", b, err)
		}
		var pdf bytes.Buffer
		res, err := svc.Letters(ctx, staff(), meta(), b.ID, &pdf)
		if err != nil || res.Printed != 2 || res.Pages != 2 {
			t.Fatalf("letters %+v %v", res, err)
		}
		path := writeTemp(t, "h.pdf", pdf.Bytes())
		first := strings.Join(strings.Fields(tool(t, "pdftotext", "-f", "1", "-l", "1", path, "-")), "")
		if !strings.Contains(first, "三輪太郎") || !strings.Contains(first, "三輪花子") || !strings.Contains(first, "F01-000003") {
			t.Fatalf("the household's letter lacks a person: %q", first)
		}
		if got := qrTexts(t, path); len(got) != 3 {
			t.Fatalf("QR codes %v, want one per person", got)
		}
		var labels bytes.Buffer
		if res, err := svc.Labels(ctx, staff(), meta(), b.ID, &labels); err != nil || res.Printed != 2 {
			t.Fatalf("labels %+v %v", res, err)
		}
	})
}

func TestConfirmationSkipsACardCancelledAfterPrinting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		a := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "C01-000001", Status: card.StatusSetupDone})
		gone := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Notice: "C01-000002", Status: card.StatusSetupDone})
		svc := newService(t, db, "2026-04-06")
		b, err := svc.Create(ctx, staff(), meta(), notice.Selection{Count: 10})
		if err != nil {
			t.Fatal(err)
		}
		_, err = ledger.New(db, clock.NewFixed(time.Date(2026, 4, 6, 1, 0, 0, 0, time.UTC))).Transition(ctx, staff(), meta(), gone.ID, card.StatusCancelled, "転出", card.ReasonMovedOut)
		if err != nil {
			t.Fatal(err)
		}
		// A date in the future, or before the batch was made, is refused on its field.
		for _, day := range []string{"2026-04-07", "2026-04-05"} {
			if _, err := svc.Confirm(ctx, staff(), meta(), b.ID, day); len(apperr.FieldsOf(err)) == 0 || apperr.FieldsOf(err)[0].Field != "date" {
				t.Fatalf("confirmed on %s: %v", day, err)
			}
		}
		c, err := svc.Confirm(ctx, staff(), meta(), b.ID, "2026-04-06")
		if err != nil || c.Done != 1 || len(c.Skipped) != 1 || c.Skipped[0].CardID != gone.ID {
			t.Fatalf("confirm %+v %v", c, err)
		}
		if st, _ := cardStatus(t, db, a.ID); st != card.StatusNoticeSent {
			t.Fatalf("card a is %s", st)
		}
		if st, _ := cardStatus(t, db, gone.ID); st != card.StatusCancelled {
			t.Fatalf("the cancelled card is %s", st)
		}
	})
}
