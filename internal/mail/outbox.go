package mail

import (
	"context"
	"errors"
	"time"

	"github.com/kofu-oss/kofu/internal/store"
)

// Message is a mail to queue in the outbox.
type Message struct {
	Kind        Kind
	BookingID   int64
	BookingCode string
	To          string
	Subject     string
	Body        string // plain text; line ends are turned into CRLF when sent
	ICS         string // a calendar object, or "" for none
	// NotBefore is when the mail is due; zero means at once.
	NotBefore time.Time
	// DedupeKey queues the message only once: a second message with the
	// same key is dropped. "" for none.
	DedupeKey string
	CreatedAt time.Time
}

// Enqueue writes msg to the outbox in the caller's transaction, so the
// change it reports and the mail commit together or not at all. It
// reports false when a message with the same dedupe key was queued before.
func Enqueue(ctx context.Context, tx *store.Tx, msg Message) (bool, error) {
	if msg.To == "" || msg.CreatedAt.IsZero() {
		return false, errors.New("mail: a message needs a recipient and a creation time")
	}
	if msg.NotBefore.IsZero() {
		msg.NotBefore = msg.CreatedAt
	}
	return tx.InsertMail(ctx, &store.MailMessage{Kind: string(msg.Kind), BookingID: msg.BookingID,
		BookingCode: msg.BookingCode, To: msg.To, Subject: msg.Subject, Body: msg.Body, ICS: msg.ICS,
		DedupeKey: msg.DedupeKey, NotBefore: msg.NotBefore, CreatedAt: msg.CreatedAt})
}
