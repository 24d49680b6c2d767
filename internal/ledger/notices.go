package ledger

import (
	"context"
	"fmt"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// NoticeCandidates lists the cards set up and waiting for their notice
// (or, for 申請時来庁, for the card to be mailed, which is recorded on
// their own page), oldest delivery first, so staff can mail them in waves.
func (w *Workflows) NoticeCandidates(ctx context.Context, p auth.Principal, m auth.Meta, q ListQuery) (ItemList, error) {
	f := store.WorkflowFilter{Statuses: []card.Status{card.StatusSetupDone}}
	return w.list(ctx, p, m, q, "card.notice_candidates_listed", f, func(Item) bool { return true },
		func(it Item) string { return it.Card.DeliveryDate + "\x00" + it.Card.Box })
}

// SendNotices records that the notices of the cards were mailed on date.
// Each card moves to notice_sent by the transition rules; the date starts the notice period and
// the resident's address at that time is kept as where it went.
func (w *Workflows) SendNotices(ctx context.Context, p auth.Principal, m auth.Meta, ids []int64, date string) (BatchResult, error) {
	var fe fieldErrors
	ids = checkBatch(&fe, ids)
	date = checkDay(&fe, "date", "発送日", date, w.today())
	if err := fe.Err("発送の記録に誤りがあります。"); err != nil {
		return BatchResult{}, err
	}
	return batch(ids, func(id int64) error {
		_, err := w.SendNotice(ctx, p, m, id, 0, date)
		return err
	})
}

// SendNotice records the mailing of one card's notice (see SendNotices).
// 申請時来庁 cards are refused (CodeAtApplicationFlow): their card is sent
// by registered mail, recorded with its tracking number by Mail.
func (w *Workflows) SendNotice(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64, version int, date string) (CardWorkflow, error) {
	var fe fieldErrors
	date = checkDay(&fe, "date", "発送日", date, w.today())
	if err := fe.Err("発送の記録に誤りがあります。"); err != nil {
		return CardWorkflow{}, err
	}
	return w.act(ctx, cardID, version, func(tx *store.Tx, it Item, _ evaluation) error {
		return w.sendNoticeStep(ctx, tx, p, m, it, date)
	})
}

// sendNoticeStep records the first mailing of it's notice in tx.
func (w *Workflows) sendNoticeStep(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, it Item, date string) error {
	rec := it.Card
	if err := counterOnly(rec, "カードの郵送"); err != nil {
		return err
	}
	to, what := card.StatusNoticeSent, "通知書を発送"
	if rec.Status != card.StatusSetupDone {
		return apperr.New(card.CodeIllegalTransition, fmt.Sprintf("発送を記録できるのは「%s」のカードです（現在の状態「%s」）。",
			card.StatusSetupDone.Label(), rec.Status.Label()))
	}
	if err := checkTransition(rec, to, ""); err != nil {
		return err
	}
	now := w.clock.Now()
	post := posting(p, rec.ID, store.PostingNotice, date, now)
	post.PostalCode, post.Address = rec.Resident.PostalCode, rec.Resident.Address
	if err := tx.InsertPosting(ctx, &post); err != nil {
		return err
	}
	return w.move(ctx, tx, p, m, rec, to, now, fmt.Sprintf("%s（%s）", what, date), "card.notice_sent",
		map[string]any{"date": date})
}

// RenoticesDue lists the cards whose re-notice is due today, longest due
// first, and records who saw which cards.
func (w *Workflows) RenoticesDue(ctx context.Context, p auth.Principal, m auth.Meta, q ListQuery) (ItemList, error) {
	return w.renotices(ctx, p, m, q, "card.renotices_listed")
}

// PrintRenotices is the whole list for the print view, recorded as printed.
func (w *Workflows) PrintRenotices(ctx context.Context, p auth.Principal, m auth.Meta) (ItemList, error) {
	return w.renotices(ctx, p, m, ListQuery{Limit: -1}, "card.renotices_printed")
}

func (w *Workflows) renotices(ctx context.Context, p auth.Principal, m auth.Meta, q ListQuery, action string) (ItemList, error) {
	f := store.WorkflowFilter{Statuses: []card.Status{card.StatusNoticeSent}, Method: card.MethodCounter}
	return w.list(ctx, p, m, q, action, f, func(it Item) bool { return it.Assessment.RenoticeDue },
		func(it Item) string { return it.Assessment.RenoticeDueFrom })
}

// SendRenotices records that re-notices went out on date for the cards.
// Each goes to the notice's last address; the card stays notice_sent and
// its re-notice deadline starts. A notice gets one re-notice; a re-send
// to a new address starts a new notice, which may get its own.
func (w *Workflows) SendRenotices(ctx context.Context, p auth.Principal, m auth.Meta, ids []int64, date string) (BatchResult, error) {
	var fe fieldErrors
	ids = checkBatch(&fe, ids)
	date = checkDay(&fe, "date", "再通知日", date, w.today())
	if err := fe.Err("再通知の記録に誤りがあります。"); err != nil {
		return BatchResult{}, err
	}
	return batch(ids, func(id int64) error {
		_, err := w.SendRenotice(ctx, p, m, id, 0, date)
		return err
	})
}

// SendRenotice records one card's re-notice (see SendRenotices).
func (w *Workflows) SendRenotice(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64, version int, date string) (CardWorkflow, error) {
	var fe fieldErrors
	date = checkDay(&fe, "date", "再通知日", date, w.today())
	if err := fe.Err("再通知の記録に誤りがあります。"); err != nil {
		return CardWorkflow{}, err
	}
	return w.act(ctx, cardID, version, func(tx *store.Tx, it Item, _ evaluation) error {
		return w.renoticeStep(ctx, tx, p, m, it, date)
	})
}

// renoticeStep records it's re-notice in tx.
func (w *Workflows) renoticeStep(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, it Item, date string) error {
	cardID := it.Card.ID
	if it.Card.Status != card.StatusNoticeSent || it.Card.Application.Method != card.MethodCounter {
		return apperr.New(card.CodeIllegalTransition, fmt.Sprintf("再通知できるのは交付時来庁方式で「%s」のカードです（現在の状態「%s」）。",
			card.StatusNoticeSent.Label(), it.Card.Status.Label()))
	}
	if it.Dates.Renotice != "" {
		// One re-notice per notice: a form sent twice records nothing twice.
		return apperr.New(apperr.Conflict, fmt.Sprintf("この通知書の再通知は %s に発送済みです。", it.Dates.Renotice))
	}
	if it.Dates.LastNotice != "" && date < it.Dates.LastNotice {
		return fieldError("date", fmt.Sprintf("再通知日が通知書の発送日（%s）より前になっています。", it.Dates.LastNotice))
	}
	now := w.clock.Now()
	post := posting(p, cardID, store.PostingRenotice, date, now)
	post.PostalCode, post.Address = it.MailTo.PostalCode, it.MailTo.Address
	if err := tx.InsertPosting(ctx, &post); err != nil {
		return err
	}
	return w.note(ctx, tx, p, m, cardID, now, fmt.Sprintf("再通知を発送（%s）", date), "card.renotice_sent",
		map[string]any{"date": date})
}
