package filing

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
)

// settleTime is how long a file in the watched folder must stay unchanged
// before it is taken: a scanner may still be writing it.
const settleTime = 10 * time.Second

// errorDir is the subfolder a file that could not be taken moves to, with
// a .txt file beside it saying why.
const errorDir = "error"

// FolderResult is one file taken from the watched folder.
type FolderResult struct {
	Name   string
	Result InboxResult
	Err    error
}

// ScanFolder takes every stack the scanner left in dir (PDF, TIFF, JPEG,
// PNG by their names; their content decides), as the inbox page does. A
// file taken is removed: its pages are now sealed in the database, and a
// scan must not stay readable on disk. A file refused moves to
// dir/error with the reason beside it.
func (s *Service) ScanFolder(ctx context.Context, dir string) ([]FolderResult, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []FolderResult
	for _, e := range entries {
		if !e.Type().IsRegular() || !stackName(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil || s.clock.Now().Sub(info.ModTime()) < settleTime {
			continue
		}
		r := FolderResult{Name: e.Name()}
		var taken bool
		r.Result, taken, r.Err = s.scanFile(ctx, filepath.Join(dir, e.Name()))
		if r.Err != nil && ctx.Err() != nil {
			return out, ctx.Err()
		}
		if r.Err != nil && !taken {
			if err := refuseFile(dir, e.Name(), r.Err); err != nil {
				return out, err
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func stackName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png":
		return !strings.HasPrefix(name, ".")
	}
	return false
}

// scanFile takes the stack at path into the database, removes the file
// (its content is sealed now), then splits it; taken tells whether the
// file was taken, so that a failure afterwards leaves it to Resume.
func (s *Service) scanFile(ctx context.Context, path string) (res InboxResult, taken bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return res, false, err
	}
	p := auth.System("inbox")
	stack, err := s.takeStack(ctx, p, filepath.Base(path), f)
	f.Close()
	if err != nil {
		return res, false, err
	}
	if err := os.Remove(path); err != nil {
		return res, true, err
	}
	res, err = s.splitStack(ctx, p, auth.Meta{}, stack, false)
	return res, true, err
}

func refuseFile(dir, name string, cause error) error {
	if err := os.MkdirAll(filepath.Join(dir, errorDir), 0o700); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(dir, name), filepath.Join(dir, errorDir, name)); err != nil {
		return err
	}
	msg := apperr.MessageOf(cause)
	if code := apperr.CodeOf(cause); code != apperr.Internal {
		msg += " (" + code.String() + ")"
	}
	return os.WriteFile(filepath.Join(dir, errorDir, name+".txt"), []byte(msg+"\n"), 0o600)
}

// WatchFolder runs ScanFolder every interval until ctx ends, after
// resuming the stacks whose splitting was interrupted (by a restart too).
func (s *Service) WatchFolder(ctx context.Context, dir string, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		resumed, err := s.ResumeInterrupted(ctx, auth.System("inbox"))
		if err != nil && !errors.Is(err, context.Canceled) {
			log.ErrorContext(ctx, "document inbox resume", "err", err.Error())
		}
		for _, r := range resumed {
			log.InfoContext(ctx, "document inbox stack resumed", "stack", r.StackID, "pages", len(r.Pages), "filed", r.Filed,
				"to_review", r.ToReview)
		}
		res, err := s.ScanFolder(ctx, dir)
		if err != nil && !errors.Is(err, context.Canceled) {
			log.ErrorContext(ctx, "document inbox folder", "dir", dir, "err", err.Error())
		}
		for _, r := range res {
			if r.Err != nil {
				log.WarnContext(ctx, "document inbox file refused", "file", r.Name, "code", apperr.CodeOf(r.Err))
			} else {
				log.InfoContext(ctx, "document inbox file taken", "file", r.Name, "pages", len(r.Result.Pages),
					"filed", r.Result.Filed, "to_review", r.Result.ToReview)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
