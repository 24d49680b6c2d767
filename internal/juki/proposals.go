package juki

import (
	"context"
	"errors"
	"strconv"

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
		// The typed name, the birth date and the 宛名番号 shown are personal
		// data: the audit entry keeps them sealed (the log viewer opens them).
		numbers := make([]string, len(out))
		for i, r := range out {
			if numbers[i], err = tx.Seal(r.ResidentNumber, "audit_log.q"); err != nil {
				return err
			}
		}
		sealedQ, err := tx.Seal(q, "audit_log.q")
		if err != nil {
			return err
		}
		if birth, err = tx.Seal(birth, "audit_log.q"); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "juki.searched", Target: "register",
			IP: m.IP, RequestID: m.RequestID, Detail: map[string]any{"q": sealedQ, "birth_date": birth, "resident_numbers": numbers}}, s.clock.Now())
		return err
	})
	return out, err
}

// Proposals lists the proposals waiting for staff with the holder's name
// and the card's notice number; the reading is audited with the
// proposals and cards shown.
func (s *Service) Proposals(ctx context.Context, p auth.Principal, m auth.Meta) ([]store.Proposal, error) {
	var out []store.Proposal
	err := s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if out, err = tx.Proposals(ctx, "proposed"); err != nil {
			return err
		}
		ids, cards := make([]int64, len(out)), make([]int64, len(out))
		for i, x := range out {
			ids[i], cards[i] = x.ID, x.CardID
		}
		_, err = tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "juki.proposals_listed",
			Target: "register", IP: m.IP, RequestID: m.RequestID, Detail: map[string]any{"proposals": ids, "card_ids": cards}}, s.clock.Now())
		return err
	})
	return out, err
}

// Confirm claims the proposal, then cancels its card through the ledger
// with its reason; a proposal decided meanwhile by someone else is a
// conflict, and a card that cannot be cancelled puts the proposal back.
func (s *Service) Confirm(ctx context.Context, p auth.Principal, m auth.Meta, id int64) error {
	prop, err := s.decide(ctx, p, m, id, "confirmed")
	if err != nil {
		return err
	}
	_, err = s.ledger.Transition(ctx, p, m, prop.CardID, card.StatusCancelled, "住基の異動による廃止", card.CancelReason(prop.Reason))
	if err == nil {
		return nil
	}
	reopen := s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.ReopenProposal(ctx, id); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "juki.proposal_reopened",
			Target: "card:" + itoa(prop.CardID), IP: m.IP, RequestID: m.RequestID, Detail: map[string]any{"proposal": id}}, s.clock.Now())
		return err
	})
	return errors.Join(err, reopen)
}

// Dismiss closes a proposal without touching the card.
func (s *Service) Dismiss(ctx context.Context, p auth.Principal, m auth.Meta, id int64) error {
	_, err := s.decide(ctx, p, m, id, "dismissed")
	return err
}

// decide records the decision on a waiting proposal, with its audit entry,
// in one transaction.
func (s *Service) decide(ctx context.Context, p auth.Principal, m auth.Meta, id int64, status string) (store.Proposal, error) {
	now := s.clock.Now()
	var prop store.Proposal
	err := s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if prop, err = tx.ProposalByID(ctx, id); err != nil {
			return err
		}
		if err := tx.DecideProposal(ctx, id, status, p.Username, now); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "juki.proposal_" + status,
			Target: "card:" + itoa(prop.CardID), IP: m.IP, RequestID: m.RequestID,
			Detail: map[string]any{"proposal": prop.ID, "reason": prop.Reason}}, now)
		return err
	})
	return prop, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
