package juki

import (
	"context"
	"strconv"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// Lookup searches the register by a name or kana fragment and/or a birth
// date, and records who looked.
func (s *Service) Lookup(ctx context.Context, p auth.Principal, m auth.Meta, q, birth string) ([]store.RegisterResident, error) {
	var out []store.RegisterResident
	err := s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if out, err = tx.RegisterResidents(ctx, q, birth, 200); err != nil {
			return err
		}
		numbers := make([]string, len(out))
		for i, r := range out {
			numbers[i] = r.ResidentNumber
		}
		_, err = tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "juki.searched", Target: "register",
			IP: m.IP, RequestID: m.RequestID, Detail: map[string]any{"q": q, "birth_date": birth, "resident_numbers": numbers}}, s.clock.Now())
		return err
	})
	return out, err
}

// Proposals lists the proposals waiting for staff.
func (s *Service) Proposals(ctx context.Context) ([]store.Proposal, error) {
	var out []store.Proposal
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { out, err = tx.Proposals(ctx, "proposed"); return })
	return out, err
}

// Confirm cancels the proposal's card through the ledger with its reason.
func (s *Service) Confirm(ctx context.Context, p auth.Principal, m auth.Meta, id int64) error {
	prop, err := s.open(ctx, id)
	if err != nil {
		return err
	}
	if _, err := s.ledger.Transition(ctx, p, m, prop.CardID, card.StatusCancelled, "住基の異動による廃止", card.CancelReason(prop.Reason)); err != nil {
		return err
	}
	return s.decide(ctx, p, m, prop, "confirmed")
}

// Dismiss closes a proposal without touching the card.
func (s *Service) Dismiss(ctx context.Context, p auth.Principal, m auth.Meta, id int64) error {
	prop, err := s.open(ctx, id)
	if err != nil {
		return err
	}
	return s.decide(ctx, p, m, prop, "dismissed")
}

func (s *Service) open(ctx context.Context, id int64) (store.Proposal, error) {
	var prop store.Proposal
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { prop, err = tx.ProposalByID(ctx, id); return })
	if err == nil && prop.Status != "proposed" {
		err = apperr.New(apperr.Conflict, "この提案はすでに処理されています。")
	}
	return prop, err
}

func (s *Service) decide(ctx context.Context, p auth.Principal, m auth.Meta, prop store.Proposal, status string) error {
	now := s.clock.Now()
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.DecideProposal(ctx, prop.ID, status, p.Username, now); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "juki.proposal_" + status,
			Target: "card:" + itoa(prop.CardID), IP: m.IP, RequestID: m.RequestID,
			Detail: map[string]any{"proposal": prop.ID, "reason": prop.Reason}}, now)
		return err
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
