package ledger_test

import (
	"slices"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestAgeGroupChangesOnTheBirthday(t *testing.T) {
	tests := []struct {
		birth, today, want string
	}{
		{"2010-06-02", "2025-06-01", ledger.FlagUnder15},
		{"2010-06-02", "2025-06-02", ledger.FlagAge15To17},
		{"2010-06-02", "2025-06-03", ledger.FlagAge15To17},
		{"2007-06-02", "2025-06-01", ledger.FlagAge15To17},
		{"2007-06-02", "2025-06-02", ledger.FlagAdult},
		{"2007-06-02", "2025-06-03", ledger.FlagAdult},
		// Born on 2/29: a year older from 3/1 in other years.
		{"2008-02-29", "2023-02-28", ledger.FlagUnder15},
		{"2008-02-29", "2023-03-01", ledger.FlagAge15To17},
		{"2025-06-02", "2025-06-02", ledger.FlagUnder15},
	}
	for _, tt := range tests {
		rec := ledgertest.Seed{Birth: tt.birth}.Record()
		today, _ := time.Parse(time.DateOnly, tt.today)
		got := ledger.Flags(rec, today)
		if len(got) == 0 || got[0].Code != tt.want {
			t.Errorf("born %s on %s: %v, want %s", tt.birth, tt.today, flagCodes(got), tt.want)
		}
	}
	under := ledger.Flags(ledgertest.Seed{Birth: "2015-01-01"}.Record(), time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC))[0]
	if under.Label != "15歳未満（法定代理人の同行が必要）" || under.Level != ledger.LevelAlert || !under.Strong() {
		t.Errorf("under 15: %+v", under)
	}
	if got := ledger.Flags(ledgertest.Seed{Birth: "不明"}.Record(), time.Now()); len(got) != 0 {
		t.Errorf("unknown birth date: %v", got)
	}
}

func TestFlagsShowWhatStaffMustNotice(t *testing.T) {
	noCert := false
	rec := ledgertest.Seed{Birth: "1980-01-01", Flags: []string{"gaiji"}, Status: card.StatusMailReturned,
		Method: card.MethodAtApplication}.Record()
	rec.Certificate, rec.Application.FastTrack = &noCert, true
	today := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	got := ledger.Flags(rec, today)
	want := []string{"adult", "gaiji", "no_certificate", "at_application", "fast_track", "notice_returned"}
	if !slices.Equal(flagCodes(got), want) {
		t.Fatalf("flags %v, want %v", flagCodes(got), want)
	}
	labels := map[string]string{}
	for _, f := range got {
		labels[f.Code] = f.Label
	}
	if labels["gaiji"] != "外字あり" || labels["no_certificate"] != "電子証明書なし" || labels["at_application"] != "申請時来庁" ||
		labels["fast_track"] != "特急発行" || labels["notice_returned"] != "通知書の返戻あり" || labels["adult"] != "18歳以上" {
		t.Errorf("labels %v", labels)
	}
	plain := ledgertest.Seed{Birth: "1980-01-01", Status: card.StatusNoticeSent, Gaiji: true}.Record()
	more := ledger.FlagsWith(plain, today, ledger.FlagFacts{Returns: 2, NoShows: 3})
	if !slices.Equal(flagCodes(more), []string{"adult", "gaiji", "notice_returned", "no_shows"}) ||
		more[2].Label != "通知書の返戻あり（2回）" || more[3].Label != "予約に来庁なし 3回" {
		t.Errorf("with facts: %+v", more)
	}
	if got := ledger.Flags(plain, today); slices.Contains(flagCodes(got), "no_shows") {
		t.Errorf("no-shows are 0 until bookings record them: %v", got)
	}
}

func TestFlagsForCountsReturnsAndNoShows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusSetupDone})
		other := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Status: card.StatusSetupDone})
		mustSend(t, wfAt(t, db, "2025-04-01"), "2025-04-01", rec.ID)
		wf := wfAt(t, db, "2025-04-20")
		if _, err := wf.RecordReturn(ctx, staff(), meta(), rec.ID, ledger.ReturnInput{Date: "2025-04-10", Reason: ledger.ReturnRefused}); err != nil {
			t.Fatal(err)
		}
		if _, err := wf.Resend(ctx, staff(), meta(), rec.ID, ledger.ResendInput{Date: "2025-04-20", Address: "三田市1"}); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2025, 4, 15, 1, 0, 0, 0, time.UTC)
		err := db.Update(ctx, func(tx *store.Tx) error {
			b := store.Booking{Code: "NOSHOW01", TokenHash: "h1", Service: "pickup", Place: "honcho", Start: at, End: at,
				Date: "2025-04-15", Channel: "phone", Seats: 1, Status: store.BookingNoShow, CreatedAt: at, CreatedBy: "test"}
			if _, err := tx.InsertBooking(ctx, &b); err != nil {
				return err
			}
			return tx.InsertBookingPerson(ctx, &store.BookingPerson{BookingID: b.ID, Seq: 1, Service: "pickup", CardID: rec.ID,
				PersonKey: "k", Status: store.PersonNoShow, DoneAt: at})
		})
		if err != nil {
			t.Fatal(err)
		}
		recs := []store.CardRecord{mustGet(t, db, rec.ID).Card, other}
		got := wf.FlagsFor(ctx, recs, tokyo(t))
		if !slices.Equal(flagCodes(got[0]), []string{"adult", "notice_returned", "no_shows"}) || got[0][2].Label != "予約に来庁なし 1回" {
			t.Errorf("flags %+v", got[0])
		}
		if !slices.Equal(flagCodes(got[1]), []string{"adult"}) {
			t.Errorf("other card %+v", got[1])
		}
		if cw := mustCardWorkflow(t, wf, rec.ID); !slices.Contains(flagCodes(cw.Flags), "no_shows") {
			t.Errorf("workflow flags %v", flagCodes(cw.Flags))
		}
		if d, err := wf.Dashboard(ctx, staff(), meta()); err != nil || d.NoShowsThisMonth != 1 {
			t.Errorf("no-shows this month: %d %v", d.NoShowsThisMonth, err)
		}
	})
}
