package reissue_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/reissue"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var ctx = context.Background()

func staff() auth.Principal {
	return auth.Principal{UserID: 7, Username: "tanaka", Role: auth.RoleStaff}
}
func admin() auth.Principal {
	return auth.Principal{UserID: 1, Username: "kanri", Role: auth.RoleAdmin}
}
func meta() auth.Meta { return auth.Meta{IP: "10.0.0.5", RequestID: "req-1"} }

func tokyo() *time.Location {
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		panic(err)
	}
	return loc
}

// newService runs at 2026-05-11 10:00 in Tokyo.
func newService(db *store.DB) (*reissue.Service, *clock.Fixed) {
	c := clock.NewFixed(time.Date(2026, 5, 11, 10, 0, 0, 0, tokyo()))
	return reissue.New(db, c, tokyo()), c
}

func auditCount(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	n := 0
	err := db.View(ctx, func(tx *store.Tx) error {
		_, err := tx.SearchAudit(ctx, store.AuditFilter{Action: action}, func(audit.Entry) error { n++; return nil })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustRegister(t *testing.T, svc *reissue.Service, in reissue.Input) store.Reissue {
	t.Helper()
	x, err := svc.Register(ctx, staff(), meta(), in)
	if err != nil {
		t.Fatalf("register %+v: %v", in, err)
	}
	return x
}

func lost(cardID int64) reissue.Input {
	return reissue.Input{CardID: cardID, Reason: reissue.ReasonLost, Chargeable: true, Certificate: true}
}

func TestComputeFollowsTheSettings(t *testing.T) {
	f := reissue.DefaultFees()
	cases := []struct {
		chargeable, cert, fast bool
		want                   reissue.Charge
	}{
		{true, true, false, reissue.Charge{FeeType: reissue.FeeStandard, CardAmount: 800, CertificateAmount: 200, Amount: 1000}},
		{true, false, false, reissue.Charge{FeeType: reissue.FeeStandardNoCert, CardAmount: 800, Amount: 800}},
		{true, true, true, reissue.Charge{FeeType: reissue.FeeFastTrack, CardAmount: 1800, CertificateAmount: 200, Amount: 2000}},
		{true, false, true, reissue.Charge{FeeType: reissue.FeeFastTrackNo, CardAmount: 1800, Amount: 1800}},
		{false, true, true, reissue.Charge{FeeType: reissue.FeeFree}},
	}
	for _, c := range cases {
		if got := f.Compute(c.chargeable, c.cert, c.fast); got != c.want {
			t.Errorf("compute(%v,%v,%v) = %+v, want %+v", c.chargeable, c.cert, c.fast, got, c.want)
		}
	}
	if reissue.FiscalYear(time.Date(2027, 3, 31, 23, 0, 0, 0, time.UTC)) != 2026 ||
		reissue.FiscalYear(time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)) != 2027 {
		t.Error("fiscal years run April to March")
	}
	if reissue.ReceiptNumber(2026, 123) != "R2026-000123" || reissue.Yen(1234567) != "¥1,234,567" || reissue.Yen(-800) != "-¥800" {
		t.Error("formats")
	}
}

func TestFeeSettingsAreValidatedAndDoNotChangePastReceipts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := newService(db)
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "AAA-000001", Resident: "100001"})
		first := mustRegister(t, svc, lost(rec.ID))
		if first.Amount != 1000 || first.ReceiptNumber != "R2026-000001" || first.ReceivedOn != "2026-05-11" ||
			first.Actor != "tanaka" || first.ResidentNumber != "100001" || first.NoticeNumber != "AAA-000001" {
			t.Fatalf("first reissue: %+v", first)
		}
		err := svc.SaveFees(ctx, admin(), meta(), reissue.Fees{Card: -1, Certificate: 200, FastTrack: 1000, FastTrackNoCert: 1800})
		fields := map[string]bool{}
		for _, f := range apperr.FieldsOf(err) {
			fields[f.Field] = true
		}
		if !apperr.Is(err, apperr.Invalid) || !fields["card"] || len(fields) != 1 {
			t.Fatalf("bad fees: %v %v", err, apperr.FieldsOf(err))
		}
		err = svc.SaveFees(ctx, admin(), meta(), reissue.Fees{Card: 900, Certificate: 300, FastTrack: 1000, FastTrackNoCert: 1800})
		if fs := apperr.FieldsOf(err); len(fs) != 1 || fs[0].Field != "fast_track_without_certificate" {
			t.Fatalf("fast track without certificate above with: %v", err)
		}
		if err := svc.SaveFees(ctx, admin(), meta(), reissue.Fees{Card: 900, Certificate: 300, FastTrack: 2500, FastTrackNoCert: 2200}); err != nil {
			t.Fatal(err)
		}
		second := mustRegister(t, svc, lost(rec.ID))
		if second.Amount != 1200 || second.CardAmount != 900 || second.ReceiptNumber != "R2026-000002" {
			t.Fatalf("second reissue under new fees: %+v", second)
		}
		h, err := svc.History(ctx, staff(), meta(), rec.Resident.ID)
		if err != nil || len(h.Reissues) != 2 || h.Reissues[0].Amount != 1000 || h.Reissues[1].Amount != 1200 {
			t.Fatalf("history must keep the fee charged at the time: %+v %v", h.Reissues, err)
		}
		if h.Resident.Name != rec.Resident.Name || h.Resident.Address != rec.Resident.Address ||
			h.Reissues[0].Name != rec.Resident.Name {
			t.Errorf("the history shows the resident as %q / %q, the reissue as %q", h.Resident.Name, h.Resident.Address, h.Reissues[0].Name)
		}
		if auditCount(t, db, "settings.reissue_fees_changed") != 1 || auditCount(t, db, "reissue.registered") != 2 ||
			auditCount(t, db, "reissue.history_viewed") != 1 {
			t.Error("audit entries missing")
		}
	})
}

func TestRegisterRejectsIncompleteInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := newService(db)
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "AAA-000001", Resident: "100001"})
		cases := []struct {
			name  string
			in    reissue.Input
			field string
		}{
			{"no resident", reissue.Input{Reason: reissue.ReasonLost, Chargeable: true}, "resident_number"},
			{"two ways to name the resident", reissue.Input{CardID: rec.ID, ResidentNumber: "100001", Reason: reissue.ReasonLost, Chargeable: true}, "resident_number"},
			{"unknown reason", reissue.Input{CardID: rec.ID, Reason: "bored", Chargeable: true}, "reason"},
			{"other without detail", reissue.Input{CardID: rec.ID, Reason: reissue.ReasonOther, Chargeable: true}, "reason_detail"},
			{"free without why", reissue.Input{CardID: rec.ID, Reason: reissue.ReasonMarginFull}, "free_reason"},
			{"free by ordinance without detail", reissue.Input{CardID: rec.ID, Reason: reissue.ReasonLost, FreeReason: reissue.FreeOrdinance}, "free_detail"},
			{"chargeable with a free reason", reissue.Input{CardID: rec.ID, Reason: reissue.ReasonLost, Chargeable: true, FreeReason: reissue.FreeCityFault}, "free_reason"},
			{"unknown resident number", reissue.Input{ResidentNumber: "999", Reason: reissue.ReasonLost, Chargeable: true}, "resident_number"},
			{"unknown notice", reissue.Input{NoticeNumber: "ZZZ-999999", Reason: reissue.ReasonLost, Chargeable: true}, "notice_number"},
			{"unknown card", reissue.Input{CardID: 9999, Reason: reissue.ReasonLost, Chargeable: true}, "card_id"},
		}
		for _, c := range cases {
			_, err := svc.Register(ctx, staff(), meta(), c.in)
			fs := apperr.FieldsOf(err)
			if !apperr.Is(err, apperr.Invalid) || len(fs) == 0 || fs[0].Field != c.field || apperr.MessageOf(err) == "" {
				t.Errorf("%s: want invalid on %s, got %v %v", c.name, c.field, err, fs)
			}
		}
		list, err := svc.List(ctx, staff(), meta(), reissue.Filter{})
		if err != nil || len(list) != 0 {
			t.Fatalf("nothing may be stored: %d %v", len(list), err)
		}
		defer func() {
			mine, err := svc.List(ctx, staff(), meta(), reissue.Filter{ResidentNumber: "１００００１"})
			others, _ := svc.List(ctx, staff(), meta(), reissue.Filter{ResidentNumber: "100002"})
			if err != nil || len(mine) != 2 || len(others) != 0 {
				t.Errorf("by 宛名番号: %d %d %v", len(mine), len(others), err)
			}
		}()
		// A free reissue records why, has no receipt and uses no number.
		free := mustRegister(t, svc, reissue.Input{ResidentNumber: "100001", Reason: reissue.ReasonMarginFull,
			FreeReason: reissue.FreeMarginFull, Certificate: true})
		if free.Amount != 0 || free.FeeType != reissue.FeeFree || free.ReceiptNumber != "" || free.CardID != 0 || free.FreeReason != reissue.FreeMarginFull {
			t.Fatalf("free reissue: %+v", free)
		}
		paid := mustRegister(t, svc, reissue.Input{NoticeNumber: "AAA-000001", Reason: reissue.ReasonOther, ReasonDetail: "洗濯で破損",
			Chargeable: true, FastTrack: true})
		if paid.ReceiptNumber != "R2026-000001" || paid.Amount != 1800 || paid.CardID != rec.ID {
			t.Fatalf("paid after free: %+v", paid)
		}
	})
}

func TestReceiptNumbersHaveNoGapsOrDuplicatesUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := newService(db)
		const n = 24
		var cards []int64
		for i := range 4 {
			rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: i + 1, Notice: fmt.Sprintf("AAA-%06d", i+1)})
			cards = append(cards, rec.ID)
		}
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				in := lost(cards[i%len(cards)])
				in.Chargeable = i%6 != 5 // a few free ones in between take no number
				if !in.Chargeable {
					in.FreeReason = reissue.FreeCityFault
				}
				_, err := svc.Register(ctx, staff(), meta(), in)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent register: %v", err)
			}
		}
		list, err := svc.List(ctx, staff(), meta(), reissue.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var numbers []string
		for _, x := range list {
			if x.ReceiptNumber != "" {
				numbers = append(numbers, x.ReceiptNumber)
			}
		}
		slices.Sort(numbers)
		want := n - n/6
		if len(list) != n || len(numbers) != want {
			t.Fatalf("%d reissues, %d receipts", len(list), len(numbers))
		}
		for i, num := range numbers {
			if num != reissue.ReceiptNumber(2026, i+1) {
				t.Fatalf("receipt %d is %s: numbers %v", i+1, num, numbers)
			}
		}
	})
}

func TestFiscalYearStartsANewSequence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := clock.NewFixed(time.Date(2027, 3, 31, 23, 59, 0, 0, tokyo()))
		svc := reissue.New(db, c, tokyo())
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1})
		a := mustRegister(t, svc, lost(rec.ID))
		c.Advance(2 * time.Minute) // 2027-04-01 00:01 in Tokyo, still March 31 in UTC
		b := mustRegister(t, svc, lost(rec.ID))
		if a.ReceiptNumber != "R2026-000001" || b.ReceiptNumber != "R2027-000001" || b.ReceivedOn != "2027-04-01" {
			t.Fatalf("across the fiscal year: %s %s %s", a.ReceiptNumber, b.ReceiptNumber, b.ReceivedOn)
		}
	})
}

func TestVoidKeepsTheRecordAndNeedsAReason(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := newService(db)
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1})
		x := mustRegister(t, svc, lost(rec.ID))
		if _, err := svc.Void(ctx, staff(), meta(), x.ID, "  "); apperr.FieldsOf(err) == nil {
			t.Fatalf("void without reason: %v", err)
		}
		v, err := svc.Void(ctx, staff(), meta(), x.ID, "金額の誤り")
		if err != nil || !v.Voided || v.VoidReason != "金額の誤り" || v.VoidedOn != "2026-05-11" || v.Voider != "tanaka" {
			t.Fatalf("void: %+v %v", v, err)
		}
		if _, err := svc.Void(ctx, staff(), meta(), x.ID, "二度目"); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("second void: %v", err)
		}
		if _, err := svc.Void(ctx, staff(), meta(), 9999, "なし"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("void of nothing: %v", err)
		}
		got, err := svc.Get(ctx, staff(), meta(), x.ID)
		if err != nil || !got.Voided || got.ReceiptNumber != x.ReceiptNumber || got.Amount != 1000 {
			t.Fatalf("voided reissue must stay: %+v %v", got, err)
		}
		// The voided number is never given again.
		if y := mustRegister(t, svc, lost(rec.ID)); y.ReceiptNumber != "R2026-000002" {
			t.Fatalf("next receipt %s", y.ReceiptNumber)
		}
		if auditCount(t, db, "reissue.voided") != 1 || auditCount(t, db, "reissue.viewed") != 1 {
			t.Error("audit entries missing")
		}
	})
}

func TestRequestKeyStoresAFormOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := newService(db)
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1})
		in := lost(rec.ID)
		in.RequestKey = "form-123"
		var wg sync.WaitGroup
		got := make([]store.Reissue, 4)
		for i := range got {
			wg.Go(func() { got[i] = mustRegister(t, svc, in) })
		}
		wg.Wait()
		for _, x := range got {
			if x.ID != got[0].ID || x.ReceiptNumber != "R2026-000001" {
				t.Fatalf("resubmissions: %+v", got)
			}
		}
		if n := auditCount(t, db, "reissue.registered"); n != 1 {
			t.Fatalf("%d registrations logged", n)
		}
	})
}

// sum adds a column of report lines.
func sum(lines []reissue.Line, f func(reissue.Line) int) int {
	n := 0
	for _, l := range lines {
		n += f(l)
	}
	return n
}

func TestDailyReportAddsUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, c := newService(db)
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Resident: "100001", Name: "髙橋　\ue000子"})
		// Day 1: two standard, one fast track, one free; one standard voided the same day.
		a := mustRegister(t, svc, lost(rec.ID))
		mustRegister(t, svc, lost(rec.ID))
		fast := mustRegister(t, svc, reissue.Input{CardID: rec.ID, Reason: reissue.ReasonStolen, Chargeable: true, FastTrack: true, Certificate: true})
		mustRegister(t, svc, reissue.Input{CardID: rec.ID, Reason: reissue.ReasonCardDefect, FreeReason: reissue.FreeCardDefect, Certificate: true})
		if _, err := svc.Void(ctx, staff(), meta(), a.ID, "重複して登録"); err != nil {
			t.Fatal(err)
		}
		// Day 2: one without certificate, and the day-1 fast track voided.
		c.Advance(24 * time.Hour)
		mustRegister(t, svc, reissue.Input{CardID: rec.ID, Reason: reissue.ReasonDamaged, Chargeable: true})
		if _, err := svc.Void(ctx, staff(), meta(), fast.ID, "特急でなかった"); err != nil {
			t.Fatal(err)
		}

		day1, err := svc.Report(ctx, staff(), meta(), "2026-05-11")
		if err != nil {
			t.Fatal(err)
		}
		day2, err := svc.Report(ctx, staff(), meta(), "")
		if err != nil || day2.Date != "2026-05-12" {
			t.Fatalf("today's report: %s %v", day2.Date, err)
		}
		for _, rep := range []reissue.Report{day1, day2} {
			checkReport(t, rep)
		}
		line := func(rep reissue.Report, ft string) reissue.Line {
			for _, l := range rep.Lines {
				if l.FeeType == ft {
					return l
				}
			}
			t.Fatalf("no line %s", ft)
			return reissue.Line{}
		}
		if l := line(day1, reissue.FeeStandard); l.Count != 2 || l.Amount != 2000 || l.VoidCount != 1 || l.Net != 1000 {
			t.Errorf("day 1 standard: %+v", l)
		}
		if l := line(day1, reissue.FeeFree); l.Count != 1 || l.Amount != 0 {
			t.Errorf("day 1 free: %+v", l)
		}
		if day1.Total.Net != 3000 || len(day1.Voids) != 1 || len(day1.Received) != 4 {
			t.Errorf("day 1 total: %+v voids %d", day1.Total, len(day1.Voids))
		}
		if l := line(day2, reissue.FeeFastTrack); l.Count != 0 || l.VoidCount != 1 || l.Net != -2000 {
			t.Errorf("day 2 fast track: %+v", l)
		}
		if day2.Total.Net != 800-2000 || len(day2.Received) != 1 {
			t.Errorf("day 2 total: %+v", day2.Total)
		}
		// The nets of all days are the fees of the receipts still valid.
		valid, _ := svc.List(ctx, staff(), meta(), reissue.Filter{Status: "valid"})
		validSum := 0
		for _, x := range valid {
			validSum += x.Amount
		}
		if validSum != day1.Total.Net+day2.Total.Net || len(valid) != 3 {
			t.Errorf("valid receipts %d (%d), nets %d", validSum, len(valid), day1.Total.Net+day2.Total.Net)
		}
		checkCSV(t, svc, db, day1)
		if _, err := svc.Report(ctx, staff(), meta(), "2026/05/11"); apperr.FieldsOf(err) == nil {
			t.Errorf("bad date: %v", err)
		}
		if auditCount(t, db, "reissue.report_viewed") != 2 || auditCount(t, db, "reissue.report_exported") != 1 {
			t.Error("report reads must be logged")
		}
	})
}

// checkReport checks that the rows add up to each line and the lines to
// the total.
func checkReport(t *testing.T, rep reissue.Report) {
	t.Helper()
	for _, l := range rep.Lines {
		var count, amount, card, cert, voids, voidAmount int
		for _, x := range rep.Received {
			if x.FeeType == l.FeeType {
				count, amount, card, cert = count+1, amount+x.Amount, card+x.CardAmount, cert+x.CertificateAmount
			}
		}
		for _, x := range rep.Voids {
			if x.FeeType == l.FeeType {
				voids, voidAmount = voids+1, voidAmount+x.Amount
			}
		}
		if l.Count != count || l.Amount != amount || l.CardAmount != card || l.CertificateAmount != cert ||
			l.VoidCount != voids || l.VoidAmount != voidAmount || l.Net != amount-voidAmount || l.Amount != l.CardAmount+l.CertificateAmount {
			t.Errorf("%s %s: line %+v, rows count %d amount %d voids %d/%d", rep.Date, l.FeeType, l, count, amount, voids, voidAmount)
		}
	}
	tot := rep.Total
	if tot.Count != sum(rep.Lines, func(l reissue.Line) int { return l.Count }) ||
		tot.Amount != sum(rep.Lines, func(l reissue.Line) int { return l.Amount }) ||
		tot.VoidAmount != sum(rep.Lines, func(l reissue.Line) int { return l.VoidAmount }) ||
		tot.Net != sum(rep.Lines, func(l reissue.Line) int { return l.Net }) {
		t.Errorf("%s total %+v does not add up", rep.Date, tot)
	}
}

// checkCSV: the export has a BOM, maps 外字, and its detail rows add up to
// the summary rows per fee type.
func checkCSV(t *testing.T, svc *reissue.Service, db *store.DB, rep reissue.Report) {
	t.Helper()
	if err := db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.PutGaiji(ctx, store.Gaiji{CodePoint: 0xE000, Text: "花", UpdatedAt: time.Now(), UpdatedBy: "kanri"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := svc.ExportReport(ctx, staff(), meta(), rep.Date, export.UTF8, &buf); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), moji.BOM) || !strings.Contains(buf.String(), "髙橋　花子") {
		t.Fatalf("csv:\n%s", buf.String())
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), moji.BOM))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	byType := map[string]int{}
	summary := map[string]int{}
	for _, r := range rows[1:] {
		amount, _ := strconv.Atoi(r[10])
		if strings.HasPrefix(r[0], "集計") {
			summary[r[7]] = amount
		} else {
			byType[r[7]] += amount
			byType["合計"] += amount
		}
	}
	if len(rows) != 1+len(rep.Received)+len(rep.Voids)+len(rep.Lines)+1 {
		t.Fatalf("%d csv rows", len(rows))
	}
	for label, want := range summary {
		if byType[label] != want {
			t.Errorf("csv %s: rows add to %d, summary says %d", label, byType[label], want)
		}
	}
	if summary["合計"] != rep.Total.Net {
		t.Errorf("csv total %d, report %d", summary["合計"], rep.Total.Net)
	}
}

func TestReportCSVNeutralisesFormulasAndWritesCP932(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := newService(db)
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Name: "山田〜花子"})
		mustRegister(t, svc, reissue.Input{CardID: rec.ID, Reason: reissue.ReasonOther, ReasonDetail: "=HYPERLINK(\"http://x\")",
			Chargeable: true, Certificate: true})
		var buf bytes.Buffer
		if err := svc.ExportReport(ctx, staff(), meta(), "2026-05-11", export.CP932, &buf); err != nil {
			t.Fatal(err)
		}
		text, _, err := moji.DecodeCP932(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if rows[1][4] != "山田～花子" || !strings.HasPrefix(rows[1][6], "その他（=") || rows[1][10] != "1000" {
			t.Fatalf("cp932 row: %q", rows[1])
		}
		buf.Reset()
		x := mustRegister(t, svc, reissue.Input{CardID: rec.ID, Reason: reissue.ReasonLost, Chargeable: true})
		if _, err := svc.Void(ctx, staff(), meta(), x.ID, "=1+1"); err != nil {
			t.Fatal(err)
		}
		if err := svc.ExportReport(ctx, staff(), meta(), "2026-05-11", export.UTF8, &buf); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), ",'=1+1,") || !strings.Contains(buf.String(), ",-800,") {
			t.Fatalf("void row must be neutralised and negative:\n%s", buf.String())
		}
	})
}
