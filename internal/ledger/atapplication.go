package ledger

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// 申請時来庁方式 (at_application): the resident comes when applying, staff
// check identity and take the PIN form, and the card is later sent by
// registered mail. These steps live in the ledger because they are card
// workflow steps: they reuse its transaction (act), its status moves
// (move, checked by checkTransition and so by card.Transition) and its
// postings, so the returns list and the disposal rules see mailed cards.

// Items a resident may hand back (at the visit or at the counter).
const (
	ItemNotificationCard = "notification_card" // 通知カード
	ItemJukiCard         = "juki_card"         // 住基カード
)

// HandBackItems returns the items in display order.
func HandBackItems() []string { return []string{ItemNotificationCard, ItemJukiCard} }

// HandBackLabel is the Japanese word for an item handed back.
func HandBackLabel(item string) string {
	switch item {
	case ItemNotificationCard:
		return "通知カード"
	case ItemJukiCard:
		return "住基カード"
	}
	return item
}

// Limits of the texts of this workflow.
const (
	maxDocumentRunes = 100
	maxTrackingRunes = 40
)

// VisitInput is the application visit as staff record it.
type VisitInput struct {
	ApplicationID    string
	Date             string
	IdentityChecked  bool
	IdentityDocument string
	PINFormReceived  bool
	ItemsReturned    []string
	Note             string
}

// RecordVisit records (or corrects) the application visit of a 申請書ID.
// The card usually is not in the ledger yet: the visit is kept by
// application ID and found again when the card arrives. When the card is
// there already, the visit also enters its history.
func (w *Workflows) RecordVisit(ctx context.Context, p auth.Principal, m auth.Meta, in VisitInput) (store.AppVisit, error) {
	v, err := w.checkVisit(in)
	if err != nil {
		return store.AppVisit{}, err
	}
	err = w.db.Update(ctx, func(tx *store.Tx) error {
		rec, err := tx.CardByApplicationID(ctx, v.ApplicationID)
		found := err == nil
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if found && rec.Application.Method != card.MethodAtApplication {
			return apperr.New(apperr.Conflict, fmt.Sprintf("この申請は%sです。申請時来庁の記録はできません。",
				rec.Application.Method.Label()))
		}
		now := w.clock.Now()
		v.ActorID, v.Actor, v.CreatedAt = p.UserID, p.Username, now
		if err := tx.PutAppVisit(ctx, v); err != nil {
			return err
		}
		detail := map[string]any{"application_id": v.ApplicationID, "date": v.Date,
			"identity_checked": v.IdentityChecked, "pin_form_received": v.PINFormReceived, "items_returned": v.ItemsReturned}
		if !found {
			return w.audit(ctx, tx, p, m, "application.visit_recorded", "application:"+v.ApplicationID, detail)
		}
		return w.note(ctx, tx, p, m, rec.ID, now, VisitSummary(v), "application.visit_recorded", detail)
	})
	return v, err
}

func (w *Workflows) checkVisit(in VisitInput) (store.AppVisit, error) {
	var fe fieldErrors
	id := fe.check("application_id", in.ApplicationID, NormalizeApplicationID)
	if strings.TrimSpace(in.ApplicationID) == "" {
		fe.Add("application_id", "申請書ID（23桁）を入力してください。")
	}
	date := checkDay(&fe, "date", "来庁日", in.Date, w.today())
	doc := fe.text("identity_document", "本人確認書類", in.IdentityDocument, maxDocumentRunes)
	if in.IdentityChecked && doc == "" {
		fe.Add("identity_document", "確認した本人確認書類（運転免許証など）を入力してください。")
	}
	items := checkItems(&fe, in.ItemsReturned)
	note := fe.text("note", "メモ", in.Note, maxNoteRunes)
	if err := fe.Err("申請時来庁の記録に誤りがあります。"); err != nil {
		return store.AppVisit{}, err
	}
	return store.AppVisit{ApplicationID: id, Date: date, IdentityChecked: in.IdentityChecked, IdentityDocument: doc,
		PINFormReceived: in.PINFormReceived, ItemsReturned: items, Note: note}, nil
}

func checkItems(fe *fieldErrors, items []string) []string {
	out := []string{}
	for _, it := range items {
		if !slices.Contains(HandBackItems(), it) {
			fe.Add("items_returned", "返納物は通知カード・住基カードから選んでください。")
			return nil
		}
		if !slices.Contains(out, it) {
			out = append(out, it)
		}
	}
	return out
}

// VisitSummary is the visit in one line, as the card's history shows it.
func VisitSummary(v store.AppVisit) string {
	id := "本人確認：未"
	if v.IdentityChecked {
		id = "本人確認：済（" + v.IdentityDocument + "）"
	}
	pin := "暗証番号設定依頼書：未受領"
	if v.PINFormReceived {
		pin = "暗証番号設定依頼書：受領"
	}
	return fmt.Sprintf("申請時来庁（%s、%s、%s）", v.Date, id, pin)
}

// AtAppSteps says which 申請時来庁 steps apply to a card now, for buttons.
type AtAppSteps struct {
	Mail      bool // first mailing, or a re-mailing after a return
	Delivered bool
	Return    bool
	Pickup    bool // counter pickup after a return
}

// AtApplication is a card's 申請時来庁 page: its workflow, the visit (nil
// until recorded) and its registered mailings, oldest first.
type AtApplication struct {
	CardWorkflow
	Visit    *store.AppVisit
	Mailings []store.Mailing
	Steps    AtAppSteps
}

// OpenMailing is the mailing on its way, or nil.
func (a AtApplication) OpenMailing() *store.Mailing {
	if n := len(a.Mailings); n > 0 && a.Mailings[n-1].Outcome == store.MailingOpen {
		return &a.Mailings[n-1]
	}
	return nil
}

// AtApplicationCard returns a card's 申請時来庁 page and records that p
// viewed it.
func (w *Workflows) AtApplicationCard(ctx context.Context, p auth.Principal, m auth.Meta, id int64) (AtApplication, error) {
	cw, err := w.Card(ctx, p, m, id)
	if err != nil {
		return AtApplication{}, err
	}
	return w.withMailings(ctx, cw)
}

func (w *Workflows) withMailings(ctx context.Context, cw CardWorkflow) (AtApplication, error) {
	a := AtApplication{CardWorkflow: cw}
	err := w.db.View(ctx, func(tx *store.Tx) error {
		v, err := tx.AppVisitOf(ctx, cw.Card.Application.ApplicationID)
		switch {
		case err == nil:
			a.Visit = &v
		case !apperr.Is(err, apperr.NotFound):
			return err
		}
		a.Mailings, err = tx.CardMailings(ctx, cw.Card.ID)
		return err
	})
	a.Steps = stepsOf(a)
	return a, err
}

func stepsOf(a AtApplication) AtAppSteps {
	if a.Card.Application.Method != card.MethodAtApplication {
		return AtAppSteps{}
	}
	s, next := a.Card.Status, a.Next
	return AtAppSteps{
		Mail:      (s == card.StatusSetupDone || s == card.StatusMailReturned) && slices.Contains(next, card.StatusMailed),
		Delivered: s == card.StatusMailed && a.OpenMailing() != nil,
		Return:    s == card.StatusMailed && a.OpenMailing() != nil,
		Pickup:    s == card.StatusMailReturned && slices.Contains(next, card.StatusIssued),
	}
}
