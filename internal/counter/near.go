package counter

import (
	"context"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/store"
)

// NearMail is what the mail of a turn coming near may say: the ticket's
// number, the place and the link to the resident's own page. Nothing
// else: no name, no booking code.
type NearMail struct {
	TicketID  int64
	BookingID int64
	Ticket    string // "A012"
	Place     string // the place's ID; the mailer names it in the booking's language
	Follow    string // the token of the wait page
}

// NearMailer queues the mail of a turn coming near; package mail
// implements it. Its methods run inside the counter's transaction.
type NearMailer interface {
	// Ready reports whether mails are sent at all.
	Ready(ctx context.Context, tx *store.Tx) (bool, error)
	// TurnNear queues the mail to the booking's address, once per ticket.
	TurnNear(ctx context.Context, tx *store.Tx, m NearMail, now time.Time) error
}

// residentActor is the resident acting on their own ticket page.
func residentActor(m auth.Meta) Actor { return Actor{Name: "resident", Meta: m} }

// nearOffered reports whether the wait page may offer the mail for the
// ticket: the city switched it on, mails are sent, and the ticket is a
// waiting booking's with an e-mail address.
func (s *Service) nearOffered(ctx context.Context, tx *store.Tx, st Settings, t store.Ticket) (bool, error) {
	if s.Mailer == nil || st.NearMailAhead <= 0 || t.BookingID == 0 || t.Status != store.TicketWaiting {
		return false, nil
	}
	if has, err := tx.BookingHasEmail(ctx, t.BookingID); err != nil || !has {
		return false, err
	}
	return s.Mailer.Ready(ctx, tx)
}

// AskNearMail records that the resident of the ticket behind the follow
// token wants one mail when their turn is near. When it is near already,
// the mail is queued at once. Asking twice changes nothing.
func (s *Service) AskNearMail(ctx context.Context, m auth.Meta, token string) error {
	id, mac, ok := followID(token)
	if !ok {
		return errTicketNotFound()
	}
	return s.update(ctx, func(tx *store.Tx, now time.Time) error {
		t, err := tx.TicketByID(ctx, id)
		if err != nil || !s.checkFollow(id, mac, t.Day) {
			return errTicketNotFound()
		}
		d, err := s.today(ctx, t.Place)
		if err != nil || d.date != t.Day {
			return errTicketNotFound()
		}
		st, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		if t.NearMail != "" {
			return nil
		}
		if ok, err := s.nearOffered(ctx, tx, st, t); err != nil || !ok {
			if err == nil {
				err = apperr.New(apperr.Conflict, "この番号札ではメールでのお知らせを受け付けていません。")
			}
			return err
		}
		if _, err := tx.SetNearMail(ctx, t.ID, "", store.NearMailAsked); err != nil {
			return err
		}
		a := residentActor(m)
		if err := a.audit(ctx, tx, now, "counter.near_mail_asked", "ticket:"+itoa(t.ID), map[string]any{"ticket": t.Label, "place": t.Place}); err != nil {
			return err
		}
		return s.mailNear(ctx, tx, a, d, st, now)
	})
}

// mailNear queues the mail of every ticket that asked for one and now has
// at most NearMailAhead tickets before it. It runs in the transaction of
// a call (which holds the place's counter row), and the ticket's mark
// moves from asked to queued in it, so the mail is queued exactly once
// whichever instance calls.
func (s *Service) mailNear(ctx context.Context, tx *store.Tx, a Actor, d day, st Settings, now time.Time) error {
	if s.Mailer == nil || st.NearMailAhead <= 0 {
		return nil
	}
	ts, err := tx.FirstWaiting(ctx, d.place.ID, d.date, st.NearMailAhead+1)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.NearMail != store.NearMailAsked || t.BookingID == 0 {
			continue
		}
		moved, err := tx.SetNearMail(ctx, t.ID, store.NearMailAsked, store.NearMailQueued)
		if err != nil || !moved {
			return err
		}
		err = s.Mailer.TurnNear(ctx, tx, NearMail{TicketID: t.ID, BookingID: t.BookingID, Ticket: t.Label,
			Place: t.Place, Follow: s.followToken(t.ID, t.Day)}, now)
		if err != nil {
			return err
		}
		if err := a.audit(ctx, tx, now, "counter.near_mail_queued", "ticket:"+itoa(t.ID), map[string]any{"ticket": t.Label, "place": t.Place}); err != nil {
			return err
		}
	}
	return nil
}

func errTicketNotFound() error {
	return apperr.New(apperr.NotFound, "番号札が見つかりません。本日の番号札の QR コードを読み取ってください。")
}
