package auditlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/store"
)

// Published is a head as published outside the database: in the server's
// log, in a file of the head directory, in a backup's manifest.
type Published struct {
	Format      string    `json:"format"` // PublishedFormat
	PublishedAt time.Time `json:"published_at"`
	audit.Head
}

// PublishedFormat names the format of a published head.
const PublishedFormat = "kofu-audit-head"

// Publisher sends the head where a database administrator cannot change
// it: a log line (for the SIEM) and, when dir is set, a new file there
// (meant for write-once storage). A later `kofu audit verify --head`
// compares the log with the newest of them.
type Publisher struct {
	log  *slog.Logger
	dir  string
	last int64 // the last id this process published
}

// NewPublisher returns a publisher to log and, when dir is not "", to files.
func NewPublisher(log *slog.Logger, dir string) *Publisher {
	return &Publisher{log: log, dir: dir, last: -1}
}

// Publish reads the head and publishes it when it moved since the last
// time. A head whose key does not hold is published all the same (it is
// what the database says) and logged as an error: the log was changed by
// someone without the key.
func (s *Service) Publish(ctx context.Context, p *Publisher) error {
	var h audit.Head
	if err := s.db.View(ctx, func(tx *store.Tx) (err error) { h, err = tx.AuditHead(ctx); return }); err != nil {
		return err
	}
	if h.LastID == p.last {
		return nil
	}
	if err := s.CheckHead(h); err != nil {
		p.log.ErrorContext(ctx, "audit head does not verify", "err", err.Error(), "last_id", h.LastID)
	}
	p.log.InfoContext(ctx, "audit head", "last_id", h.LastID, "last_hash", h.LastHash,
		"anchor_id", h.AnchorID, "anchor_hash", h.AnchorHash, "mac", h.Mac)
	if p.dir != "" {
		if err := WriteHead(p.dir, Published{Format: PublishedFormat, PublishedAt: s.clock.Now().UTC(), Head: h}); err != nil {
			return err
		}
	}
	p.last = h.LastID
	return nil
}

// CheckHead verifies a head's key with the database's keys.
func (s *Service) CheckHead(h audit.Head) error {
	keys := s.db.AuditKeys()
	if keys == nil {
		return errors.New("データの暗号鍵がないため、監査ログの先頭を確認できません")
	}
	return h.Check(keys)
}

// WriteHead writes a published head as a new file of dir, named by its
// last entry; a file of the same head (written by another server) is kept.
func WriteHead(dir string, p Published) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	name := filepath.Join(dir, fmt.Sprintf("audit-head-%020d.json", p.LastID))
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("監査ログの先頭を書き出せません: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// ReadHead reads a published head from a file, or the newest (highest
// entry) of the head files of a directory.
func ReadHead(path string) (Published, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Published{}, fmt.Errorf("公開した監査ログの先頭を読めません: %w", err)
	}
	if !st.IsDir() {
		return readHeadFile(path)
	}
	files, err := filepath.Glob(filepath.Join(path, "audit-head-*.json"))
	if err != nil || len(files) == 0 {
		return Published{}, fmt.Errorf("%s に監査ログの先頭のファイル (audit-head-*.json) がありません", path)
	}
	var newest Published
	for _, f := range files {
		p, err := readHeadFile(f)
		if err != nil {
			return Published{}, err
		}
		if p.LastID >= newest.LastID {
			newest = p
		}
	}
	return newest, nil
}

func readHeadFile(path string) (Published, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Published{}, fmt.Errorf("公開した監査ログの先頭を読めません: %w", err)
	}
	var p Published
	// A bare head (a backup manifest's audit_head) is accepted too.
	if err := json.Unmarshal(b, &p); err != nil || p.LastHash == "" || (p.Format != "" && p.Format != PublishedFormat) {
		return Published{}, fmt.Errorf("%s は監査ログの先頭のファイルではありません", path)
	}
	return p, nil
}
