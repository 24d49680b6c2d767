package intake

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/legacy/legacytest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// runLedgerJob sends a file through StartLedger with every file sent to the
// background, and waits for the job to end.
func runLedgerJob(t *testing.T, s *Service, b []byte, dry bool) *LedgerJob {
	t.Helper()
	s.SetJobBytes(-1)
	res, job, err := s.StartLedger(ctx, staff, auth.Meta{IP: "10.0.0.1"}, bytes.NewReader(b), LedgerOptions{DryRun: dry, FileName: "ledger.xlsx"})
	if err != nil || res != nil || job == nil || job.State != store.JobRunning {
		t.Fatalf("start: res %v job %+v err %v", res, job, err)
	}
	s.WaitJobs()
	done, err := s.LedgerJob(ctx, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	return done
}

func reportJSON(t *testing.T, res LedgerResult) string {
	t.Helper()
	res.ImportID = 0
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A job's report is the very answer the same file gets at once: the
// rejections (with their lines, columns and codes), counts and outcomes.
func TestLedgerJobReportsAsTheAnswerDoes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		want := importLedger(t, ledgerService(db), legacytest.BadLedger(t), true)
		job := runLedgerJob(t, ledgerService(db), legacytest.BadLedger(t), true)
		if job.State != store.JobDone || job.Result == nil || job.Error != nil || job.FinishedAt == nil {
			t.Fatalf("job %+v", job)
		}
		if job.RowsDone != want.Rows || job.RowsTotal != want.Rows {
			t.Errorf("rows %d/%d, want %d", job.RowsDone, job.RowsTotal, want.Rows)
		}
		if got, want := reportJSON(t, *job.Result), reportJSON(t, want); got != want {
			t.Errorf("job report\n%s\nwant the synchronous one\n%s", got, want)
		}
		if n := countCards(t, db); n != 0 {
			t.Fatalf("a dry run job wrote %d cards", n)
		}
	})
}

func TestLedgerJobImportsAndRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ledgerService(db)
		job := runLedgerJob(t, s, legacytest.Sample(t), false)
		if job.State != store.JobDone || job.ImportID == 0 || job.Result.Created != 119 || job.RowsDone != 120 {
			t.Fatalf("job %+v result %+v", job, job.Result)
		}
		if n := countCards(t, db); n != 119 {
			t.Fatalf("%d cards", n)
		}
		rec, err := s.LedgerImport(ctx, job.ImportID)
		if err != nil || rec.Created != 119 {
			t.Fatalf("import record %+v %v", rec.Result, err)
		}
		if !slices.Contains(auditActions(t, db), "import.ledger") {
			t.Error("no import.ledger audit entry")
		}
	})
}

// codeDiskOnFire is a failure no real job meets.
var codeDiskOnFire = apperr.Define("disk_on_fire", apperr.KindInternal)

// A job that fails leaves nothing of the file and says why.
func TestLedgerJobFailureLeavesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ledgerService(db)
		s.rowHook = func(line int) error {
			if line == 100 {
				return apperr.New(codeDiskOnFire, "ディスクが燃えています。")
			}
			return nil
		}
		job := runLedgerJob(t, s, legacytest.Sample(t), false)
		if job.State != store.JobFailed || job.Error == nil || job.Error.Code != "disk_on_fire" || job.Result != nil {
			t.Fatalf("job %+v", job)
		}
		if n := countCards(t, db); n != 0 {
			t.Fatalf("%d cards left behind", n)
		}
		if slices.Contains(auditActions(t, db), "import.ledger") {
			t.Fatal("a failed job left an import audit entry")
		}
	})
}

// Only one ledger job runs at a time; a job that a stopped process left
// running is marked failed when the server starts again.
func TestLedgerJobOneAtATimeAndInterrupted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ledgerService(db)
		stale := store.ImportJob{Kind: KindLedger, FileName: "big.xlsx", ActorID: staff.UserID, Actor: staff.Username}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.InsertImportJob(ctx, &stale) }); err != nil {
			t.Fatal(err)
		}
		s.SetJobBytes(-1)
		_, _, err := s.StartLedger(ctx, staff, auth.Meta{}, bytes.NewReader(legacytest.Sample(t)), LedgerOptions{FileName: "x.xlsx"})
		if !apperr.Is(err, CodeImportRunning) {
			t.Fatalf("second job: want %s, got %v", CodeImportRunning, err)
		}
		if err := s.FailInterruptedJobs(ctx); err != nil {
			t.Fatal(err)
		}
		job, err := s.LedgerJob(ctx, stale.ID)
		if err != nil || job.State != store.JobFailed || job.Error.Code != CodeImportInterrupted.String() || job.Error.Message == "" {
			t.Fatalf("interrupted job %+v %v", job, err)
		}
		if done := runLedgerJob(t, s, legacytest.Sample(t), true); done.State != store.JobDone {
			t.Fatalf("after the interrupted one: %+v", done)
		}
		if _, err := s.LedgerJob(ctx, 999); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown job: %v", err)
		}
	})
}

// A large preview and its confirmation both run as jobs: the preview keeps
// the file and is audited when it ends, the confirmation imports it.
func TestLedgerPreviewAndConfirmAsJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ledgerService(db)
		s.SetJobBytes(-1)
		id, _, job, err := s.PreviewLedger(ctx, staff, auth.Meta{}, "ledger.xlsx", bytes.NewReader(legacytest.Sample(t)))
		if err != nil || job == nil || id == 0 {
			t.Fatalf("preview: id %d job %v err %v", id, job, err)
		}
		s.WaitJobs()
		if job, _ = s.LedgerJob(ctx, job.ID); job.State != store.JobDone || job.UploadID != id || !job.Result.DryRun {
			t.Fatalf("preview job %+v", job)
		}
		if !slices.Contains(auditActions(t, db), "import.ledger_previewed") {
			t.Error("the preview job was not audited")
		}
		_, job, err = s.ConfirmLedger(ctx, staff, auth.Meta{}, id)
		if err != nil || job == nil {
			t.Fatalf("confirm: %v %v", job, err)
		}
		s.WaitJobs()
		if job, _ = s.LedgerJob(ctx, job.ID); job.State != store.JobDone || job.Result.Created != 119 {
			t.Fatalf("confirm job %+v", job)
		}
		_, _, err = s.ConfirmLedger(ctx, staff, auth.Meta{}, id)
		if !apperr.Is(err, apperr.NotFound) {
			t.Errorf("the confirmed file was kept: %v", err)
		}
	})
}
