package store

import (
	"context"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// Import job states.
const (
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// ImportJob is an import running in the background, or how it ended.
type ImportJob struct {
	ID           int64
	Kind         string
	FileName     string
	DryRun       bool
	UploadID     int64 // a preview's staged file, waiting for confirmation
	ActorID      int64
	Actor        string
	State        string
	RowsTotal    int
	StartedAt    time.Time
	FinishedAt   time.Time
	ImportID     int64  // the import record, when the job imported for real
	Report       string // JSON: the answer, once done (sealed: it quotes rejected lines)
	ErrorCode    string
	ErrorMessage string
}

// CodeImportRunning refuses a second ledger job while one runs.
var CodeImportRunning = apperr.Define("import_running", apperr.KindConflict)

// InsertImportJob records a running job and sets its ID. A job of the
// same kind already running is a conflict (import_running).
func (t *Tx) InsertImportJob(ctx context.Context, j *ImportJob) error {
	j.State = JobRunning
	err := t.queryRow(ctx, `INSERT INTO import_jobs (kind, file_name, dry_run, upload_id, actor_id, actor, state, started_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		j.Kind, j.FileName, j.DryRun, j.UploadID, j.ActorID, j.Actor, j.State, millis(j.StartedAt)).Scan(&j.ID)
	if err = translate(err); apperr.Is(err, apperr.Conflict) {
		return apperr.Wrap(CodeImportRunning, "別のカード管理簿の取込が実行中です。終わってからもう一度お試しください。", err)
	}
	return err
}

// SetImportJobTotal records how many rows the job's file holds.
func (t *Tx) SetImportJobTotal(ctx context.Context, id int64, rows int) error {
	_, err := t.exec(ctx, `UPDATE import_jobs SET rows_total = $2 WHERE id = $1`, id, rows)
	return translate(err)
}

// FinishImportJob records how a job ended: done with its report, or
// failed with an error.
func (t *Tx) FinishImportJob(ctx context.Context, j ImportJob) error {
	report, err := t.seal(j.Report, "import_jobs.report", rowKey(j.ID))
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `UPDATE import_jobs SET state = $2, finished_at = $3, import_id = $4, report = $5,
		error_code = $6, error_message = $7, rows_total = $8 WHERE id = $1`,
		j.ID, j.State, millis(j.FinishedAt), j.ImportID, report, j.ErrorCode, j.ErrorMessage, j.RowsTotal)
	return translate(err)
}

// FailRunningImportJobs marks every running job failed with the code and
// message, when no import holds the imports' lock (PostgreSQL: another
// instance may be importing; SQLite has one process). It returns how many
// jobs it marked.
func (t *Tx) FailRunningImportJobs(ctx context.Context, code, message string, at time.Time) (int64, error) {
	if t.d.forUpdate != "" {
		var free bool
		if err := t.queryRow(ctx, `SELECT pg_try_advisory_xact_lock(7432002)`).Scan(&free); err != nil || !free {
			return 0, translate(err)
		}
	}
	res, err := t.exec(ctx, `UPDATE import_jobs SET state = $1, finished_at = $2, error_code = $3, error_message = $4
		WHERE state = $5`, JobFailed, millis(at), code, message, JobRunning)
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}

// ImportJobByID returns one job, or not_found.
func (t *Tx) ImportJobByID(ctx context.Context, id int64) (ImportJob, error) {
	var j ImportJob
	var started, finished int64
	err := t.queryRow(ctx, `SELECT id, kind, file_name, dry_run, upload_id, COALESCE(actor_id, 0), actor, state,
		rows_total, started_at, finished_at, import_id, report, error_code, error_message FROM import_jobs WHERE id = $1`, id).
		Scan(&j.ID, &j.Kind, &j.FileName, &j.DryRun, &j.UploadID, &j.ActorID, &j.Actor, &j.State,
			&j.RowsTotal, &started, &finished, &j.ImportID, &j.Report, &j.ErrorCode, &j.ErrorMessage)
	if err != nil {
		return j, translate(err)
	}
	j.StartedAt = fromMillis(started)
	if finished != 0 {
		j.FinishedAt = fromMillis(finished)
	}
	j.Report, err = t.open(j.Report, "import_jobs.report", rowKey(j.ID))
	return j, err
}
