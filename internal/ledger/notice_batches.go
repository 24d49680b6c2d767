package ledger

import (
	"context"
	"fmt"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// The kinds of mailing a notice batch records for its cards.
const (
	MailGuide    = "guide"    // the first notice (交付通知書と受け取り案内)
	MailReminder = "reminder" // 再通知
	MailResend   = "resend"   // 返戻後の再送, to the resident's registered address
)

// MailCandidates lists the cards a batch of kind may take, with the rules
// applied, and records who saw which cards: set-up cards not yet notified
// (交付時来庁), cards due a re-notice, or cards whose notice came back.
func (w *Workflows) MailCandidates(ctx context.Context, p auth.Principal, m auth.Meta, kind string) (ItemList, error) {
	all := ListQuery{Limit: -1}
	switch kind {
	case MailGuide:
		f := store.WorkflowFilter{Statuses: []card.Status{card.StatusSetupDone}, Method: card.MethodCounter}
		return w.list(ctx, p, m, all, "card.notice_candidates_listed", f, func(Item) bool { return true },
			func(it Item) string { return it.Card.DeliveryDate + "\x00" + it.Card.Box })
	case MailReminder:
		return w.renotices(ctx, p, m, all, "card.renotices_listed")
	case MailResend:
		f := store.WorkflowFilter{Statuses: []card.Status{card.StatusNoticeReturned}, Method: card.MethodCounter}
		return w.list(ctx, p, m, all, "card.returns_listed", f, func(Item) bool { return true },
			func(it Item) string { return it.Dates.Returned })
	}
	return ItemList{}, fieldError("kind", fmt.Sprintf("発送の種類「%s」はありません（guide、reminder、resend）。", kind))
}

// CheckMailDate checks the mailing date of a batch: a real day, not in
// the future.
func (w *Workflows) CheckMailDate(date string) (string, error) {
	var fe fieldErrors
	date = checkDay(&fe, "date", "発送日", date, w.today())
	return date, fe.Err("発送の記録に誤りがあります。")
}

// MailBatchCard records in tx, the transaction of the whole batch, that
// the card's mailing of kind went out on date, by the same rules and with
// the same card event and audit entry as the card's own workflow page.
// A re-send goes to the resident's registered address.
func (w *Workflows) MailBatchCard(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, kind string, cardID int64, date string) error {
	it, err := w.itemIn(ctx, tx, cardID)
	if err != nil {
		return err
	}
	switch kind {
	case MailGuide:
		return w.sendNoticeStep(ctx, tx, p, m, it, date)
	case MailReminder:
		return w.renoticeStep(ctx, tx, p, m, it, date)
	case MailResend:
		to := Address{it.Card.Resident.PostalCode, it.Card.Resident.Address}
		return w.resendStep(ctx, tx, p, m, it, date, to, "発送分で一括再送付")
	}
	return fmt.Errorf("ledger: unknown mailing kind %q", kind)
}

// itemIn loads a card (locked on PostgreSQL) with the rules of today.
func (w *Workflows) itemIn(ctx context.Context, tx *store.Tx, cardID int64) (Item, error) {
	if _, err := tx.CardByID(ctx, cardID); err != nil {
		return Item{}, err
	}
	ev, err := w.evaluation(ctx, tx)
	if err != nil {
		return Item{}, err
	}
	wc, err := tx.WorkflowCardByID(ctx, cardID)
	if err != nil {
		return Item{}, err
	}
	return w.item(wc, ev), nil
}

// AssignNoticeNumber gives a card without a 交付通知書番号 the number
// assigned when the city prints its notice, in tx, with a card event and
// an audit entry. The caller makes sure the number is free; a card that
// has one keeps it.
func (w *Workflows) AssignNoticeNumber(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, cardID int64, number string) error {
	if !isNoticeNumber(number) {
		return fmt.Errorf("ledger: %q is not a notice number", number)
	}
	rec, err := tx.CardByID(ctx, cardID)
	if err != nil {
		return err
	}
	if rec.NoticeNumber != "" {
		return apperr.New(apperr.Conflict, "このカードにはすでに交付通知書番号があります。")
	}
	now := w.clock.Now()
	rec.NoticeNumber = number
	if err := tx.UpdateCard(ctx, &rec.Card, now); err != nil {
		return err
	}
	ev := store.CardEvent{CardID: cardID, At: now, ActorID: p.UserID, Actor: p.Username, Kind: store.EventEdit,
		Field: "notice_number", NewValue: number, Reason: "通知書の印刷のために交付通知書番号を付番"}
	if err := tx.InsertCardEvent(ctx, &ev); err != nil {
		return err
	}
	return w.audit(ctx, tx, p, m, "card.notice_number_assigned", cardTarget(cardID), map[string]any{"notice_number": number})
}
