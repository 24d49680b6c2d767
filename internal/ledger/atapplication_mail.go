package ledger

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// MailInput is a registered mailing of a card as staff record it.
type MailInput struct {
	Date           string
	TrackingNumber string // お問い合わせ番号
	PostalCode     string // optional: a new address for a re-mailing
	Address        string // optional: the resident's address when empty
	Note           string
	Version        int // the card version staff saw; 0: no check
}

// Mail records that the card was sent by registered mail with its tracking
// number: first from setup_done, or again after a return. The card moves
// to mailed by the transition rules; the mailing, a posting (so the card's
// address history and the disposal rules see it), the status event and the
// audit entry commit together.
func (w *Workflows) Mail(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64, in MailInput) (AtApplication, error) {
	var fe fieldErrors
	date := checkDay(&fe, "date", "郵送日", in.Date, w.today())
	tracking := fe.check("tracking_number", in.TrackingNumber, NormalizeTrackingNumber)
	if strings.TrimSpace(in.TrackingNumber) == "" {
		fe.Add("tracking_number", "郵便の追跡番号（お問い合わせ番号）を入力してください。")
	}
	postal := fe.check("postal_code", in.PostalCode, NormalizePostalCode)
	address := fe.text("address", "送付先住所", in.Address, maxAddressRunes)
	note := fe.text("note", "メモ", in.Note, maxNoteRunes)
	if err := fe.Err("郵送の記録に誤りがあります。"); err != nil {
		return AtApplication{}, err
	}
	return w.atApp(ctx, cardID, in.Version, func(tx *store.Tx, it Item, mailings []store.Mailing) error {
		rec := it.Card
		if rec.Status != card.StatusSetupDone && rec.Status != card.StatusMailReturned {
			return stepRefused("郵送", rec.Status, card.StatusSetupDone, card.StatusMailReturned)
		}
		if err := checkTransition(rec, card.StatusMailed, ""); err != nil {
			return err
		}
		if err := w.checkVisited(ctx, tx, rec); err != nil {
			return err
		}
		if n := len(mailings); n > 0 && date < mailings[n-1].OutcomeDate {
			return fieldError("date", fmt.Sprintf("郵送日が前回の返戻日（%s）より前になっています。", mailings[n-1].OutcomeDate))
		}
		now := w.clock.Now()
		ml := store.Mailing{CardID: rec.ID, Date: date, TrackingNumber: tracking, Note: note,
			ActorID: p.UserID, Actor: p.Username, CreatedAt: now}
		if err := tx.InsertMailing(ctx, &ml); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				return fieldError("tracking_number", "この追跡番号はすでに別の郵送で使われています。新しい追跡番号を入力してください。")
			}
			return err
		}
		kind, what, action := store.PostingNotice, "カードを郵送", "card.mailed"
		if len(mailings) > 0 {
			kind, what, action = store.PostingResend, "カードを再郵送", "card.remailed"
		}
		post := posting(p, rec.ID, kind, date, now)
		post.PostalCode, post.Address, post.Note = rec.Resident.PostalCode, rec.Resident.Address, note
		if address != "" {
			post.PostalCode, post.Address = postal, address
		}
		if err := tx.InsertPosting(ctx, &post); err != nil {
			return err
		}
		why := fmt.Sprintf("%s（%s、追跡番号 %s）", what, date, tracking)
		return w.move(ctx, tx, p, m, rec, card.StatusMailed, now, why, action,
			map[string]any{"date": date, "tracking_number": tracking, "mailing": ml.ID})
	})
}

// checkVisited refuses to mail a card whose owner's identity was not
// checked at the application visit: registered mail to the owner alone
// stands in for the check at the counter.
func (w *Workflows) checkVisited(ctx context.Context, tx *store.Tx, rec store.CardRecord) error {
	v, err := tx.AppVisitOf(ctx, rec.Application.ApplicationID)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.Conflict, "申請時来庁の記録（本人確認）がないため郵送できません。先に来庁の記録を登録してください。")
	}
	if err != nil {
		return err
	}
	if !v.IdentityChecked {
		return apperr.New(apperr.Conflict, "申請時の本人確認が済んでいないため郵送できません。窓口での交付に切り替えてください。")
	}
	return nil
}

// MailOutcomeInput is how a mailing ended, as staff record it.
type MailOutcomeInput struct {
	Date    string
	Reason  ReturnReason // returns only
	Note    string
	Version int
}

// MailDelivered records that the mailing reached its owner: the mailing is
// closed as delivered and the card moves to issued.
func (w *Workflows) MailDelivered(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64, in MailOutcomeInput) (AtApplication, error) {
	var fe fieldErrors
	date := checkDay(&fe, "date", "配達日", in.Date, w.today())
	note := fe.text("note", "メモ", in.Note, maxNoteRunes)
	if err := fe.Err("配達の記録に誤りがあります。"); err != nil {
		return AtApplication{}, err
	}
	return w.closeMailing(ctx, p, m, cardID, in.Version, date, func(tx *store.Tx, it Item, ml store.Mailing) error {
		if err := checkTransition(it.Card, card.StatusIssued, ""); err != nil {
			return err
		}
		if err := tx.CloseMailing(ctx, ml.ID, store.MailingDelivered, date, "", joinNote(ml.Note, note)); err != nil {
			return err
		}
		why := fmt.Sprintf("郵送で交付（配達 %s、追跡番号 %s）", date, ml.TrackingNumber)
		return w.move(ctx, tx, p, m, it.Card, card.StatusIssued, w.clock.Now(), why, "card.mail_delivered",
			map[string]any{"date": date, "tracking_number": ml.TrackingNumber, "mailing": ml.ID})
	})
}

// MailReturned records that the post office brought the card back: the
// mailing is closed as returned, a return posting is kept and the card
// moves to mail_returned.
func (w *Workflows) MailReturned(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64, in MailOutcomeInput) (AtApplication, error) {
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
		return AtApplication{}, err
	}
	return w.closeMailing(ctx, p, m, cardID, in.Version, date, func(tx *store.Tx, it Item, ml store.Mailing) error {
		if err := checkTransition(it.Card, card.StatusMailReturned, ""); err != nil {
			return err
		}
		if err := tx.CloseMailing(ctx, ml.ID, store.MailingReturned, date, string(in.Reason), joinNote(ml.Note, note)); err != nil {
			return err
		}
		now := w.clock.Now()
		post := posting(p, cardID, store.PostingReturn, date, now)
		post.Reason, post.Note = string(in.Reason), note
		if err := tx.InsertPosting(ctx, &post); err != nil {
			return err
		}
		why := fmt.Sprintf("郵送返戻（%s、%s、追跡番号 %s）", in.Reason.Label(), date, ml.TrackingNumber)
		if note != "" {
			why += "：" + note
		}
		return w.move(ctx, tx, p, m, it.Card, card.StatusMailReturned, now, why, "card.mail_returned",
			map[string]any{"date": date, "reason": in.Reason, "tracking_number": ml.TrackingNumber, "mailing": ml.ID})
	})
}

// closeMailing runs a step that ends the card's open mailing.
func (w *Workflows) closeMailing(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64, version int,
	date string, fn func(tx *store.Tx, it Item, ml store.Mailing) error) (AtApplication, error) {
	return w.atApp(ctx, cardID, version, func(tx *store.Tx, it Item, mailings []store.Mailing) error {
		n := len(mailings)
		if it.Card.Status != card.StatusMailed || n == 0 || mailings[n-1].Outcome != store.MailingOpen {
			return apperr.New(card.CodeIllegalTransition, fmt.Sprintf(
				"配達・返戻を記録できるのは追跡番号を記録して「%s」になったカードです（現在の状態「%s」）。",
				card.StatusMailed.Label(), it.Card.Status.Label()))
		}
		if date < mailings[n-1].Date {
			return fieldError("date", fmt.Sprintf("日付が郵送日（%s）より前になっています。", mailings[n-1].Date))
		}
		return fn(tx, it, mailings[n-1])
	})
}

// PickupInput is a counter pickup of a card whose mailing came back.
type PickupInput struct {
	Date             string
	IdentityDocument string
	Note             string
	Version          int
}

// PickUpAtCounter records that the resident whose mailed card came back
// collected it at the counter: identity is checked again, and the card
// moves to issued.
func (w *Workflows) PickUpAtCounter(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64, in PickupInput) (AtApplication, error) {
	var fe fieldErrors
	date := checkDay(&fe, "date", "交付日", in.Date, w.today())
	doc := fe.text("identity_document", "本人確認書類", in.IdentityDocument, maxDocumentRunes)
	if doc == "" {
		fe.Add("identity_document", "窓口で確認した本人確認書類を入力してください。")
	}
	note := fe.text("note", "メモ", in.Note, maxNoteRunes)
	if err := fe.Err("窓口交付の記録に誤りがあります。"); err != nil {
		return AtApplication{}, err
	}
	return w.atApp(ctx, cardID, in.Version, func(tx *store.Tx, it Item, _ []store.Mailing) error {
		if it.Card.Status != card.StatusMailReturned {
			return stepRefused("窓口での交付", it.Card.Status, card.StatusMailReturned)
		}
		if err := checkTransition(it.Card, card.StatusIssued, ""); err != nil {
			return err
		}
		why := fmt.Sprintf("郵送返戻後に窓口で交付（%s、本人確認：%s）", date, doc)
		if note != "" {
			why += "：" + note
		}
		return w.move(ctx, tx, p, m, it.Card, card.StatusIssued, w.clock.Now(), why, "card.issued_at_counter",
			map[string]any{"date": date, "identity_document": doc})
	})
}

// atApp runs a 申請時来庁 step on an at_application card in one
// transaction (see act) and returns the card's page afterwards.
func (w *Workflows) atApp(ctx context.Context, cardID int64, version int,
	fn func(tx *store.Tx, it Item, mailings []store.Mailing) error) (AtApplication, error) {
	cw, err := w.act(ctx, cardID, version, func(tx *store.Tx, it Item, _ evaluation) error {
		if it.Card.Application.Method != card.MethodAtApplication {
			return apperr.New(card.CodeIllegalTransition, fmt.Sprintf("このカードは%sです。郵送の記録は申請時来庁方式のカードだけです。",
				it.Card.Application.Method.Label()))
		}
		mailings, err := tx.CardMailings(ctx, cardID)
		if err != nil {
			return err
		}
		return fn(tx, it, mailings)
	})
	if err != nil {
		return AtApplication{}, err
	}
	return w.withMailings(ctx, cw)
}

// CodeAtApplicationFlow refuses a generic notice step (send, return,
// re-send) on a 申請時来庁 card: its card goes by registered mail, and the
// mailing, its tracking number and its outcome are recorded on the card's
// 申請時来庁 page (Mail, MailReturned, MailDelivered).
var CodeAtApplicationFlow = apperr.Define("at_application_flow", apperr.KindConflict)

// counterOnly refuses step on a card that is not of the counter method.
func counterOnly(rec store.CardRecord, step string) error {
	if rec.Application.Method == card.MethodCounter {
		return nil
	}
	return apperr.New(CodeAtApplicationFlow, fmt.Sprintf(
		"このカードは申請時来庁方式です。%sは、カードの「申請時来庁」のページ（/staff/cards/%d/atapp）で追跡番号とともに記録してください。",
		step, rec.ID))
}

func stepRefused(step string, now card.Status, from ...card.Status) error {
	labels := make([]string, len(from))
	for i, s := range from {
		labels[i] = "「" + s.Label() + "」"
	}
	return apperr.New(card.CodeIllegalTransition, fmt.Sprintf("%sを記録できるのは%sのカードです（現在の状態「%s」）。",
		step, strings.Join(labels, ""), now.Label()))
}

func joinNote(old, add string) string {
	if old == "" || add == "" {
		return old + add
	}
	return old + " / " + add
}

var trackingPattern = regexp.MustCompile(`^\d{11,13}$`)

// NormalizeTrackingNumber returns a Japan Post tracking number (お問い合わせ
// 番号, 11 to 13 digits) without hyphens or spaces; full-width digits are
// accepted.
func NormalizeTrackingNumber(v string) (string, error) {
	s := norm.NFKC.String(v)
	s = strings.NewReplacer("-", "", " ", "", "ー", "", "−", "", "‐", "").Replace(strings.TrimSpace(s))
	if !trackingPattern.MatchString(s) || len([]rune(s)) > maxTrackingRunes {
		return "", apperr.New(apperr.Invalid, "追跡番号は数字11〜13桁で入力してください（ハイフンは省略できます）。")
	}
	return s, nil
}
