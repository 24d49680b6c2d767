// Package notice runs the notices a city mails in waves: batches of cards
// fixed when they are made, printed as letters (交付通知書に同封する案内,
// 再通知, 返戻後の再送) and address labels or exported for a print shop,
// confirmed as sent in one transaction; the wave planner that sizes the
// next batch to the counters' free seats; and the national monthly figures.
// It holds no SQL and no HTTP: the store reads and writes, package paper
// draws, package wave computes the plan.
package notice

import (
	"context"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/store"
)

// The kinds of batch, each with its own letter template.
const (
	KindGuide    = ledger.MailGuide    // 交付通知書（初回）
	KindReminder = ledger.MailReminder // 再通知
	KindResend   = ledger.MailResend   // 返戻後の再送
)

// GaijiMap reads the city's 外字 table.
type GaijiMap func(ctx context.Context) (map[rune]string, error)

// BookingSettings reads the booking settings (places, hours, seats).
type BookingSettings func(ctx context.Context) (booking.Settings, error)

// Deps are what the service works with.
type Deps struct {
	DB       *store.DB
	Clock    clock.Clock
	Loc      *time.Location
	Ledger   *ledger.Workflows
	Gaiji    GaijiMap
	Bookings BookingSettings
	BaseURL  string // the server's public URL, the booking site's address unless the settings name one
}

// Service carries out the notice use cases.
type Service struct {
	db       *store.DB
	clock    clock.Clock
	loc      *time.Location
	wf       *ledger.Workflows
	gaiji    GaijiMap
	bookings BookingSettings
	baseURL  string
}

// New returns the service.
func New(d Deps) *Service {
	loc := d.Loc
	if loc == nil {
		loc = time.UTC
	}
	return &Service{db: d.DB, clock: d.Clock, loc: loc, wf: d.Ledger, gaiji: d.Gaiji, bookings: d.Bookings, baseURL: d.BaseURL}
}

func (s *Service) now() time.Time { return s.clock.Now().In(s.loc) }

func (s *Service) today() string { return s.now().Format(time.DateOnly) }

// audit appends an entry for an action by p in tx.
func (s *Service) audit(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, action, target string, detail map[string]any) error {
	_, err := tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: action,
		Target: target, IP: m.IP, RequestID: m.RequestID, Detail: detail}, s.clock.Now())
	return err
}

func batchTarget(id int64) string { return "notice_batch:" + strconv.FormatInt(id, 10) }
