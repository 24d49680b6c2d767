// Package ledger is the card ledger service: searching cards, showing one,
// moving it through its statuses and editing what staff may edit. Every
// change is written with its card event and its audit entry in one
// transaction; every search and card view leaves an audit entry too. The
// package holds no SQL and no HTTP.
package ledger

import (
	"context"
	"strconv"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
)

// Service carries out the card ledger's use cases.
type Service struct {
	db    *store.DB
	clock clock.Clock
}

// New returns a service on db that reads the time from c.
func New(db *store.DB, c clock.Clock) *Service { return &Service{db: db, clock: c} }

// Detail is what the card page shows: the card, its history (oldest
// first) and the statuses staff may move it to now, in button order.
type Detail struct {
	Card   store.CardRecord
	Events []store.CardEvent
	Next   []card.Status
}

// Get returns the card page of a card and records that p viewed it.
func (s *Service) Get(ctx context.Context, p auth.Principal, m auth.Meta, id int64) (Detail, error) {
	var d Detail
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { d, err = loadDetail(ctx, tx, id); return err })
	if err != nil {
		return Detail{}, err
	}
	// A view changes nothing, so its entry gets a transaction of its own and
	// the page is only shown once the entry is stored.
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		return s.audit(ctx, tx, p, m, "card.viewed", cardTarget(id), nil)
	})
	return d, err
}

func loadDetail(ctx context.Context, tx *store.Tx, id int64) (Detail, error) {
	rec, err := tx.CardByID(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	return detailOf(ctx, tx, rec)
}

func detailOf(ctx context.Context, tx *store.Tx, rec store.CardRecord) (Detail, error) {
	events, err := tx.CardEvents(ctx, rec.ID)
	if err != nil {
		return Detail{}, err
	}
	return Detail{Card: rec, Events: events, Next: NextStatuses(rec)}, nil
}

// audit appends an entry for an action by p in tx.
func (s *Service) audit(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, action, target string, detail map[string]any) error {
	_, err := tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: action,
		Target: target, IP: m.IP, RequestID: m.RequestID, Detail: detail}, s.clock.Now())
	return err
}

func cardTarget(id int64) string { return "card:" + strconv.FormatInt(id, 10) }
