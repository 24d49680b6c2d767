// Package surface records card surface updates (券面更新 / 追記欄): an
// address, a name or an expiry date written on a card's face and chip,
// with the value before and after, the day and the staff member.
//
// A change the resident reports before it can be written (the card is in
// stock, or the resident comes back later) is registered as pending: the
// card then carries the stored flag card.FlagSurfacePending, wherever it
// appears, until the update is recorded as done or withdrawn. Recording it
// done also brings the ledger up to date (the resident's address or name,
// the card's expiry date) with an entry in the card's history. Every read
// and change is audited in the transaction that does it. No SQL, no HTTP.
package surface

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
)

// Limits of what staff type.
const (
	maxNameRunes    = 100
	maxAddressRunes = 200
	maxNoteRunes    = 500
	maxTextRunes    = 100
	defaultLimit    = 50
	maxLimit        = 500
)

// Service carries out the surface update use cases.
type Service struct {
	db    *store.DB
	clock clock.Clock
	loc   *time.Location
}

// New returns the service; loc is the city's time zone (today's date).
func New(db *store.DB, c clock.Clock, loc *time.Location) *Service {
	if loc == nil {
		loc = time.UTC
	}
	return &Service{db: db, clock: c, loc: loc}
}

// Kinds returns the kinds of change in display order.
func Kinds() []string { return []string{store.SurfaceAddress, store.SurfaceName, store.SurfaceExpiry} }

// KindLabel is the Japanese name of a kind of change ("" if unknown).
func KindLabel(kind string) string {
	return map[string]string{store.SurfaceAddress: "住所", store.SurfaceName: "氏名", store.SurfaceExpiry: "有効期限"}[kind]
}

// States returns the states in display order.
func States() []string {
	return []string{store.SurfacePending, store.SurfaceDone, store.SurfaceWithdrawn}
}

// StateLabel is the Japanese name of a state ("" if unknown).
func StateLabel(state string) string {
	return map[string]string{store.SurfacePending: "未更新（届出済み）", store.SurfaceDone: "更新済み",
		store.SurfaceWithdrawn: "取消"}[state]
}

// Input is a change staff register for a card. Date is the day the change
// was written on the card, or, when Pending, the day it was reported; ""
// means today. An empty NewDetail keeps the current postal code or kana.
type Input struct {
	Kind      string
	NewValue  string
	NewDetail string // optional: the new postal code with an address, the new kana with a name
	Date      string
	Pending   bool
	Note      string
}

// CardUpdates is a card with its surface updates, newest first.
type CardUpdates struct {
	Card    store.CardRecord
	Updates []store.SurfaceUpdate
}

// Pending returns the updates of the card still to be written.
func (c CardUpdates) Pending() []store.SurfaceUpdate {
	var out []store.SurfaceUpdate
	for _, u := range c.Updates {
		if u.State == store.SurfacePending {
			out = append(out, u)
		}
	}
	return out
}

func (s *Service) now() time.Time   { return s.clock.Now() }
func (s *Service) today() string    { return s.clock.Now().In(s.loc).Format(time.DateOnly) }
func cardTarget(id int64) string    { return "card:" + strconv.FormatInt(id, 10) }
func trim(v string) string          { return strings.TrimSpace(v) }
func runes(v string) int            { return utf8.RuneCountInString(v) }
func validKind(kind string) bool    { return KindLabel(kind) != "" }
func validState(state string) bool  { return StateLabel(state) != "" }
func isVoid(st card.Status) bool    { return slices.Contains(voidStatuses(), st) }
func pendingFlag(c store.Card) bool { return slices.Contains(c.Flags, card.FlagSurfacePending) }
func withFlag(c *store.Card)        { c.Flags = append(slices.Clone(c.Flags), card.FlagSurfacePending) }
func withoutFlag(c *store.Card)     { c.Flags = deleted(c.Flags, card.FlagSurfacePending) }
func deleted(fs []string, f string) []string {
	return slices.DeleteFunc(slices.Clone(fs), func(x string) bool { return x == f })
}

// voidStatuses are the statuses of cards nothing is written on any more:
// defective, sent back, cancelled or on their way to disposal.
func voidStatuses() []card.Status {
	return []card.Status{card.StatusDefective, card.StatusReturnedToJLIS, card.StatusCancelled,
		card.StatusDisposalPending, card.StatusDisposed}
}

// audit appends an entry in tx.
func (s *Service) audit(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, action, target string, detail map[string]any) error {
	_, err := tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: action,
		Target: target, IP: m.IP, RequestID: m.RequestID, Detail: detail}, s.now())
	return err
}

// ForCard returns a card with its surface updates and records that p read
// them.
func (s *Service) ForCard(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64) (CardUpdates, error) {
	var out CardUpdates
	err := s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if out.Card, err = tx.CardByID(ctx, cardID); err != nil {
			return err
		}
		if out.Updates, err = tx.CardSurfaceUpdates(ctx, cardID); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "surface.viewed", cardTarget(cardID), map[string]any{"count": len(out.Updates)})
	})
	return out, err
}

// currentValue is what the ledger holds now for a kind of change.
func currentValue(rec store.CardRecord, kind string) string {
	switch kind {
	case store.SurfaceAddress:
		return rec.Resident.Address
	case store.SurfaceName:
		return rec.Resident.Name
	}
	return rec.ExpiryDate
}

// currentDetail is what the ledger holds now for the detail of a kind.
func currentDetail(rec store.CardRecord, kind string) string {
	switch kind {
	case store.SurfaceAddress:
		return rec.Resident.PostalCode
	case store.SurfaceName:
		return rec.Resident.NameKana
	}
	return ""
}

// detailField is the card history's name of the detail of a kind.
func detailField(kind string) string {
	return map[string]string{store.SurfaceAddress: "postal_code", store.SurfaceName: "name_kana"}[kind]
}

// historyField is the card history's name of the field a kind changes.
func historyField(kind string) string {
	if kind == store.SurfaceExpiry {
		return "expiry_date"
	}
	return kind
}
