package ledger

import (
	"context"
	"slices"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// Actions says which workflow steps apply to a card now, for buttons.
type Actions struct {
	SendNotice bool
	Return     bool
	Resend     bool
	Renotice   bool
	Propose    bool
	Confirm    bool
	Hold       bool
	Release    bool
}

// CardWorkflow is one card's notices, returns, holds and disposal: what
// the card's workflow page shows.
type CardWorkflow struct {
	Item
	Events   []store.CardEvent
	Postings []store.Posting
	Next     []card.Status
	Rules    DisposalRules
	Today    string
	Can      Actions
}

// Card returns the workflow page of a card and records that p viewed it.
func (w *Workflows) Card(ctx context.Context, p auth.Principal, m auth.Meta, id int64) (CardWorkflow, error) {
	var cw CardWorkflow
	err := w.db.View(ctx, func(tx *store.Tx) error {
		ev, err := w.evaluation(ctx, tx)
		if err != nil {
			return err
		}
		cw, err = w.cardWorkflow(ctx, tx, id, ev)
		return err
	})
	if err != nil {
		return CardWorkflow{}, err
	}
	err = w.db.Update(ctx, func(tx *store.Tx) error {
		return w.audit(ctx, tx, p, m, "card.viewed", cardTarget(id), map[string]any{"page": "workflow"})
	})
	return cw, err
}

func (w *Workflows) cardWorkflow(ctx context.Context, tx *store.Tx, id int64, ev evaluation) (CardWorkflow, error) {
	wc, err := tx.WorkflowCardByID(ctx, id)
	if err != nil {
		return CardWorkflow{}, err
	}
	items := []Item{w.item(wc, ev)}
	if err := w.withFlags(ctx, tx, ev, items); err != nil {
		return CardWorkflow{}, err
	}
	cw := CardWorkflow{Item: items[0], Next: NextStatuses(wc.CardRecord), Rules: ev.rules, Today: ev.today}
	if cw.Disposal, err = effectiveDisposal(ctx, tx, cw.Item); err != nil {
		return CardWorkflow{}, err
	}
	if cw.Events, err = tx.CardEvents(ctx, id); err != nil {
		return CardWorkflow{}, err
	}
	if cw.Postings, err = tx.CardPostings(ctx, id); err != nil {
		return CardWorkflow{}, err
	}
	cw.Can = actionsOf(cw.Item, cw.Next)
	return cw, nil
}

// effectiveDisposal is the card's disposal record or, for a card put in
// disposal_pending from the card page, a proposal made of that status
// event: whoever moved it there proposed the disposal.
func effectiveDisposal(ctx context.Context, tx *store.Tx, it Item) (*store.Disposal, error) {
	if it.Disposal != nil || it.Card.Status != card.StatusDisposalPending {
		return it.Disposal, nil
	}
	e, err := tx.LastStatusEvent(ctx, it.Card.ID, string(card.StatusDisposalPending))
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &store.Disposal{CardID: it.Card.ID, ProposedAt: e.At, ProposerID: e.ActorID, Proposer: e.Actor,
		ProposalNote: e.Reason}, nil
}

func actionsOf(it Item, next []card.Status) Actions {
	s := it.Card.Status
	can := func(to ...card.Status) bool {
		return slices.ContainsFunc(to, func(t card.Status) bool { return slices.Contains(next, t) })
	}
	// 申請時来庁 cards are mailed, returned and re-mailed on their own page,
	// with the tracking number registered mail needs.
	counter := it.Card.Application.Method == card.MethodCounter
	return Actions{
		SendNotice: counter && s == card.StatusSetupDone && can(card.StatusNoticeSent),
		Return:     counter && s == card.StatusNoticeSent && can(card.StatusNoticeReturned),
		Resend:     counter && s == card.StatusNoticeReturned && can(card.StatusNoticeSent),
		Renotice:   counter && s == card.StatusNoticeSent,
		Propose:    it.Assessment.DisposalDue && can(card.StatusDisposalPending),
		Confirm:    s == card.StatusDisposalPending && !it.Assessment.Held,
		Hold:       !card.Final(s),
		Release:    it.Hold != nil && !card.Final(s),
	}
}

func returnedStatus(s card.Status) bool {
	return s == card.StatusNoticeReturned || s == card.StatusMailReturned
}

// act runs one workflow step on a card in one transaction: it loads the
// card (locking it on PostgreSQL), checks the version staff saw (0: no
// check), applies the rules of today, runs fn and returns the card's
// workflow page as it is afterwards.
func (w *Workflows) act(ctx context.Context, cardID int64, version int, fn func(tx *store.Tx, it Item, ev evaluation) error) (CardWorkflow, error) {
	var out CardWorkflow
	err := w.db.Update(ctx, func(tx *store.Tx) error {
		rec, err := tx.CardByID(ctx, cardID)
		if err != nil {
			return err
		}
		if version != 0 && version != rec.Version {
			return staleError()
		}
		ev, err := w.evaluation(ctx, tx)
		if err != nil {
			return err
		}
		wc, err := tx.WorkflowCardByID(ctx, cardID)
		if err != nil {
			return err
		}
		if err := fn(tx, w.item(wc, ev), ev); err != nil {
			return err
		}
		out, err = w.cardWorkflow(ctx, tx, cardID, ev)
		return err
	})
	return out, err
}

// move changes the card's status for a workflow step: the card, a status
// event whose reason staff can read in the history, and the audit entry
// under the step's own action. The caller has checked the move.
func (w *Workflows) move(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, rec store.CardRecord,
	to card.Status, now time.Time, why, action string, detail map[string]any) error {
	from := rec.Status
	applyStatus(&rec.Card, to, "")
	if err := tx.UpdateCard(ctx, &rec.Card, now); err != nil {
		return err
	}
	ev := store.CardEvent{CardID: rec.ID, At: now, ActorID: p.UserID, Actor: p.Username, Kind: store.EventStatus,
		FromStatus: from, ToStatus: to, Reason: why}
	if err := tx.InsertCardEvent(ctx, &ev); err != nil {
		return err
	}
	detail["from"], detail["to"] = from, to
	return w.audit(ctx, tx, p, m, action, cardTarget(rec.ID), detail)
}

// note records a workflow step that leaves the status as it is.
func (w *Workflows) note(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, cardID int64,
	now time.Time, why, action string, detail map[string]any) error {
	ev := store.CardEvent{CardID: cardID, At: now, ActorID: p.UserID, Actor: p.Username, Kind: store.EventWorkflow, Reason: why}
	if err := tx.InsertCardEvent(ctx, &ev); err != nil {
		return err
	}
	return w.audit(ctx, tx, p, m, action, cardTarget(cardID), detail)
}

// posting returns a posting of the card by p at now.
func posting(p auth.Principal, cardID int64, kind, date string, now time.Time) store.Posting {
	return store.Posting{CardID: cardID, Kind: kind, Date: date, ActorID: p.UserID, Actor: p.Username, CreatedAt: now}
}

// BatchResult reports a step taken for many cards: each card is its own
// transaction, so one card in the wrong status does not hold back a wave.
type BatchResult struct {
	Done   []int64
	Failed []BatchFailure
}

// BatchFailure names a card the step was refused for, and why.
type BatchFailure struct {
	CardID  int64
	Message string
	Code    string
}

// maxBatch bounds the cards of one batch request.
const maxBatch = 1000

func checkBatch(fe *fieldErrors, ids []int64) []int64 {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	switch {
	case len(ids) == 0:
		fe.Add("card_ids", "カードを選んでください。")
	case len(ids) > maxBatch:
		fe.Add("card_ids", "一度に選べるカードは1000枚までです。")
	}
	return ids
}

// batch runs step for each card and collects the outcome. Unexpected
// errors stop the batch; refusals are reported per card.
func batch(ids []int64, step func(id int64) error) (BatchResult, error) {
	res := BatchResult{Done: []int64{}, Failed: []BatchFailure{}}
	for _, id := range ids {
		err := step(id)
		switch {
		case err == nil:
			res.Done = append(res.Done, id)
		case apperr.Fault(err):
			return res, err
		default:
			res.Failed = append(res.Failed, BatchFailure{CardID: id, Message: apperr.MessageOf(err), Code: apperr.CodeOf(err).String()})
		}
	}
	return res, nil
}
