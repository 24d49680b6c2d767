package intake

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/legacy/legacytest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// ledgerService runs on the last day of 2026: every date of the sample
// ledger is in the past.
func ledgerService(db *store.DB) *Service {
	return New(db, clock.NewFixed(time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC)))
}

func importLedger(t *testing.T, s *Service, b []byte, dry bool) LedgerResult {
	t.Helper()
	res, err := s.ImportLedger(ctx, staff, auth.Meta{IP: "10.0.0.1"}, bytes.NewReader(b), LedgerOptions{DryRun: dry, FileName: "ledger.xlsx"})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res
}

func cardByApp(t *testing.T, db *store.DB, appID string) store.CardRecord {
	t.Helper()
	var rec store.CardRecord
	err := db.View(ctx, func(tx *store.Tx) (err error) { rec, err = tx.CardByApplicationID(ctx, appID); return })
	if err != nil {
		t.Fatalf("card %s: %v", appID, err)
	}
	return rec
}

func auditActions(t *testing.T, db *store.DB) []string {
	t.Helper()
	var actions []string
	err := db.View(ctx, func(tx *store.Tx) error {
		return tx.EachAudit(ctx, func(e audit.Entry) error { actions = append(actions, e.Action); return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return actions
}

func TestLedgerSampleBecomesCards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ledgerService(db)
		res := importLedger(t, s, legacytest.Sample(t), false)
		if res.Rows != 120 || res.Created != 119 || len(res.Rejected) != 1 || res.ImportID == 0 {
			t.Fatalf("counts %+v", res.Result)
		}
		if r := res.Rejected[0]; r.Line != 15 || r.Column != "状態" || r.Code != "status_remarks_conflict" {
			t.Errorf("rejection %+v", r)
		}
		rec := cardByApp(t, db, "74218096792908100339075")
		if rec.Status != card.StatusIssued || rec.StorageLocation != "キャビネット1-1段" || rec.DeliveryDate != "2026-10-19" ||
			rec.NoticeNumber != "QU9-004816" || rec.Box != "261019-04" || rec.Resident.BirthDate != "2013-01-26" {
			t.Errorf("row 2 became %+v", rec.Card)
		}
		var postings []store.Posting
		var handed store.CardEvent
		db.View(ctx, func(tx *store.Tx) (err error) {
			postings, _ = tx.CardPostings(ctx, rec.ID)
			handed, err = tx.LastStatusEvent(ctx, rec.ID, string(card.StatusIssued))
			return err
		})
		if len(postings) != 1 || postings[0].Date != "2026-10-24" || postings[0].Kind != store.PostingNotice {
			t.Errorf("notice posting %+v", postings)
		}
		if got := handed.At.In(jst).Format("2006-01-02"); got != "2026-11-08" || handed.Kind != store.EventStatus {
			t.Errorf("hand-over dated %s (%s), want 2026-11-08", got, handed.Kind)
		}
		if got := cardByApp(t, db, "11465697778188049170317").Status; got != card.StatusNoticeReturned {
			t.Errorf("返戻 became %s", got)
		}
		if got := cardByApp(t, db, "33639532275014217743668").Status; got != card.StatusDisposed {
			t.Errorf("廃棄 became %s", got)
		}
		if got := cardByApp(t, db, "66928868323151080402717").Resident.Name; got != "髙\u3000花子" {
			t.Errorf("name %q: 髙 lost", got)
		}
		if !slices.Contains(auditActions(t, db), "import.ledger") {
			t.Error("no audit entry for the import")
		}
		if !slices.Contains(res.UnknownPlaces, "キャビネット1-1段") || len(res.Warnings) != 1 {
			t.Errorf("unknown places %v, warnings %+v (no place is registered)", res.UnknownPlaces, res.Warnings)
		}
	})
}

func TestLedgerImportTwiceChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ledgerService(db)
		file := legacytest.Sample(t)
		first := importLedger(t, s, file, false)
		before, _ := db.Snapshot(ctx, "imports", "audit_log", "audit_head")
		again := importLedger(t, s, file, false)
		after, _ := db.Snapshot(ctx, "imports", "audit_log", "audit_head")
		if again.Created != 0 || again.Updated != 0 || again.Unchanged != first.Created {
			t.Fatalf("second import %+v", again.Result)
		}
		if !equalSnapshots(before, after) {
			t.Fatal("importing the same ledger twice changed the ledger")
		}
		if again.AlreadyImported == nil || again.AlreadyImported.ImportID != first.ImportID {
			t.Fatalf("second import does not say the file was imported before: %+v", again.AlreadyImported)
		}
		if !slices.ContainsFunc(again.Warnings, func(w Warning) bool { return w.Kind == "already_imported" }) {
			t.Error("no already_imported warning")
		}
	})
}

func TestLedgerDryRunWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ledgerService(db)
		res := importLedger(t, s, legacytest.Sample(t), true)
		if !res.DryRun || res.Created != 119 || len(res.Outcomes) != 120 {
			t.Fatalf("dry run %+v, %d outcomes", res.Result, len(res.Outcomes))
		}
		if o := res.Outcomes[13]; o.Line != 15 || o.Outcome != OutcomeRejected {
			t.Errorf("outcome of row 15: %+v", o)
		}
		if n := countCards(t, db); n != 0 {
			t.Fatalf("dry run wrote %d cards", n)
		}
	})
}

func TestLedgerFailureLeavesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ledgerService(db)
		boom := errors.New("disk on fire")
		s.rowHook = func(line int) error {
			if line == 100 {
				return boom
			}
			return nil
		}
		_, err := s.ImportLedger(ctx, staff, auth.Meta{}, bytes.NewReader(legacytest.Sample(t)), LedgerOptions{FileName: "x.xlsx"})
		if !errors.Is(err, boom) {
			t.Fatalf("want the injected failure, got %v", err)
		}
		if n := countCards(t, db); n != 0 {
			t.Fatalf("%d cards left behind", n)
		}
		if slices.Contains(auditActions(t, db), "import.ledger") {
			t.Fatal("a failed import left an audit entry")
		}
	})
}

func TestLedgerBadRowsAreNamedAndNothingOfThemStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ledgerService(db)
		res := importLedger(t, s, legacytest.BadLedger(t), false)
		type key struct {
			line         int
			column, code string
		}
		var got []key
		for _, r := range res.Rejected {
			got = append(got, key{r.Line, r.Column, r.Code})
		}
		want := []key{{5, "状態", "status_unknown"}, {6, "生年月日", "birth_date_invalid"}, {7, "備考", "personal_number_suspected"}}
		if !slices.Equal(got, want) || res.Created != 3 {
			t.Fatalf("rejected %v created %d", got, res.Created)
		}
		snap, _ := db.Snapshot(ctx)
		for table, rows := range snap {
			for _, row := range rows {
				if strings.Contains(row, "123456789018") || strings.Contains(row, "1234 5678 9018") {
					t.Errorf("%s keeps a 個人番号: %s", table, row)
				}
			}
		}
		rec := cardByApp(t, db, "12345678901234567890123")
		if rec.Resident.Name != "𠮷田\u3000\ue000子" || !rec.Resident.HasGaiji || !slices.Contains(rec.Flags, card.FlagGaiji) {
			t.Errorf("name %q gaiji %v flags %v", rec.Resident.Name, rec.Resident.HasGaiji, rec.Flags)
		}
		if rec.Resident.BirthDate != "1970-03-01" || rec.NoticeNumber != "AB1-123456" {
			t.Errorf("row 4 stored as %+v / %+v", rec.Resident, rec.Card)
		}
	})
}

func TestLedgerPlaceMatchesRegisteredPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		err := db.Update(ctx, func(tx *store.Tx) error {
			cab := store.Place{Name: "キャビネット1", Kind: store.PlaceCabinet, Path: "キャビネット1"}
			if err := tx.InsertPlace(ctx, &cab, now); err != nil {
				return err
			}
			return tx.InsertPlace(ctx, &store.Place{ParentID: cab.ID, Name: "1段", Kind: store.PlaceShelf, Path: "キャビネット1-1段"}, now)
		})
		if err != nil {
			t.Fatal(err)
		}
		file := legacytest.Build(t, []string{"申請書ID", "氏名", "生年月日", "状態", "保管場所"},
			[]any{"00000000000000000000001", "山田\u3000一", "1980-01-01", "通知済", "キャビネット１－１段"},
			[]any{"00000000000000000000002", "山田\u3000二", "1980-01-02", "通知済", "金庫の中"})
		res := importLedger(t, ledgerService(db), file, false)
		if got := cardByApp(t, db, "00000000000000000000001").StorageLocation; got != "キャビネット1-1段" {
			t.Errorf("registered place stored as %q", got)
		}
		if got := cardByApp(t, db, "00000000000000000000002").StorageLocation; got != "金庫の中" {
			t.Errorf("unregistered place stored as %q", got)
		}
		if !slices.Equal(res.UnknownPlaces, []string{"金庫の中"}) {
			t.Errorf("unknown places %v", res.UnknownPlaces)
		}
	})
}

func TestLedgerLaterFileMovesStatusOrRefuses(t *testing.T) {
	header := []string{"申請書ID", "氏名", "生年月日", "状態", "通知書発送日", "交付日"}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ledgerService(db)
		importLedger(t, s, legacytest.Build(t, header,
			[]any{"00000000000000000000001", "山田\u3000一", "1980-01-01", "通知済", 46300.0},
			[]any{"00000000000000000000002", "山田\u3000二", "1980-01-02", "交付済", 46300.0, 46310.0},
			[]any{"00000000000000000000003", "山田\u3000三", "1980-01-03", "廃棄待ち", 46300.0}), false)
		res := importLedger(t, s, legacytest.Build(t, header,
			[]any{"00000000000000000000001", "山田\u3000一", "1980-01-01", "交付済", 46300.0, 46320.0},
			[]any{"00000000000000000000002", "山田\u3000二", "1980-01-02", "通知済", 46300.0},
			// disposal needs a second staff member: not through an import
			[]any{"00000000000000000000003", "山田\u3000三", "1980-01-03", "廃棄", 46300.0}), false)
		if res.Updated != 1 || len(res.Rejected) != 2 || res.Rejected[0].Line != 3 || res.Rejected[0].Code != "status_conflict" ||
			res.Rejected[1].Line != 4 || res.Rejected[1].Code != "status_conflict" {
			t.Fatalf("second file %+v", res.Result)
		}
		if got := cardByApp(t, db, "00000000000000000000003").Status; got != card.StatusDisposalPending {
			t.Errorf("disposal pending card became %s", got)
		}
		if o := res.Outcomes[0]; o.Outcome != OutcomeUpdated || !slices.Equal(o.Changes, []string{"状態", "交付日"}) {
			t.Errorf("outcome %+v", o)
		}
		if got := cardByApp(t, db, "00000000000000000000001").Status; got != card.StatusIssued {
			t.Errorf("status %s, want issued", got)
		}
		if got := cardByApp(t, db, "00000000000000000000002").Status; got != card.StatusIssued {
			t.Errorf("an issued card went back to %s", got)
		}
	})
}

func TestLedgerNotAWorkbookIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, err := ledgerService(db).ImportLedger(ctx, staff, auth.Meta{}, strings.NewReader("申請書ID,氏名\n"), LedgerOptions{FileName: "x.csv"})
		if err == nil || !strings.Contains(err.Error(), "xlsx") {
			t.Fatalf("err %v", err)
		}
	})
}

// A large ledger lists its first MaxListed rows and counts them all.
func TestLedgerReportListsTheFirstRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rows := make([][]any, MaxListed+200)
		for i := range rows {
			rows[i] = []any{fmt.Sprintf("%023d", i+1), "山田\u3000太郎", "1980-01-01", "保管中"}
		}
		res := importLedger(t, ledgerService(db), legacytest.Build(t, []string{"申請書ID", "氏名", "生年月日", "状態"}, rows...), true)
		s := res.RejectedSummary
		if res.Rows != len(rows) || len(res.Outcomes) != MaxListed || !res.OutcomesCut || len(res.Rejected) != MaxListed ||
			s.Total != len(rows) || s.Rows != len(rows) || !s.Cut || s.ByCode["status_unknown"] != len(rows) {
			t.Fatalf("rows %d, %d outcomes (cut %v), %d rejections listed, summary %+v", res.Rows, len(res.Outcomes), res.OutcomesCut, len(res.Rejected), s)
		}
	})
}
