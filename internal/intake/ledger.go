package intake

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/jlis"
	"github.com/kofu-oss/kofu/internal/legacy"
	"github.com/kofu-oss/kofu/internal/store"
)

// KindLedger is the import record kind of the city's Excel ledger.
const KindLedger = "ledger"

// LedgerResult is the answer to a ledger import: the counts of Result, and
// what happens to each row, so a preview shows it before anything is
// written.
type LedgerResult struct {
	Result
	Sheet           string       `json:"sheet"`
	AlreadyImported *PriorImport `json:"already_imported,omitempty"`
	// Outcomes lists the first MaxListed rows; OutcomesCut says there
	// were more (the counts of Result hold them all).
	Outcomes      []RowOutcome `json:"outcomes"`
	OutcomesCut   bool         `json:"outcomes_cut"`
	UnknownPlaces []string     `json:"unknown_places"` // the first MaxListed
}

// PriorImport is an earlier import of the very same file.
type PriorImport struct {
	ImportID int64     `json:"import_id"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
}

// Outcomes of a ledger row.
const (
	OutcomeCreated   = "created"
	OutcomeUpdated   = "updated"
	OutcomeUnchanged = "unchanged"
	OutcomeRejected  = "rejected"
)

// RowOutcome is what the import does with one row. It names the card by
// its 申請書ID and holds no personal data.
type RowOutcome struct {
	Line            int         `json:"line"`
	ApplicationID   string      `json:"application_id,omitempty"`
	Outcome         string      `json:"outcome"`
	Status          card.Status `json:"status,omitempty"`
	StorageLocation string      `json:"storage_location,omitempty"`
	Changes         []string    `json:"changes,omitempty"`
}

// OutcomeLabel is the Japanese word for an outcome.
func OutcomeLabel(o string) string {
	switch o {
	case OutcomeCreated:
		return "新規"
	case OutcomeUpdated:
		return "更新"
	case OutcomeUnchanged:
		return "変更なし"
	case OutcomeRejected:
		return "取込不可"
	}
	return o
}

// LedgerOptions tune one ledger import.
type LedgerOptions struct {
	DryRun   bool
	FileName string
	Progress func(rows int) // called after each chunk of rows
}

// ImportLedger reads the city's Excel ledger and applies it in one
// transaction (rolled back for a dry run, which still reports exact
// counts and outcomes). Importing the same file again changes nothing and
// says when it was first imported.
func (s *Service) ImportLedger(ctx context.Context, p auth.Principal, m auth.Meta, file io.Reader, opt LedgerOptions) (LedgerResult, error) {
	content, err := legacy.Load(file, legacy.Options{})
	if err != nil {
		return LedgerResult{}, err
	}
	return s.importLedger(ctx, p, m, content, opt)
}

// importLedger imports a workbook held in memory: its rows stream from
// the reader into the transaction, so memory does not grow with them.
func (s *Service) importLedger(ctx context.Context, p auth.Principal, m auth.Meta, content []byte, opt LedgerOptions) (LedgerResult, error) {
	sum := sha256.Sum256(content)
	res := LedgerResult{Result: newResult(opt.DryRun, opt.FileName), Outcomes: []RowOutcome{}, UnknownPlaces: []string{}}
	res.SHA256, res.Encoding = hex.EncodeToString(sum[:]), "xlsx"
	book, err := legacy.NewReader(content, legacy.Options{Today: jlis.DateOf(s.clock.Now().In(jst))})
	if err != nil {
		return res, err
	}
	defer book.Close()
	res.Sheet = book.Sheet
	err = s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if err := tx.LockImports(ctx); err != nil {
			return err
		}
		restore, err := tx.SmallCache(ctx)
		if err != nil {
			return err
		}
		defer func() { err = cmp.Or(err, restore()) }()
		if err := s.noteEarlierImport(ctx, tx, &res); err != nil {
			return err
		}
		tx.DeferSearchIndex()
		lr := &ledgerRun{run: run{svc: s, tx: tx, p: p, res: &res.Result, now: s.clock.Now(), progress: opt.Progress}, out: &res}
		if err := lr.apply(ctx, book); err != nil {
			return err
		}
		if err := tx.FlushSearchIndex(ctx); err != nil {
			return err
		}
		if err := lr.applyGaiji(ctx); err != nil {
			return err
		}
		for _, w := range lr.placeWarning() {
			res.warn(w)
		}
		res.readerWarnings(book.Warnings(), book.WarningCounts())
		if opt.DryRun {
			return errDryRun
		}
		return s.recordLedger(ctx, tx, p, m, &res)
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	debug.FreeOSMemory() // a big ledger's garbage would otherwise stay resident under the next import's
	return res, err
}

// jst is Japan Standard Time (no daylight saving, so a fixed zone is exact).
var jst = time.FixedZone("JST", 9*60*60)

// noteEarlierImport says so when this exact file was imported before.
func (s *Service) noteEarlierImport(ctx context.Context, tx *store.Tx, res *LedgerResult) error {
	prev, err := tx.ImportBySHA256(ctx, KindLedger, res.SHA256)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	res.AlreadyImported = &PriorImport{ImportID: prev.ID, At: prev.StartedAt, Actor: prev.Actor}
	res.warn(Warning{Kind: "already_imported", Detail: fmt.Sprintf(
		"このファイルは %s に %s が取り込み済みです（取込番号 %d）。もう一度取り込んでも台帳は変わりません",
		prev.StartedAt.In(jst).Format("2006-01-02 15:04"), prev.Actor, prev.ID)})
	return nil
}

// recordLedger stores the import's trace and its audit entry.
func (s *Service) recordLedger(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, res *LedgerResult) error {
	report, err := json.Marshal(res)
	if err != nil {
		return err
	}
	rec := store.ImportRecord{Kind: KindLedger, FileName: res.FileName, SHA256: res.SHA256, Encoding: res.Encoding,
		ActorID: p.UserID, Actor: p.Username, StartedAt: s.clock.Now(), Rows: res.Rows, Created: res.Created,
		Updated: res.Updated, Unchanged: res.Unchanged, Rejected: res.RejectedTotal(), Report: string(report)}
	if err := tx.InsertImport(ctx, &rec); err != nil {
		return err
	}
	res.ImportID = rec.ID
	_, err = tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "import.ledger",
		Target: "import:" + strconv.FormatInt(rec.ID, 10), IP: m.IP, RequestID: m.RequestID,
		Detail: map[string]any{"file_name": res.FileName, "sha256": res.SHA256, "rows": res.Rows, "created": res.Created,
			"updated": res.Updated, "unchanged": res.Unchanged, "rejected": res.RejectedTotal(),
			"already_imported": res.AlreadyImported != nil}}, s.clock.Now())
	return err
}

// PreviewLedger keeps an uploaded ledger for its confirmation and returns
// the dry run's report with the staged file's ID. The preview shows which
// of the ledger's cards exist and in what state, so it is audited. A large
// file's dry run runs in the background: the job is returned instead of
// the report, and audits the preview when it ends.
func (s *Service) PreviewLedger(ctx context.Context, p auth.Principal, m auth.Meta, fileName string, r io.Reader) (int64, LedgerResult, *LedgerJob, error) {
	content, err := legacy.Load(r, legacy.Options{})
	if err != nil {
		return 0, LedgerResult{}, nil, err
	}
	opt := LedgerOptions{DryRun: true, FileName: fileName}
	if s.inBackground(len(content)) {
		var id int64
		err := s.db.Update(ctx, func(tx *store.Tx) (err error) { id, err = s.stage(ctx, tx, p, fileName, content); return })
		if err != nil {
			return 0, LedgerResult{}, nil, err
		}
		job, err := s.startJob(ctx, p, m, content, opt, id)
		if err != nil { // no job will look at the file
			s.db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteUpload(ctx, id) })
		}
		return id, LedgerResult{}, job, err
	}
	res, err := s.importLedger(ctx, p, m, content, opt)
	if err != nil {
		return 0, res, nil, err
	}
	var id int64
	err = s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if id, err = s.stage(ctx, tx, p, fileName, content); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "import.ledger_previewed",
			Target: "upload:" + strconv.FormatInt(id, 10), IP: m.IP, RequestID: m.RequestID,
			Detail: map[string]any{"file_name": fileName, "sha256": res.SHA256, "rows": res.Rows}}, s.clock.Now())
		return err
	})
	return id, res, nil, err
}

// stage keeps a file until its import is confirmed, and drops the files
// left unconfirmed for stagedLifetime.
func (s *Service) stage(ctx context.Context, tx *store.Tx, p auth.Principal, fileName string, content []byte) (int64, error) {
	if err := tx.PurgeUploads(ctx, s.clock.Now().Add(-stagedLifetime)); err != nil {
		return 0, err
	}
	return tx.StageUpload(ctx, p.UserID, fileName, content, s.clock.Now())
}

// ConfirmLedger imports a previewed ledger for real and forgets the file.
// A large file is imported in the background: the job is returned instead
// of the report, and forgets the file when it is done.
func (s *Service) ConfirmLedger(ctx context.Context, p auth.Principal, m auth.Meta, id int64) (LedgerResult, *LedgerJob, error) {
	var name string
	var content []byte
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { name, content, err = tx.Upload(ctx, id, p.UserID); return })
	if apperr.Is(err, apperr.NotFound) {
		return LedgerResult{}, nil, apperr.Wrap(apperr.NotFound, "確認済みのファイルが見つかりません (1 時間で消えます)。もう一度ファイルを選んでください。", err)
	}
	if err != nil {
		return LedgerResult{}, nil, err
	}
	if s.inBackground(len(content)) {
		job, err := s.startJob(ctx, p, m, content, LedgerOptions{FileName: name}, id)
		return LedgerResult{}, job, err
	}
	res, err := s.importLedger(ctx, p, m, content, LedgerOptions{FileName: name})
	if err != nil {
		return res, nil, err
	}
	return res, nil, s.db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteUpload(ctx, id) })
}

// LedgerImport returns one past ledger import with its full report.
func (s *Service) LedgerImport(ctx context.Context, id int64) (LedgerResult, error) {
	rec, _, err := s.Import(ctx, id)
	if err != nil {
		return LedgerResult{}, err
	}
	if rec.Kind != KindLedger {
		return LedgerResult{}, apperr.New(apperr.NotFound, "カード管理簿の取込の記録が見つかりません。")
	}
	var res LedgerResult
	err = json.Unmarshal([]byte(rec.Report), &res)
	res.ImportID = rec.ID
	return res, err
}
