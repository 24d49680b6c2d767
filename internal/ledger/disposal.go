package ledger

import (
	"context"
	"fmt"
	"slices"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// DisposalMethod is how a card was destroyed.
type DisposalMethod string

// The methods staff choose from.
const (
	MethodShred    DisposalMethod = "shred"    // 裁断
	MethodDissolve DisposalMethod = "dissolve" // 溶解
	MethodOther    DisposalMethod = "other"    // その他
)

// AllDisposalMethods returns the methods in display order.
func AllDisposalMethods() []DisposalMethod {
	return []DisposalMethod{MethodShred, MethodDissolve, MethodOther}
}

// Label is the Japanese word for the method; "" for an unknown one.
func (d DisposalMethod) Label() string {
	return map[DisposalMethod]string{MethodShred: "裁断", MethodDissolve: "溶解", MethodOther: "その他"}[d]
}

// Valid reports whether d is a known method.
func (d DisposalMethod) Valid() bool { return d.Label() != "" }

// disposalCandidates are the statuses from which a card may be queued for
// disposal, taken from the transition table.
func disposalCandidates() []card.Status { return statusesToward(card.StatusDisposalPending) }

// DisposalsDue lists the cards due for disposal today and not held,
// longest due first, and records who saw which cards.
func (w *Workflows) DisposalsDue(ctx context.Context, p auth.Principal, m auth.Meta, q ListQuery) (ItemList, error) {
	return w.disposalsDue(ctx, p, m, q, "card.disposals_listed")
}

// PrintDisposals is the whole list for the print view, recorded as printed.
func (w *Workflows) PrintDisposals(ctx context.Context, p auth.Principal, m auth.Meta) (ItemList, error) {
	return w.disposalsDue(ctx, p, m, ListQuery{Limit: -1}, "card.disposals_printed")
}

func (w *Workflows) disposalsDue(ctx context.Context, p auth.Principal, m auth.Meta, q ListQuery, action string) (ItemList, error) {
	f := store.WorkflowFilter{Statuses: disposalCandidates()}
	return w.list(ctx, p, m, q, action, f, func(it Item) bool { return it.Assessment.DisposalDue },
		func(it Item) string { return it.Assessment.DisposalDueFrom })
}

// DisposalsPending lists the cards proposed for disposal and waiting for a
// second staff member to confirm, oldest proposal first.
func (w *Workflows) DisposalsPending(ctx context.Context, p auth.Principal, m auth.Meta, q ListQuery) (ItemList, error) {
	f := store.WorkflowFilter{Statuses: []card.Status{card.StatusDisposalPending}}
	res, err := w.list(ctx, p, m, q, "card.disposals_pending_listed", f, func(Item) bool { return true },
		func(it Item) string { return fmt.Sprint(it.Card.UpdatedAt.UnixMilli()) })
	if err != nil {
		return res, err
	}
	err = w.db.View(ctx, func(tx *store.Tx) error {
		for i := range res.Items {
			d, err := effectiveDisposal(ctx, tx, res.Items[i])
			if err != nil {
				return err
			}
			res.Items[i].Disposal = d
		}
		return nil
	})
	return res, err
}

// DisposalsHeld lists the cards a hold keeps from disposal today, the
// hold ending first on top.
func (w *Workflows) DisposalsHeld(ctx context.Context, p auth.Principal, m auth.Meta, q ListQuery) (ItemList, error) {
	f := store.WorkflowFilter{Statuses: append(disposalCandidates(), card.StatusDisposalPending)}
	return w.list(ctx, p, m, q, "card.disposals_held_listed", f, func(it Item) bool { return it.Assessment.Held },
		func(it Item) string { return it.Hold.Until })
}

// ProposeInput is a proposal to dispose of a card.
type ProposeInput struct {
	Method  DisposalMethod // planned; optional, chosen for good at confirmation
	Note    string
	Version int
}

// ProposeDisposal queues a card that is due for disposal: it moves to
// disposal_pending by the transition rules and waits for a second staff
// member to confirm.
func (w *Workflows) ProposeDisposal(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64, in ProposeInput) (CardWorkflow, error) {
	var fe fieldErrors
	if in.Method != "" && !in.Method.Valid() {
		fe.Add("method", "廃棄の方法は裁断・溶解・その他から選んでください。")
	}
	note := fe.text("note", "メモ", in.Note, maxNoteRunes)
	if err := fe.Err("廃棄の起案に誤りがあります。"); err != nil {
		return CardWorkflow{}, err
	}
	return w.act(ctx, cardID, in.Version, func(tx *store.Tx, it Item, _ evaluation) error {
		if err := checkTransition(it.Card, card.StatusDisposalPending, ""); err != nil {
			return err
		}
		if err := checkDue(it); err != nil {
			return err
		}
		now := w.clock.Now()
		a := it.Assessment
		d := store.Disposal{CardID: cardID, Rule: a.DisposalRule, ProposedAt: now, ProposerID: p.UserID,
			Proposer: p.Username, ProposalNote: note, Method: string(in.Method)}
		if err := tx.PutDisposalProposal(ctx, d); err != nil {
			return err
		}
		why := "廃棄を起案（" + RuleLabel(a.DisposalRule) + "）"
		if note != "" {
			why += "：" + note
		}
		return w.move(ctx, tx, p, m, it.Card, card.StatusDisposalPending, now, why, "card.disposal_proposed",
			map[string]any{"rule": a.DisposalRule, "due_from": a.DisposalDueFrom, "method": in.Method})
	})
}

func checkDue(it Item) error {
	a := it.Assessment
	switch {
	case a.Held:
		return heldError(it.Hold)
	case a.DisposalDue:
		return nil
	case a.DisposalRule != "":
		return apperr.New(apperr.Conflict, fmt.Sprintf("このカードはまだ廃棄の対象ではありません（%s：%sから対象）。",
			RuleLabel(a.DisposalRule), a.DisposalDueFrom))
	}
	return apperr.New(apperr.Conflict, "このカードは廃棄の対象ではありません。")
}

func heldError(h *store.DisposalHold) error {
	return apperr.New(apperr.Conflict, fmt.Sprintf("廃棄は %s まで保留中です。保留を解除してから操作してください。", h.Until))
}

// ConfirmInput is the second staff member's confirmation of a disposal.
type ConfirmInput struct {
	Date    string // the day the card was destroyed
	Method  DisposalMethod
	Note    string // required for MethodOther
	Version int
}

// ConfirmDisposal records that a card proposed for disposal was destroyed:
// by a staff member other than the one who proposed it, with the date and
// method. The card becomes disposed, which no status follows.
func (w *Workflows) ConfirmDisposal(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64, in ConfirmInput) (CardWorkflow, error) {
	var fe fieldErrors
	date := checkDay(&fe, "date", "廃棄日", in.Date, w.today())
	if !in.Method.Valid() {
		fe.Add("method", "廃棄の方法を選んでください（裁断・溶解・その他）。")
	}
	note := fe.text("note", "メモ", in.Note, maxNoteRunes)
	if in.Method == MethodOther && note == "" {
		fe.Add("note", "方法が「その他」のときは、内容をメモに入力してください。")
	}
	if err := fe.Err("廃棄の確認に誤りがあります。"); err != nil {
		return CardWorkflow{}, err
	}
	return w.act(ctx, cardID, in.Version, func(tx *store.Tx, it Item, _ evaluation) error {
		prop, err := w.checkConfirm(ctx, tx, p, it, date)
		if err != nil {
			return err
		}
		now := w.clock.Now()
		rec := *prop
		rec.Method, rec.DisposedDate, rec.ConfirmedAt = string(in.Method), date, now
		rec.ConfirmerID, rec.Confirmer, rec.Note = p.UserID, p.Username, note
		if err := tx.ConfirmDisposalRecord(ctx, rec); err != nil {
			return err
		}
		why := fmt.Sprintf("廃棄（%s、%s）起案 %s・確認 %s", in.Method.Label(), date, prop.Proposer, p.Username)
		if note != "" {
			why += "：" + note
		}
		return w.move(ctx, tx, p, m, it.Card, card.StatusDisposed, now, why, "card.disposed",
			map[string]any{"date": date, "method": in.Method, "proposer": prop.Proposer, "proposer_id": prop.ProposerID})
	})
}

// checkConfirm returns the proposal being confirmed after checking that
// the card waits for disposal, is not held, and that p is not the staff
// member who proposed it.
func (w *Workflows) checkConfirm(ctx context.Context, tx *store.Tx, p auth.Principal, it Item, date string) (*store.Disposal, error) {
	if it.Card.Status != card.StatusDisposalPending {
		return nil, apperr.New(card.CodeIllegalTransition, fmt.Sprintf("廃棄を確認できるのは「%s」のカードです（現在の状態「%s」）。",
			card.StatusDisposalPending.Label(), it.Card.Status.Label()))
	}
	if err := card.Transition(it.Card.Status, card.StatusDisposed, it.Card.Application.Method, ""); err != nil {
		return nil, err
	}
	if it.Assessment.Held {
		return nil, heldError(it.Hold)
	}
	prop, err := effectiveDisposal(ctx, tx, it)
	if err != nil {
		return nil, err
	}
	if prop == nil {
		return nil, apperr.New(apperr.Conflict, "廃棄の起案の記録がありません。")
	}
	if samePerson(*prop, p) {
		return nil, apperr.New(apperr.Forbidden, fmt.Sprintf(
			"廃棄を起案した職員（%s）は確認できません。別の職員のアカウントで確認してください。", prop.Proposer))
	}
	if proposed := dayIn(prop.ProposedAt, w.loc); date < proposed {
		return nil, fieldError("date", fmt.Sprintf("廃棄日が起案日（%s）より前になっています。", proposed))
	}
	return prop, nil
}

func samePerson(d store.Disposal, p auth.Principal) bool {
	return (d.ProposerID != 0 && d.ProposerID == p.UserID) || d.Proposer == p.Username
}

// HoldInput is a resident's request to keep a card from disposal.
type HoldInput struct {
	Reason  string // e.g. 長期入院
	Until   string // inclusive
	Version int
}

// maxHoldYears bounds a hold: a longer one is a decision to keep the card.
const maxHoldYears = 5

// HoldDisposal keeps a card from disposal until a date: it leaves the
// due list and cannot be disposed of meanwhile, but stays where it is in
// its journey, so the resident can still pick it up.
func (w *Workflows) HoldDisposal(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64, in HoldInput) (CardWorkflow, error) {
	var fe fieldErrors
	reason := fe.text("reason", "保留の理由", in.Reason, maxNoteRunes)
	if reason == "" {
		fe.Add("reason", "保留の理由を入力してください。")
	}
	until := w.checkUntil(&fe, in.Until)
	if err := fe.Err("廃棄の保留に誤りがあります。"); err != nil {
		return CardWorkflow{}, err
	}
	return w.act(ctx, cardID, in.Version, func(tx *store.Tx, it Item, _ evaluation) error {
		if err := notFinal(it.Card); err != nil {
			return err
		}
		now := w.clock.Now()
		h := store.DisposalHold{CardID: cardID, Reason: reason, Until: until, ActorID: p.UserID, Actor: p.Username, CreatedAt: now}
		if err := tx.PutDisposalHold(ctx, h); err != nil {
			return err
		}
		// The reason is often about health; it stays in the card's
		// history and out of the audit log.
		return w.note(ctx, tx, p, m, cardID, now, fmt.Sprintf("廃棄を %s まで保留：%s", until, reason),
			"card.disposal_held", map[string]any{"until": until})
	})
}

func (w *Workflows) checkUntil(fe *fieldErrors, v string) string {
	if v == "" {
		fe.Add("until", "保留の期限を入力してください。")
		return ""
	}
	until, err := ParseDate(v)
	today := w.today()
	switch {
	case err != nil:
		fe.Add("until", apperr.MessageOf(err))
	case until < today:
		fe.Add("until", "保留の期限には今日以降の日付を指定してください。")
	case until > w.now().AddDate(maxHoldYears, 0, 0).Format("2006-01-02"):
		fe.Add("until", fmt.Sprintf("保留の期限は%d年以内で指定してください。", maxHoldYears))
	}
	return until
}

// ReleaseHold lifts the hold on a card's disposal.
func (w *Workflows) ReleaseHold(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64, version int) (CardWorkflow, error) {
	return w.act(ctx, cardID, version, func(tx *store.Tx, it Item, _ evaluation) error {
		if err := notFinal(it.Card); err != nil {
			return err
		}
		if it.Hold == nil {
			return apperr.New(apperr.NotFound, "このカードの廃棄は保留されていません。")
		}
		if err := tx.DeleteDisposalHold(ctx, cardID); err != nil {
			return err
		}
		return w.note(ctx, tx, p, m, cardID, w.clock.Now(), "廃棄の保留を解除（期限 "+it.Hold.Until+"）",
			"card.disposal_hold_released", map[string]any{"until": it.Hold.Until})
	})
}

// notFinal refuses changes to a card at the end of its journey: a disposed
// card in particular can no longer change.
func notFinal(rec store.CardRecord) error {
	if card.Final(rec.Status) {
		return apperr.New(card.CodeIllegalTransition, fmt.Sprintf("「%s」のカードは変更できません。", rec.Status.Label()))
	}
	return nil
}

// withoutDisposed drops disposed from the moves offered on the card page:
// disposal needs a second staff member (ConfirmDisposal).
func withoutDisposed(next []card.Status) []card.Status {
	return slices.DeleteFunc(next, func(s card.Status) bool { return s == card.StatusDisposed })
}

// disposalNeedsConfirmation refuses a plain status change to disposed.
func disposalNeedsConfirmation() error {
	return apperr.New(card.CodeIllegalTransition,
		"「廃棄済」にするには、廃棄の確認画面で、起案した職員とは別の職員が確認してください。")
}
