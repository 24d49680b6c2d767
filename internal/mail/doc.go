// Package mail sends the booking mails (confirmation, change,
// cancellation, reminder) through an outbox in the database.
//
// # Queueing
//
// Notifier is the reserve.Mailer of the server: the booking service calls
// it inside the transaction that makes, changes or cancels a booking, and
// it writes the rendered mail to mail_outbox in that same transaction
// (Enqueue). A booking and its mail commit together or not at all. A
// reminder is queued with not_before set to its time and a dedupe key of
// booking and start, so it is queued once per booking and start; a change
// or cancellation cancels the pending reminder (and a change queues one
// for the new start). Nothing is queued while mail is disabled in the
// settings or when the booking has no address.
//
// # Sending
//
// Worker.RunOnce claims due messages in one short transaction: PostgreSQL
// selects them FOR UPDATE SKIP LOCKED and sets claimed_by and
// claimed_until (the lease); SQLite's single writer serialises claims.
// The worker then sends over SMTP outside any transaction and marks each
// message sent only if it is still pending under its own claim. A failed
// attempt is due again after an exponential backoff (1 minute doubling
// up to 2 hours); after MaxAttempts, or at once when the server refuses
// the address (5.1.x), the message is failed, with last_error kept, an
// error logged and the message listed by the admin API, where an admin
// can send it again.
//
// # Guarantees
//
// While workers run normally, each message is delivered exactly once
// across any number of server processes: a claimed message is invisible
// to other workers until its lease ends, and sending stops (and the rest
// of the batch is released) well before the lease ends. If a process dies
// after the SMTP server accepted a message but before the sent mark
// commits, the lease runs out and another worker sends it again: delivery
// is at least once in that case, never lost. The same holds when the
// sent mark itself fails. SMTP offers no way to ask whether a message
// arrived, so this window cannot be closed; it is as small as one commit.
//
// # Privacy
//
// A mail carries one booking's own data: its code, date and time, place,
// people count and the items to bring; no names, no birth dates, and no
// manage token (see Notifier.manageURL). Sent, failed and cancelled
// messages are deleted after Worker.Retain (90 days).
package mail
