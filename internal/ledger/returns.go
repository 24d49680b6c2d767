package ledger

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// ReturnReason is why the post office brought a notice (or a mailed card)
// back.
type ReturnReason string

// The reasons staff choose from.
const (
	ReturnAddressUnknown ReturnReason = "address_unknown" // 宛所不明 / あて所に尋ねあたりません
	ReturnMovedUnknown   ReturnReason = "moved_unknown"   // 転居先不明
	ReturnRefused        ReturnReason = "refused"         // 受取拒否
	ReturnOther          ReturnReason = "other"           // その他
)

// AllReturnReasons returns the reasons in display order.
func AllReturnReasons() []ReturnReason {
	return []ReturnReason{ReturnAddressUnknown, ReturnMovedUnknown, ReturnRefused, ReturnOther}
}

// Label is the Japanese word for the reason; "" for an unknown one.
func (r ReturnReason) Label() string {
	return map[ReturnReason]string{ReturnAddressUnknown: "宛所不明", ReturnMovedUnknown: "転居先不明",
		ReturnRefused: "受取拒否", ReturnOther: "その他"}[r]
}

// Valid reports whether r is a known reason.
func (r ReturnReason) Valid() bool { return r.Label() != "" }

// Limits of the workflow texts.
const (
	maxNoteRunes    = 500
	maxAddressRunes = 200
)

// ReturnInput is a return as staff record it.
type ReturnInput struct {
	Date    string // the day it came back
	Reason  ReturnReason
	Note    string // required for ReturnOther
	Version int    // the card version staff saw; 0: no check
}

// RecordReturn records that a card's notice came back undelivered: the
// card moves to notice_returned by the card's transition rules, and the
// return is kept with its date and reason. A 申請時来庁 card that came back
// is recorded against its registered mailing (MailReturned) instead, so
// it is refused here with CodeAtApplicationFlow.
func (w *Workflows) RecordReturn(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64, in ReturnInput) (CardWorkflow, error) {
	var fe fieldErrors
	date := checkDay(&fe, "date", "返戻日", in.Date, w.today())
	if !in.Reason.Valid() {
		fe.Add("reason", "返戻の理由を選んでください（宛所不明・転居先不明・受取拒否・その他）。")
	}
	note := fe.text("note", "メモ", in.Note, maxNoteRunes)
	if in.Reason == ReturnOther && note == "" {
		fe.Add("note", "理由が「その他」のときは、内容をメモに入力してください。")
	}
	if err := fe.Err("返戻の記録に誤りがあります。"); err != nil {
		return CardWorkflow{}, err
	}
	return w.act(ctx, cardID, in.Version, func(tx *store.Tx, it Item, _ evaluation) error {
		to, err := returnTarget(it.Card)
		if err != nil {
			return err
		}
		if it.Dates.LastNotice != "" && date < it.Dates.LastNotice {
			return fieldError("date", fmt.Sprintf("返戻日が発送日（%s）より前になっています。", it.Dates.LastNotice))
		}
		now := w.clock.Now()
		post := posting(p, cardID, store.PostingReturn, date, now)
		post.Reason, post.Note = string(in.Reason), note
		if err := tx.InsertPosting(ctx, &post); err != nil {
			return err
		}
		why := fmt.Sprintf("返戻（%s、%s）", in.Reason.Label(), date)
		if note != "" {
			why += "：" + note
		}
		return w.move(ctx, tx, p, m, it.Card, to, now, why, "card.notice_returned",
			map[string]any{"date": date, "reason": in.Reason})
	})
}

// returnTarget is the status a card goes to when its mailing comes back.
func returnTarget(rec store.CardRecord) (card.Status, error) {
	to := card.StatusNoticeReturned
	if err := counterOnly(rec, "郵送したカードの返戻"); err != nil {
		return to, err
	}
	if rec.Status != card.StatusNoticeSent {
		return to, apperr.New(card.CodeIllegalTransition, fmt.Sprintf(
			"返戻を記録できるのは「%s」のカードです（現在の状態「%s」）。",
			card.StatusNoticeSent.Label(), rec.Status.Label()))
	}
	return to, checkTransition(rec, to, "")
}

// ResendInput is a re-send to a new address after a return.
type ResendInput struct {
	Date       string
	PostalCode string // optional; 669-1595 or 6691595
	Address    string
	Note       string
	Version    int
}

// Resend records that a returned notice (or card) was mailed again to a
// new address: the card goes back to notice_sent (mailed), a new notice
// period starts, and the address joins the card's mailing history. The
// resident's registered address is left alone: a mailing address is not a
// change of residence.
func (w *Workflows) Resend(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64, in ResendInput) (CardWorkflow, error) {
	var fe fieldErrors
	date := checkDay(&fe, "date", "再送付日", in.Date, w.today())
	postal := fe.check("postal_code", in.PostalCode, NormalizePostalCode)
	address := fe.text("address", "送付先住所", in.Address, maxAddressRunes)
	if address == "" {
		fe.Add("address", "送付先住所を入力してください。")
	}
	note := fe.text("note", "メモ", in.Note, maxNoteRunes)
	if err := fe.Err("再送付の記録に誤りがあります。"); err != nil {
		return CardWorkflow{}, err
	}
	return w.act(ctx, cardID, in.Version, func(tx *store.Tx, it Item, _ evaluation) error {
		return w.resendStep(ctx, tx, p, m, it, date, Address{postal, address}, note)
	})
}

// resendStep records in tx that it's returned notice went to a new address.
func (w *Workflows) resendStep(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, it Item, date string, to Address, note string) error {
	status, err := resendTarget(it.Card)
	if err != nil {
		return err
	}
	if it.Dates.Returned != "" && date < it.Dates.Returned {
		return fieldError("date", fmt.Sprintf("再送付日が返戻日（%s）より前になっています。", it.Dates.Returned))
	}
	now := w.clock.Now()
	post := posting(p, it.Card.ID, store.PostingResend, date, now)
	post.PostalCode, post.Address, post.Note = to.PostalCode, to.Address, note
	if err := tx.InsertPosting(ctx, &post); err != nil {
		return err
	}
	why := fmt.Sprintf("新しい送付先へ再送付（%s）", date)
	if note != "" {
		why += "：" + note
	}
	// The address stays out of the audit log; the card's postings keep it.
	return w.move(ctx, tx, p, m, it.Card, status, now, why, "card.notice_resent", map[string]any{"date": date})
}

func resendTarget(rec store.CardRecord) (card.Status, error) {
	to := card.StatusNoticeSent
	if err := counterOnly(rec, "カードの再郵送"); err != nil {
		return to, err
	}
	if rec.Status != card.StatusNoticeReturned {
		return to, apperr.New(card.CodeIllegalTransition, fmt.Sprintf(
			"再送付できるのは「%s」のカードです（現在の状態「%s」）。",
			card.StatusNoticeReturned.Label(), rec.Status.Label()))
	}
	return to, checkTransition(rec, to, "")
}

// Returns lists the cards whose notice (or mailed card) came back and
// waits, oldest return first, and records who saw which cards.
func (w *Workflows) Returns(ctx context.Context, p auth.Principal, m auth.Meta, q ListQuery) (ItemList, error) {
	return w.returns(ctx, p, m, q, "card.returns_listed")
}

// PrintReturns is the whole list for the print view, recorded as printed.
func (w *Workflows) PrintReturns(ctx context.Context, p auth.Principal, m auth.Meta) (ItemList, error) {
	return w.returns(ctx, p, m, ListQuery{Limit: -1}, "card.returns_printed")
}

func (w *Workflows) returns(ctx context.Context, p auth.Principal, m auth.Meta, q ListQuery, action string) (ItemList, error) {
	f := store.WorkflowFilter{Statuses: []card.Status{card.StatusNoticeReturned, card.StatusMailReturned}}
	return w.list(ctx, p, m, q, action, f, func(Item) bool { return true },
		func(it Item) string { return it.Dates.Returned })
}

var postalPattern = regexp.MustCompile(`^(\d{3})-?(\d{4})$`)

// NormalizePostalCode returns a postal code as 669-1595; full-width
// digits and hyphens are accepted.
func NormalizePostalCode(v string) (string, error) {
	s := strings.NewReplacer("ー", "-", "−", "-", "‐", "-").Replace(compact(v))
	mm := postalPattern.FindStringSubmatch(s)
	if mm == nil {
		return "", apperr.New(apperr.Invalid, "郵便番号は「669-1595」の形（数字7桁）で入力してください。")
	}
	return mm[1] + "-" + mm[2], nil
}

// text trims a one-line text field and checks its length.
func (fe *fieldErrors) text(field, label, v string, maxRunes int) string {
	out, err := cleanText(field, label, v, maxRunes)
	if err != nil {
		fe.Add(field, apperr.MessageOf(err))
	}
	return out
}
