package legacy

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/jlis"
	"github.com/kofu-oss/kofu/internal/legacy/legacytest"
)

func mustSample(tb testing.TB) []byte { return legacytest.Sample(tb) }

func badLedger(tb testing.TB) []byte { return legacytest.BadLedger(tb) }

var today = jlis.Date{Year: 2026, Month: 12, Day: 31}

func mustRead(tb testing.TB, b []byte) *Ledger {
	tb.Helper()
	l, err := Read(b, Options{Today: today})
	if err != nil {
		tb.Fatalf("Read: %v", err)
	}
	return l
}

func TestSampleLedgerRows(t *testing.T) {
	l := mustRead(t, mustSample(t))
	if len(l.Rows) != 120 || l.HeaderRow != 1 {
		t.Fatalf("rows %d header %d, want 120 and 1", len(l.Rows), l.HeaderRow)
	}
	first := l.Rows[0]
	want := Row{Line: 2, ApplicationID: "74218096792908100339075", NoticeNumber: "QU9-004816", ResidentNumber: "1799609893",
		Name: "三輪\u3000隆", BirthDate: jlis.Date{Year: 2013, Month: 1, Day: 26}, DeliveryDate: jlis.Date{Year: 2026, Month: 10, Day: 19},
		NoticeDate: jlis.Date{Year: 2026, Month: 10, Day: 24}, HandedDate: jlis.Date{Year: 2026, Month: 11, Day: 8},
		Box: "261019-04", Place: "キャビネット1-1段", Status: card.StatusIssued}
	got := Row{Line: first.Line, ApplicationID: first.ApplicationID, NoticeNumber: first.NoticeNumber, ResidentNumber: first.ResidentNumber,
		Name: first.Name, BirthDate: first.BirthDate, DeliveryDate: first.DeliveryDate, NoticeDate: first.NoticeDate,
		HandedDate: first.HandedDate, Box: first.Box, Place: first.Place, Status: first.Status}
	if !equalRows(got, want) {
		t.Errorf("first row\n got %+v\nwant %+v", got, want)
	}
	counts := map[card.Status]int{}
	for _, r := range l.Rows {
		counts[r.Status]++
	}
	if counts[card.StatusIssued] != 52 || counts[card.StatusNoticeSent] != 34 || counts[card.StatusNoticeReturned] != 17 {
		t.Errorf("status counts %v", counts)
	}
}

func equalRows(a, b Row) bool {
	return a.Line == b.Line && a.ApplicationID == b.ApplicationID && a.NoticeNumber == b.NoticeNumber &&
		a.ResidentNumber == b.ResidentNumber && a.Name == b.Name && a.BirthDate == b.BirthDate &&
		a.DeliveryDate == b.DeliveryDate && a.NoticeDate == b.NoticeDate && a.HandedDate == b.HandedDate &&
		a.Box == b.Box && a.Place == b.Place && a.Status == b.Status
}

func TestSampleLedgerRareKanjiKept(t *testing.T) {
	l := mustRead(t, mustSample(t))
	var names string
	for _, r := range l.Rows {
		names += r.Name
	}
	for _, k := range []string{"髙", "﨑", "德"} {
		if !strings.Contains(names, k) {
			t.Errorf("%s lost", k)
		}
	}
}

// The sample's row 15 says 廃棄 with the remark 長期入院のため廃棄保留: the
// card may still be in the cabinet, so it is refused, not marked disposed.
func TestSampleLedgerDisposalOnHoldRefused(t *testing.T) {
	l := mustRead(t, mustSample(t))
	var bad []jlis.Problem
	for _, r := range l.Rows {
		bad = append(bad, r.Problems...)
	}
	if len(bad) != 1 || bad[0].Line != 15 || bad[0].Code != "status_remarks_conflict" || bad[0].Column != "状態" {
		t.Fatalf("problems %+v, want the one on row 15", bad)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestBadLedgerProblemsNameRowAndColumn(t *testing.T) {
	l := mustRead(t, badLedger(t))
	if l.HeaderRow != 3 {
		t.Errorf("header row %d, want 3 (the lower row of a two-row header)", l.HeaderRow)
	}
	type key struct {
		line         int
		column, code string
	}
	var got []key
	for _, r := range l.Rows {
		for _, p := range r.Problems {
			got = append(got, key{p.Line, p.Column, p.Code})
			if !strings.Contains(p.Reason, itoa(p.Line)+":") {
				t.Errorf("reason %q does not name the cell", p.Reason)
			}
		}
	}
	want := []key{{5, "状態", "status_unknown"}, {6, "生年月日", "birth_date_invalid"}, {7, "備考", "personal_number_suspected"}}
	if !slices.Equal(got, want) {
		t.Errorf("problems\n got %v\nwant %v", got, want)
	}
	if len(l.Rows) != 6 {
		t.Errorf("%d rows, want 6 (blank and totals rows skipped)", len(l.Rows))
	}
}

func TestBadLedgerGoodRows(t *testing.T) {
	l := mustRead(t, badLedger(t))
	r := l.Rows[0]
	if r.ApplicationID != "12345678901234567890123" || r.NoticeNumber != "AB1-123456" || r.BirthDate != (jlis.Date{Year: 1970, Month: 3, Day: 1}) {
		t.Errorf("row 4 read as %+v", r)
	}
	if r.Name != "𠮷田\u3000\ue000子" || !r.HasGaiji {
		t.Errorf("name %q gaiji %v: characters lost", r.Name, r.HasGaiji)
	}
	if r.HandedDate != (jlis.Date{Year: 2026, Month: 11, Day: 4}) || r.Status != card.StatusIssued {
		t.Errorf("handed %v status %v", r.HandedDate, r.Status)
	}
	if bytes.Contains(r.Raw, []byte("123456789018")) {
		t.Errorf("raw row keeps the 個人番号 column: %s", r.Raw)
	}
	if l.Rows[5].Place != "金庫" || l.Rows[4].Place != "金庫" {
		t.Errorf("merged place not read for both rows: %q %q", l.Rows[4].Place, l.Rows[5].Place)
	}
	var kinds []string
	for _, w := range l.Warnings {
		kinds = append(kinds, w.Kind)
	}
	if !slices.Contains(kinds, "personal_number_dropped") || !slices.Contains(kinds, "skipped_row") {
		t.Errorf("warnings %v", kinds)
	}
}

func TestNotAWorkbook(t *testing.T) {
	_, err := Read([]byte("申請書ID,氏名\n"), Options{Today: today})
	var fe *jlis.FileError
	if !errorsAs(err, &fe) || fe.Code != "not_xlsx" {
		t.Fatalf("err %v", err)
	}
}

func TestUnknownStatusWordsNotGuessed(t *testing.T) {
	for _, w := range []string{"交付", "保管中", "廃", "返戻?", "済"} {
		if s, ok := StatusOf(w); ok {
			t.Errorf("%q guessed as %s", w, s)
		}
	}
	for w, want := range map[string]card.Status{"交付済": card.StatusIssued, "通知済": card.StatusNoticeSent, "返戻": card.StatusNoticeReturned,
		"廃棄": card.StatusDisposed, "交付 済み": card.StatusIssued, "ﾍﾝﾚｲ": ""} {
		if s, _ := StatusOf(w); s != want {
			t.Errorf("%q → %q, want %q", w, s, want)
		}
	}
}

func TestDateCellStyles(t *testing.T) {
	header := []string{"申請書ID", "氏名", "生年月日", "状態", "納品日", "交付日"}
	file := legacytest.Build(t, header,
		[]any{"00000000000000000000001", "山田\u3000一", "2026-10-19T00:00:00Z", "交付済", "46314", 20261108},
		[]any{"00000000000000000000002", "山田\u3000二", "令和元年５月１日", "交付済", 46314.5, "Ｒ８．１１．８"})
	l := mustRead(t, file)
	r1, r2 := l.Rows[0], l.Rows[1]
	if r1.BirthDate != (jlis.Date{Year: 2026, Month: 10, Day: 19}) || r1.HandedDate != (jlis.Date{Year: 2026, Month: 11, Day: 8}) {
		t.Errorf("row 2: %+v", r1)
	}
	// "46314" typed as text is not an Excel date.
	if len(r1.Problems) != 1 || r1.Problems[0].Code != "delivery_date_format" {
		t.Errorf("text 46314: %+v", r1.Problems)
	}
	if r2.BirthDate != (jlis.Date{Year: 2019, Month: 5, Day: 1}) || r2.DeliveryDate != (jlis.Date{Year: 2026, Month: 10, Day: 19}) ||
		r2.HandedDate != (jlis.Date{Year: 2026, Month: 11, Day: 8}) || len(r2.Problems) != 0 {
		t.Errorf("row 3: %+v", r2)
	}
}

// The sample's traps all import: text dates in every style, an ISO date
// cell, full-width digits, odd hyphens, numbers that look like a 個人番号
// where one may stand, a place merged over two rows, furigana left out.
func TestSampleLedgerTraps(t *testing.T) {
	l := mustRead(t, mustSample(t))
	byLine := map[int]Row{}
	for _, r := range l.Rows {
		byLine[r.Line] = r
	}
	d := func(y, m, day int) jlis.Date { return jlis.Date{Year: y, Month: m, Day: day} }
	checks := []struct {
		line int
		ok   bool
	}{
		{3, byLine[3].BirthDate == d(1970, 3, 1)},
		{4, byLine[4].BirthDate == d(1990, 4, 1)},
		{5, byLine[5].NoticeDate == d(2026, 10, 25)},
		{6, byLine[6].DeliveryDate == d(2026, 10, 19)},
		{7, byLine[7].BirthDate == d(1980, 4, 1)},
		{8, byLine[8].ResidentNumber == "123456789018"},
		{9, strings.Contains(byLine[9].Remarks, "123456789010")},
		{10, jlis.AllDigits(byLine[10].ApplicationID) && len(byLine[10].ApplicationID) == 23},
		{11, strings.Contains(byLine[11].NoticeNumber, "-") && strings.ToUpper(byLine[11].NoticeNumber) == byLine[11].NoticeNumber},
		{legacytest.SampleMergedPlace + 1, byLine[legacytest.SampleMergedPlace+1].Place == byLine[legacytest.SampleMergedPlace].Place},
		{2, byLine[2].Name == "三輪\u3000隆" && byLine[2].Kana == "ミワ\u3000タカシ"},
	}
	for _, c := range checks {
		if r := byLine[c.line]; !c.ok || len(r.Problems) > 0 {
			t.Errorf("row %d read as %+v", c.line, r)
		}
	}
	if len(l.Warnings) != 0 {
		t.Errorf("warnings %+v", l.Warnings)
	}
}
