package intake

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/legacy"
	"github.com/kofu-oss/kofu/internal/store"
)

// DefaultJobBytes is the size of a ledger file above which its import (or
// dry run) runs in the background: the request answers at once with the
// job, which reports its progress and, once done, the same report a
// smaller file gets in the answer. A ledger of some 6,000 rows is about
// this size and takes seconds.
const DefaultJobBytes = 512 << 10

// Error codes of a job that did not finish: another job runs, or the
// process running it stopped (a job's recorded error, never an answer).
var (
	CodeImportRunning     = store.CodeImportRunning
	CodeImportInterrupted = apperr.Define("import_interrupted", apperr.KindInternal)
)

// LedgerJob is a ledger import running in the background, or how it
// ended, as the API shows it.
type LedgerJob struct {
	ID       int64  `json:"job_id"`
	State    string `json:"status"` // running, done, failed
	DryRun   bool   `json:"dry_run"`
	FileName string `json:"file_name"`
	// RowsDone counts the rows applied so far (known to the instance
	// running the job); RowsTotal the file's rows (0 while being counted).
	RowsDone   int        `json:"rows_done"`
	RowsTotal  int        `json:"rows_total"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	ImportID   int64      `json:"import_id,omitempty"`
	// Result is the import's report once done: the answer a smaller file
	// gets at once.
	Result *LedgerResult `json:"result,omitempty"`
	Error  *JobError     `json:"error,omitempty"`
	// UploadID is a preview's staged file, waiting for confirmation.
	UploadID int64 `json:"-"`
	ActorID  int64 `json:"-"`
}

// JobError is why a job failed.
type JobError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// jobProgress is what a job running in this process has done.
type jobProgress struct{ rows, total atomic.Int64 }

func (s *Service) jobBytes() int {
	if s.jobThreshold != 0 {
		return max(s.jobThreshold, 0)
	}
	return DefaultJobBytes
}

// inBackground says whether a ledger file of n bytes is imported in the
// background: the one place of that decision.
func (s *Service) inBackground(n int) bool { return n > s.jobBytes() }

// SetJobBytes sets the size above which ledger imports run in the
// background; a negative size sends every file there (tests).
func (s *Service) SetJobBytes(n int) { s.jobThreshold = n }

// StartLedger imports the city's Excel ledger like ImportLedger, or, when
// the file is large, starts a background job and returns it at once.
func (s *Service) StartLedger(ctx context.Context, p auth.Principal, m auth.Meta, file io.Reader, opt LedgerOptions) (*LedgerResult, *LedgerJob, error) {
	content, err := legacy.Load(file, legacy.Options{})
	if err != nil {
		return nil, nil, err
	}
	if !s.inBackground(len(content)) {
		res, err := s.importLedger(ctx, p, m, content, opt)
		return &res, nil, err
	}
	job, err := s.startJob(ctx, p, m, content, opt, 0)
	return nil, job, err
}

// startJob records a running job and starts it. Only one ledger job runs
// at a time (import_running).
func (s *Service) startJob(ctx context.Context, p auth.Principal, m auth.Meta, content []byte, opt LedgerOptions, uploadID int64) (*LedgerJob, error) {
	book, err := legacy.NewReader(content, legacy.Options{}) // a file refused at once stays refused at once
	if err != nil {
		return nil, err
	}
	book.Close()
	rec := store.ImportJob{Kind: KindLedger, FileName: opt.FileName, DryRun: opt.DryRun, UploadID: uploadID,
		ActorID: p.UserID, Actor: p.Username, StartedAt: s.clock.Now()}
	if err := s.db.Update(ctx, func(tx *store.Tx) error { return tx.InsertImportJob(ctx, &rec) }); err != nil {
		return nil, err
	}
	prog := &jobProgress{}
	s.jobs.Store(rec.ID, prog)
	s.running.Add(1)
	go func() {
		defer s.running.Done()
		defer s.jobs.Delete(rec.ID)
		s.runJob(context.WithoutCancel(ctx), p, m, rec, content, opt, prog)
	}()
	return jobOf(rec, prog), nil
}

// runJob counts the file's rows, imports it and records how it ended.
func (s *Service) runJob(ctx context.Context, p auth.Principal, m auth.Meta, rec store.ImportJob, content []byte, opt LedgerOptions, prog *jobProgress) {
	if n, err := countLedgerRows(content); err == nil {
		prog.total.Store(int64(n))
	}
	debug.FreeOSMemory() // the count's shared strings, before the import reads them again
	opt.Progress = func(rows int) { prog.rows.Store(int64(rows)) }
	res, err := s.importLedger(ctx, p, m, content, opt)
	rec.FinishedAt, rec.RowsTotal = s.clock.Now(), res.Rows
	if err == nil {
		rec.State, rec.ImportID = store.JobDone, res.ImportID
		b, merr := json.Marshal(res)
		rec.Report, err = string(b), merr
	}
	if err != nil {
		rec.State, rec.ErrorCode, rec.ErrorMessage = store.JobFailed, apperr.CodeOf(err).String(), apperr.MessageOf(err)
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.FinishImportJob(ctx, rec); err != nil {
			return err
		}
		return s.settleUpload(ctx, tx, p, m, rec, res)
	})
	if err != nil {
		slog.ErrorContext(ctx, "ledger import job: recording its end failed", "job", rec.ID, "err", err)
	}
}

// settleUpload finishes with a job's staged file: a preview that ran is
// audited (the file waits for its confirmation), a failed preview's file
// is dropped, and a confirmed import forgets it.
func (s *Service) settleUpload(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, rec store.ImportJob, res LedgerResult) error {
	switch {
	case rec.UploadID == 0:
		return nil
	case rec.DryRun && rec.State == store.JobDone:
		_, err := tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "import.ledger_previewed",
			Target: "upload:" + strconv.FormatInt(rec.UploadID, 10), IP: m.IP, RequestID: m.RequestID,
			Detail: map[string]any{"file_name": rec.FileName, "sha256": res.SHA256, "rows": res.Rows,
				"job": rec.ID}}, s.clock.Now())
		return err
	case rec.DryRun || rec.State == store.JobDone:
		return tx.DeleteUpload(ctx, rec.UploadID)
	}
	return nil // a failed confirmation keeps the file for another try
}

// countLedgerRows reads the ledger once to count its rows, for progress.
func countLedgerRows(content []byte) (int, error) {
	book, err := legacy.NewReader(content, legacy.Options{})
	if err != nil {
		return 0, err
	}
	defer book.Close()
	n := 0
	for {
		if _, err := book.Next(); err == io.EOF {
			return n, nil
		} else if err != nil {
			return n, err
		}
		n++
	}
}

// LedgerJob returns a background ledger import: its progress while it
// runs, its report once done, or why it failed.
func (s *Service) LedgerJob(ctx context.Context, id int64) (*LedgerJob, error) {
	var rec store.ImportJob
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { rec, err = tx.ImportJobByID(ctx, id); return })
	if apperr.Is(err, apperr.NotFound) || (err == nil && rec.Kind != KindLedger) {
		return nil, apperr.New(apperr.NotFound, "カード管理簿の取込の処理が見つかりません。")
	}
	if err != nil {
		return nil, err
	}
	var prog *jobProgress
	if v, ok := s.jobs.Load(id); ok {
		prog = v.(*jobProgress)
	}
	job := jobOf(rec, prog)
	if rec.State == store.JobDone {
		job.Result = &LedgerResult{}
		if err := json.Unmarshal([]byte(rec.Report), job.Result); err != nil {
			return nil, err
		}
		job.Result.ImportID = rec.ImportID
	}
	return job, nil
}

func jobOf(rec store.ImportJob, prog *jobProgress) *LedgerJob {
	j := &LedgerJob{ID: rec.ID, State: rec.State, DryRun: rec.DryRun, FileName: rec.FileName, StartedAt: rec.StartedAt,
		ImportID: rec.ImportID, UploadID: rec.UploadID, ActorID: rec.ActorID, RowsTotal: rec.RowsTotal}
	if rec.State == store.JobRunning && prog != nil {
		j.RowsDone, j.RowsTotal = int(prog.rows.Load()), int(prog.total.Load())
	} else if rec.State != store.JobRunning {
		j.RowsDone = rec.RowsTotal
		j.FinishedAt = &rec.FinishedAt
	}
	if rec.State == store.JobFailed {
		j.Error = &JobError{Code: rec.ErrorCode, Message: rec.ErrorMessage}
	}
	return j
}

// FailInterruptedJobs marks failed the jobs a stopped process left
// running (their transaction never committed, so the ledger is as before
// them). The server calls it when it starts; on PostgreSQL it leaves them
// while another instance holds the imports' lock.
func (s *Service) FailInterruptedJobs(ctx context.Context) error {
	return s.db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.FailRunningImportJobs(ctx, CodeImportInterrupted.String(),
			"サーバーが停止したため、取込は途中で中断されました。台帳は変わっていません。もう一度ファイルを選んで取り込んでください。", s.clock.Now())
		return err
	})
}

// WaitJobs waits for the background jobs of this process to end (tests,
// and a shutdown that lets them finish).
func (s *Service) WaitJobs() { s.running.Wait() }
