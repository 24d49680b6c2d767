package intake

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/store"
)

// MaxStaged bounds a file kept between preview and confirmation.
const MaxStaged = 128 << 20

// stagedLifetime is how long a previewed file waits for confirmation.
const stagedLifetime = time.Hour

// Preview keeps an uploaded file for its confirmation and returns the dry
// run's report, with its first rows as they will be stored, and the
// staged file's ID. The rows show residents' data, so the preview is
// audited.
func (s *Service) Preview(ctx context.Context, p auth.Principal, m auth.Meta, fileName string, r io.Reader) (int64, Result, error) {
	content, err := io.ReadAll(io.LimitReader(r, MaxStaged+1))
	if err != nil {
		return 0, Result{}, err
	}
	if len(content) > MaxStaged {
		return 0, Result{}, apperr.New(apperr.Invalid, "ファイルが大きすぎます (128 MB まで)。分割して取り込んでください。")
	}
	res, err := s.ImportJLIS(ctx, p, m, bytes.NewReader(content), Options{DryRun: true, FileName: fileName, Preview: true})
	if err != nil {
		return 0, res, err
	}
	var id int64
	err = s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if err := tx.PurgeUploads(ctx, s.clock.Now().Add(-stagedLifetime)); err != nil {
			return err
		}
		if id, err = tx.StageUpload(ctx, p.UserID, fileName, content, s.clock.Now()); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "import.jlis_previewed",
			Target: "upload:" + strconv.FormatInt(id, 10), IP: m.IP, RequestID: m.RequestID,
			Detail: map[string]any{"file_name": fileName, "sha256": res.SHA256, "rows": res.Rows,
				"rows_shown": len(res.Preview.Rows), "lines_shown": res.Preview.lines()}}, s.clock.Now())
		return err
	})
	return id, res, err
}

// Confirm imports a previewed file for real and forgets it.
func (s *Service) Confirm(ctx context.Context, p auth.Principal, m auth.Meta, id int64, progress func(int)) (Result, error) {
	var name string
	var content []byte
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { name, content, err = tx.Upload(ctx, id, p.UserID); return })
	if apperr.Is(err, apperr.NotFound) {
		return Result{}, apperr.Wrap(apperr.NotFound, "確認済みのファイルが見つかりません (1 時間で消えます)。もう一度ファイルを選んでください。", err)
	}
	if err != nil {
		return Result{}, err
	}
	res, err := s.ImportJLIS(ctx, p, m, bytes.NewReader(content), Options{FileName: name, Progress: progress})
	if err != nil {
		return res, err
	}
	return res, s.db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteUpload(ctx, id) })
}
