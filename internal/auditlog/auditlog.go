// Package auditlog is the service over the stored audit log: browsing,
// CSV export, verification and retention.
package auditlog

import (
	"context"
	"encoding/json"
	"io"
	"regexp"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/export"
	"github.com/kofu-oss/kofu/internal/store"
)

// Service reads and maintains the audit log.
type Service struct {
	db    *store.DB
	clock clock.Clock
	loc   *time.Location
}

// New returns the service; times are shown in loc.
func New(db *store.DB, c clock.Clock, loc *time.Location) *Service {
	return &Service{db: db, clock: c, loc: loc}
}

// Page is one page of entries, newest first.
type Page struct {
	Entries []audit.Entry
	Total   int
}

// Search returns matching entries and records that the log was viewed.
func (s *Service) Search(ctx context.Context, p auth.Principal, m auth.Meta, f store.AuditFilter) (Page, error) {
	var pg Page
	err := s.db.Update(ctx, func(tx *store.Tx) (err error) {
		pg.Total, err = tx.SearchAudit(ctx, f, func(e audit.Entry) error {
			e.Detail = openDetail(tx, e.Detail)
			pg.Entries = append(pg.Entries, e)
			return nil
		})
		if err != nil {
			return err
		}
		return s.record(ctx, tx, p, m, "audit.viewed", f)
	})
	return pg, err
}

// ExportCSV streams matching entries as CSV (UTF-8 with BOM for Excel).
// The export is recorded first, in its own transaction, so even an export
// cut short leaves its trace.
func (s *Service) ExportCSV(ctx context.Context, p auth.Principal, m auth.Meta, f store.AuditFilter, w io.Writer) error {
	if err := s.db.Update(ctx, func(tx *store.Tx) error { return s.record(ctx, tx, p, m, "audit.exported", f) }); err != nil {
		return err
	}
	f.Limit = 0
	out := export.NewWriter(w, export.UTF8)
	if err := out.Header([]string{"番号", "日時", "操作者", "操作", "対象", "IPアドレス", "リクエストID", "詳細", "ハッシュ"}); err != nil {
		return err
	}
	return s.db.View(ctx, func(tx *store.Tx) error {
		_, err := tx.SearchAudit(ctx, f, func(e audit.Entry) error {
			e.Detail = openDetail(tx, e.Detail)
			return out.Row(csvRow(e, s.loc))
		})
		return err
	})
}

// sealedValue is a value sealed by the store inside an entry's JSON detail
// (the name staff typed into a search).
var sealedValue = regexp.MustCompile(`"enc1:[^"]*"`)

// openDetail shows the sealed values of a detail decrypted, to the
// administrators who may read the log; the stored entry, which the hash
// chain covers, stays sealed. A value whose key is gone stays as it is.
func openDetail(tx *store.Tx, detail string) string {
	return sealedValue.ReplaceAllStringFunc(detail, func(q string) string {
		v, err := tx.Open(q[1:len(q)-1], "audit_log.q")
		if err != nil {
			return q
		}
		b, _ := json.Marshal(v) // a string always marshals
		return string(b)
	})
}

func csvRow(e audit.Entry, loc *time.Location) []string {
	return []string{strconv.FormatInt(e.ID, 10), e.At.In(loc).Format("2006-01-02 15:04:05.000"), e.Actor, e.Action,
		e.Target, e.IP, e.RequestID, e.Detail, e.Hash}
}

func (s *Service) record(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, action string, f store.AuditFilter) error {
	detail := map[string]any{"actor": f.Actor, "action": f.Action, "target": f.Target}
	_, err := tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: action, Target: "audit_log",
		IP: m.IP, RequestID: m.RequestID, Detail: detail}, s.clock.Now())
	return err
}

// Verify checks the whole chain; see store.VerifyAudit.
func (s *Service) Verify(ctx context.Context) error { return store.VerifyAudit(ctx, s.db) }

// purgeBatch bounds the entries one purge transaction removes (and checks
// first), so that appends, which wait for it, wait briefly.
const purgeBatch = 5000

// Purge removes entries older than the retention period, batch by batch,
// each recorded with the anchor it leaves, keeping the chain verifiable
// from its new anchor. Entries that do not verify are not removed.
func (s *Service) Purge(ctx context.Context, retentionYears int) (int64, error) {
	now := s.clock.Now()
	var total int64
	for {
		var n int64
		err := s.db.Update(ctx, func(tx *store.Tx) (err error) {
			n, err = tx.PurgeAudit(ctx, now.AddDate(-retentionYears, 0, 0), now, purgeBatch, map[string]any{"retention_years": retentionYears})
			return err
		})
		total += n
		if err != nil || n < purgeBatch {
			return total, err
		}
	}
}
