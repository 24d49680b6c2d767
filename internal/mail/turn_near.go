package mail

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/counter"
	"github.com/kofu-oss/kofu/internal/store"
)

// KindTurnNear is the mail a resident asked for on their ticket's page:
// their turn at the counter is near.
const KindTurnNear Kind = "turn_near"

// WaitPath is the citizen site's page where a resident follows a ticket.
const WaitPath = "/wait/"

var _ counter.NearMailer = (*Notifier)(nil)

// Ready reports whether mails are sent.
func (n *Notifier) Ready(ctx context.Context, tx *store.Tx) (bool, error) {
	st, err := LoadSettings(ctx, tx)
	return err == nil && st.Enabled, err
}

// TurnNear queues the mail that the ticket's turn is near, to the address
// of its booking, in the booking's language: the ticket number, the place
// and the link to the wait page, nothing else. The dedupe key keeps it to
// one mail per ticket.
func (n *Notifier) TurnNear(ctx context.Context, tx *store.Tx, m counter.NearMail, now time.Time) error {
	b, err := tx.BookingByID(ctx, m.BookingID)
	if err != nil || b.Email == "" {
		return err
	}
	if ok, err := n.Ready(ctx, tx); err != nil || !ok {
		return err
	}
	var bs booking.Settings
	if _, err := tx.LoadSetting(ctx, booking.SettingsKey, &bs); err != nil {
		return err
	}
	lang := "ja"
	if b.Lang == "en" {
		lang = "en"
	}
	place := m.Place
	if pl, ok := bs.Place(m.Place); ok {
		place = pl.NameIn(lang)
	}
	link := ""
	if n.baseURL != "" {
		link = n.baseURL + WaitPath + m.Follow
	}
	subject, body := turnNearText(lang, m.Ticket, place, link)
	_, err = Enqueue(ctx, tx, Message{Kind: KindTurnNear, BookingID: b.ID, BookingCode: b.Code, To: b.Email,
		Subject: subject, Body: body, DedupeKey: "turn_near:" + strconv.FormatInt(m.TicketID, 10), CreatedAt: now})
	return err
}

// turnNearText is the mail's subject and body in the language.
func turnNearText(lang, ticket, place, link string) (subject, body string) {
	var b strings.Builder
	if lang == "en" {
		subject = "Your turn is near (ticket " + ticket + ")"
		b.WriteString("Your turn at the counter is near. Please come close to the counter and wait to be called.\n\n")
		b.WriteString("Ticket: " + ticket + "\nPlace: " + place + "\n")
		if link != "" {
			b.WriteString("\nFollow your ticket:\n" + link + "\n")
		}
		b.WriteString("\n――――――――――――――――――――\nThis mail was sent automatically because you asked for it on your ticket's page. Replies are not read.\n")
		return subject, b.String()
	}
	subject = "【まもなく順番です】受付番号 " + ticket
	b.WriteString("まもなく順番です。窓口の近くでお呼びするまでお待ちください。\n\n")
	b.WriteString("受付番号: " + ticket + "\n場所: " + place + "\n")
	if link != "" {
		b.WriteString("\n呼び出しの状況:\n" + link + "\n")
	}
	b.WriteString("\n――――――――――――――――――――\nこのメールは、番号札の画面でお知らせを希望された方にお送りしています。送信専用のため、返信いただいてもお答えできません。\n")
	return subject, b.String()
}
