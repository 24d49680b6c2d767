package backup

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
)

// Result is the outcome of the last scheduled backup, for /metrics and
// the operators.
type Result struct {
	At   time.Time
	File string
	Rows int64
	Err  string // "" when it succeeded
}

// Scheduler writes the scheduled backups of one instance into a folder
// and deletes the expired ones. The folder is the record of what ran, so a
// restarted server neither repeats nor forgets a backup.
type Scheduler struct {
	db    *store.DB
	dir   string
	enc   Encryption
	sched Schedule
	clock clock.Clock
	log   *slog.Logger

	mu   sync.Mutex
	last Result
}

// NewScheduler returns a scheduler writing to dir; enc must encrypt.
func NewScheduler(db *store.DB, dir string, enc Encryption, sched Schedule, c clock.Clock, log *slog.Logger) (*Scheduler, error) {
	if _, err := enc.recipients(); err != nil {
		return nil, err
	}
	if err := sched.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &Scheduler{db: db, dir: dir, enc: enc, sched: sched, clock: c, log: log}, nil
}

// Last returns the outcome of the last scheduled backup (zero before one).
func (s *Scheduler) Last() Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// Run checks once a minute until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if _, err := s.RunOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "scheduled backup failed", "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce writes a backup when one is due and then removes the expired
// ones; it reports whether it ran.
func (s *Scheduler) RunOnce(ctx context.Context) (bool, error) {
	names, err := s.existing()
	if err != nil {
		return false, err
	}
	now := s.clock.Now()
	plan := s.sched.Plan(now, names)
	if !plan.Run {
		return false, nil
	}
	m, err := WriteFile(ctx, s.db, filepath.Join(s.dir, plan.Name), s.enc, now)
	s.record(ctx, Result{At: now, File: plan.Name, Rows: m.TotalRows()}, err)
	if err != nil {
		return true, err
	}
	for _, name := range plan.Delete {
		if err := os.Remove(filepath.Join(s.dir, name)); err != nil {
			s.log.WarnContext(ctx, "expired backup not removed", "file", name, "err", err.Error())
		}
	}
	s.log.InfoContext(ctx, "scheduled backup written", "file", plan.Name, "rows", m.TotalRows(), "removed", len(plan.Delete))
	return true, nil
}

// record keeps the outcome for /metrics and in the database for the
// dashboard of every instance.
func (s *Scheduler) record(ctx context.Context, r Result, err error) {
	if err != nil {
		r.Err = err.Error()
	}
	s.mu.Lock()
	s.last = r
	s.mu.Unlock()
	if err := RecordResult(ctx, s.db, r); err != nil {
		s.log.WarnContext(ctx, "backup result not recorded", "err", err.Error())
	}
}

func (s *Scheduler) existing() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}
