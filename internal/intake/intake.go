// Package intake imports the card lists J-LIS delivers into the ledger.
// One file is one transaction: every valid row lands, or (on any failure)
// nothing does. Rows already in the ledger are compared and updated with a
// history entry, so importing a file twice creates nothing.
package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"sync"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/jlis"
	"github.com/kofu-oss/kofu/internal/store"
)

// Service imports delivery files.
type Service struct {
	db    *store.DB
	clock clock.Clock

	// rowHook runs after each imported row; tests use it to inject a
	// failure at row k and prove that nothing of the file remains.
	rowHook func(line int) error
	// chunkRows, when set, replaces defaultChunkRows; tests use 1 (row by
	// row) to prove that chunks change nothing.
	chunkRows int

	// jobThreshold, when set, replaces DefaultJobBytes (SetJobBytes).
	jobThreshold int
	jobs         sync.Map // job ID → *jobProgress, for the jobs running here
	running      sync.WaitGroup
}

// New returns the service.
func New(db *store.DB, c clock.Clock) *Service { return &Service{db: db, clock: c} }

// Options tune one import.
type Options struct {
	DryRun   bool
	FileName string
	Profile  jlis.Profile   // the city's extra header spellings
	Progress func(rows int) // called every progressEvery rows
	// Preview keeps the first rows as they will be stored (Result.Preview).
	Preview bool
}

const progressEvery = 2000

// Result is the answer to an import, as the API returns it.
type Result struct {
	DryRun    bool   `json:"dry_run"`
	ImportID  int64  `json:"import_id,omitempty"`
	FileName  string `json:"file_name"`
	SHA256    string `json:"sha256"`
	Encoding  string `json:"encoding"`
	Rows      int    `json:"rows"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	// Rejected lists the first MaxListed problems; RejectedSummary counts
	// them all.
	Rejected        []Rejection `json:"rejected"`
	RejectedSummary Summary     `json:"rejected_summary"`
	Warnings        []Warning   `json:"warnings"`
	WarningsSummary Summary     `json:"warnings_summary"`
	// Preview holds personal data: never stored with the report, never in
	// the API's answer.
	Preview *RowPreview `json:"-"`

	lastRejected int // line of the last rejection, to count rows
}

// Rejection is a row that was not imported, and why.
type Rejection struct {
	Line   int    `json:"line"`
	Column string `json:"column"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// Warning is something staff should look at; the row was imported.
type Warning struct {
	Line   int    `json:"line"`
	Kind   string `json:"kind"`
	Column string `json:"column,omitempty"`
	Detail string `json:"detail"`
}

func newResult(dry bool, fileName string) Result {
	return Result{DryRun: dry, FileName: fileName, Rejected: []Rejection{}, Warnings: []Warning{},
		RejectedSummary: Summary{ByCode: map[string]int{}}, WarningsSummary: Summary{ByCode: map[string]int{}}}
}

// errDryRun rolls a dry run's transaction back after it counted everything.
var errDryRun = errors.New("dry run")

// ImportJLIS reads a delivery file and applies it to the ledger in one
// transaction (rolled back for a dry run, which still reports exact counts).
func (s *Service) ImportJLIS(ctx context.Context, p auth.Principal, m auth.Meta, file io.Reader, opt Options) (Result, error) {
	if opt.Profile == nil {
		p, err := s.profile(ctx)
		if err != nil {
			return Result{}, err
		}
		opt.Profile = p
	}
	sum := sha256.New()
	rd, err := jlis.NewReader(io.TeeReader(file, sum), jlis.Options{Profile: opt.Profile, Today: jlis.DateOf(s.clock.Now())})
	if err != nil {
		return Result{}, err
	}
	res := newResult(opt.DryRun, opt.FileName)
	res.Encoding = rd.Encoding().String()
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.LockImports(ctx); err != nil {
			return err
		}
		tx.DeferSearchIndex()
		run := &run{svc: s, tx: tx, p: p, res: &res, now: s.clock.Now(), progress: opt.Progress}
		if err := run.startPreview(ctx, opt.Preview); err != nil {
			return err
		}
		if err := run.rows(ctx, rd); err != nil {
			return err
		}
		if run.preview != nil {
			run.preview.finish()
			res.Preview = run.preview
		}
		if err := tx.FlushSearchIndex(ctx); err != nil {
			return err
		}
		if err := run.applyGaiji(ctx); err != nil {
			return err
		}
		io.Copy(sum, file) // whatever the reader left unread still belongs to the checksum
		res.SHA256 = hex.EncodeToString(sum.Sum(nil))
		res.readerWarnings(rd.Warnings(), rd.WarningCounts())
		if opt.DryRun {
			return errDryRun
		}
		return s.record(ctx, tx, p, m, &res)
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return res, err
}

func warningsOf(ws []jlis.Warning) []Warning {
	out := make([]Warning, 0, len(ws))
	for _, w := range ws {
		out = append(out, Warning{Line: w.Line, Kind: w.Kind, Column: w.Column, Detail: w.Detail})
	}
	return out
}

// record stores the import's trace and its audit entry.
func (s *Service) record(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, res *Result) error {
	report, err := json.Marshal(res)
	if err != nil {
		return err
	}
	rec := store.ImportRecord{Kind: "jlis", FileName: res.FileName, SHA256: res.SHA256, Encoding: res.Encoding,
		ActorID: p.UserID, Actor: p.Username, StartedAt: s.clock.Now(), Rows: res.Rows, Created: res.Created,
		Updated: res.Updated, Unchanged: res.Unchanged, Rejected: res.RejectedTotal(), Report: string(report)}
	if err := tx.InsertImport(ctx, &rec); err != nil {
		return err
	}
	res.ImportID = rec.ID
	_, err = tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "import.jlis",
		Target: "import:" + strconv.FormatInt(rec.ID, 10), IP: m.IP, RequestID: m.RequestID,
		Detail: map[string]any{"file_name": res.FileName, "sha256": res.SHA256, "rows": res.Rows, "created": res.Created,
			"updated": res.Updated, "unchanged": res.Unchanged, "rejected": res.RejectedTotal()}}, s.clock.Now())
	return err
}

// Imports lists past imports, newest first.
func (s *Service) Imports(ctx context.Context, limit int) ([]store.ImportRecord, error) {
	var out []store.ImportRecord
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { out, err = tx.Imports(ctx, limit); return })
	return out, err
}

// Import returns one past import with its full report.
func (s *Service) Import(ctx context.Context, id int64) (store.ImportRecord, Result, error) {
	var rec store.ImportRecord
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { rec, err = tx.ImportByID(ctx, id); return })
	if apperr.Is(err, apperr.NotFound) {
		return rec, Result{}, apperr.Wrap(apperr.NotFound, "取込の記録が見つかりません。", err)
	}
	if err != nil {
		return rec, Result{}, err
	}
	var res Result
	err = json.Unmarshal([]byte(rec.Report), &res)
	res.ImportID = rec.ID // the report was written before the record had its ID
	return rec, res, err
}
