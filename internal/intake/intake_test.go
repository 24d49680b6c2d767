package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var ctx = context.Background()

var staff = auth.Principal{UserID: 7, Username: "tanaka", Role: auth.RoleStaff}

func newService(db *store.DB) *Service {
	return New(db, clock.NewFixed(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)))
}

func sample(t *testing.T, name string) []byte {
	t.Helper()
	for _, dir := range []string{"../../../shared/samples", "../../shared/samples"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			return b
		}
	}
	t.Fatalf("sample %s not found next to the repository", name)
	return nil
}

type expectation struct {
	Rows     int
	Rejected []struct {
		Line int
		Why  string
	}
	GaijiRows []int `json:"gaiji_rows"`
	Notices   []string
}

func importBytes(t *testing.T, s *Service, b []byte, dry bool) Result {
	t.Helper()
	res, err := s.ImportJLIS(ctx, staff, auth.Meta{IP: "10.0.0.1"}, bytes.NewReader(b), Options{DryRun: dry, FileName: "delivery.csv"})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res
}

func countCards(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	err := db.View(ctx, func(tx *store.Tx) (err error) { _, n, err = tx.SearchCards(ctx, store.CardFilter{Limit: 1}); return })
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSampleImportMatchesTheExpectation(t *testing.T) {
	var want expectation
	if err := json.Unmarshal(sample(t, "jlis-delivery-expect.json"), &want); err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		res := importBytes(t, s, sample(t, "jlis-delivery-cp932.csv"), false)
		rejectedLines := map[int]string{}
		for _, r := range res.Rejected {
			rejectedLines[r.Line] = r.Reason
		}
		if res.Rows != want.Rows || len(rejectedLines) != len(want.Rejected) || res.Created != want.Rows-len(want.Rejected) {
			t.Fatalf("rows %d created %d rejected %v", res.Rows, res.Created, res.Rejected)
		}
		for _, r := range want.Rejected {
			if !strings.Contains(rejectedLines[r.Line], r.Why) {
				t.Errorf("line %d: want reason %q, got %q", r.Line, r.Why, rejectedLines[r.Line])
			}
		}
		var gaiji []int
		for _, w := range res.Warnings {
			if w.Kind == "gaiji" {
				gaiji = append(gaiji, w.Line)
			}
		}
		if !slices.Equal(gaiji, want.GaijiRows) {
			t.Errorf("gaiji warnings at %v, want %v", gaiji, want.GaijiRows)
		}
		if countCards(t, db) != res.Created || res.ImportID == 0 || len(res.SHA256) != 64 {
			t.Fatalf("ledger holds %d cards; import %+v", countCards(t, db), res)
		}
		for _, n := range want.Notices {
			err := db.View(ctx, func(tx *store.Tx) error { _, err := tx.CardByNoticeNumber(ctx, n); return err })
			if err != nil {
				t.Errorf("notice %s: %v", n, err)
			}
		}
	})
}

func TestReimportChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		file := sample(t, "jlis-delivery-cp932.csv")
		first := importBytes(t, s, file, false)
		before, _ := db.Snapshot(ctx, "imports", "audit_log", "audit_head")
		again := importBytes(t, s, file, false)
		after, _ := db.Snapshot(ctx, "imports", "audit_log", "audit_head")
		if again.Created != 0 || again.Updated != 0 || again.Unchanged != first.Created {
			t.Fatalf("re-import: %+v", again)
		}
		if !equalSnapshots(before, after) {
			t.Fatal("re-importing the same file changed the ledger")
		}
	})
}

func equalSnapshots(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestDryRunCountsButWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		res := importBytes(t, s, sample(t, "jlis-delivery-utf8bom.csv"), true)
		if !res.DryRun || res.Created != res.Rows-len(uniqueLines(res.Rejected)) || res.Created == 0 {
			t.Fatalf("dry run counts: %+v", res)
		}
		if n := countCards(t, db); n != 0 {
			t.Fatalf("dry run wrote %d cards", n)
		}
		imports, _ := s.Imports(ctx, 10)
		if len(imports) != 0 {
			t.Fatal("a dry run is not recorded as an import")
		}
	})
}

func uniqueLines(rs []Rejection) map[int]bool {
	m := map[int]bool{}
	for _, r := range rs {
		m[r.Line] = true
	}
	return m
}

func TestFailureAtRowKLeavesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		boom := errors.New("disk on fire")
		s.rowHook = func(line int) error {
			if line == 120 {
				return boom
			}
			return nil
		}
		_, err := s.ImportJLIS(ctx, staff, auth.Meta{}, bytes.NewReader(sample(t, "jlis-delivery-cp932.csv")), Options{FileName: "x.csv"})
		if !errors.Is(err, boom) {
			t.Fatalf("want the injected failure, got %v", err)
		}
		if n := countCards(t, db); n != 0 {
			t.Fatalf("%d cards left behind by a failed import", n)
		}
		var actions []string
		db.View(ctx, func(tx *store.Tx) error {
			return tx.EachAudit(ctx, func(e audit.Entry) error { actions = append(actions, e.Action); return nil })
		})
		if slices.Contains(actions, "import.jlis") {
			t.Fatal("a failed import must leave no audit entry claiming it happened")
		}
	})
}

func TestConcurrentImportsCreateEachCardOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		file := sample(t, "jlis-delivery-cp932.csv")
		var wg sync.WaitGroup
		results := make([]Result, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() {
				results[i], errs[i] = s.ImportJLIS(ctx, staff, auth.Meta{}, bytes.NewReader(file), Options{FileName: "same.csv"})
			})
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("errors: %v %v", errs[0], errs[1])
		}
		created := results[0].Created + results[1].Created
		unchanged := results[0].Unchanged + results[1].Unchanged
		if created != 237 || unchanged != 237 || countCards(t, db) != 237 {
			t.Fatalf("created %d unchanged %d cards %d", created, unchanged, countCards(t, db))
		}
	})
}

func TestLaterFileUpdatesWithHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		header := "申請書ID,交付通知書番号,氏名,氏名カナ,生年月日,住所\r\n"
		importBytes(t, s, []byte(header+"12345678901234567890123,AB1-000001,山田　髙子,ﾔﾏﾀﾞ ﾀｶｺ,S45.3.1,三田市A町1\r\n"), false)
		res := importBytes(t, s, []byte(header+"12345678901234567890123,AB1-000001,山田　髙子,ﾔﾏﾀﾞ ﾀｶｺ,S45.3.1,三田市B町2\r\n"), false)
		if res.Updated != 1 || res.Created != 0 {
			t.Fatalf("update: %+v", res)
		}
		var rec store.CardRecord
		var events []store.CardEvent
		db.View(ctx, func(tx *store.Tx) (err error) {
			if rec, err = tx.CardByNoticeNumber(ctx, "AB1-000001"); err != nil {
				return err
			}
			events, err = tx.CardEvents(ctx, rec.ID)
			return err
		})
		if rec.Resident.Address != "三田市B町2" || rec.Resident.Name != "山田　髙子" || rec.Resident.BirthDate != "1970-03-01" {
			t.Fatalf("stored: %+v", rec.Resident)
		}
		last := events[len(events)-1]
		if last.Field != "address" || last.OldValue != "三田市A町1" || last.NewValue != "三田市B町2" || last.Actor != "tanaka" {
			t.Fatalf("history: %+v", events)
		}
	})
}

func TestNoticeNumberOfAnotherCardIsRejected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		header := "申請書ID,交付通知書番号,氏名,生年月日\n"
		res := importBytes(t, s, []byte(header+
			"11111111111111111111111,AB1-000001,一郎,1980-01-01\n"+
			"22222222222222222222222,AB1-000001,二郎,1981-01-01\n"), false)
		if res.Created != 1 || len(res.Rejected) != 1 || res.Rejected[0].Line != 3 || res.Rejected[0].Code != "notice_number_taken" {
			t.Fatalf("%+v", res)
		}
	})
}

func TestPersonalNumberIsNeverStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		const myNumber = "123456789018" // valid check digit
		res := importBytes(t, s, []byte("申請書ID,個人番号,氏名,生年月日\n33333333333333333333333,"+myNumber+",三郎,1990-05-05\n"), false)
		var dropped bool
		for _, w := range res.Warnings {
			dropped = dropped || (w.Kind == "personal_number_dropped" && w.Column == "個人番号")
		}
		if res.Created != 1 || !dropped {
			t.Fatalf("%+v", res)
		}
		snap, _ := db.Snapshot(ctx)
		for table, rows := range snap {
			for _, row := range rows {
				if strings.Contains(row, myNumber) {
					t.Fatalf("個人番号 stored in %s: %s", table, row)
				}
			}
		}
	})
}

func TestFileWithoutRequiredColumnIsRefused(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	_, err := newService(db).ImportJLIS(ctx, staff, auth.Meta{}, strings.NewReader("申請書ID,氏名\n1,a\n"), Options{})
	if !apperr.Is(err, apperr.Invalid) || !strings.Contains(apperr.MessageOf(err), "生年月日") {
		t.Fatalf("want a refusal naming 生年月日, got %v", err)
	}
}
