package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/store"
)

// Defaults of a Worker.
const (
	defaultInterval    = 15 * time.Second
	defaultLease       = 5 * time.Minute
	defaultBatch       = 20
	defaultMaxAttempts = 12
	defaultSendTimeout = 30 * time.Second
	defaultRetain      = 90 * 24 * time.Hour
	// leaseMargin is kept free at the end of a lease for the sent mark.
	leaseMargin   = 30 * time.Second
	firstBackoff  = time.Minute
	maxBackoff    = 2 * time.Hour
	purgeInterval = time.Hour
)

// Worker sends the due messages of the outbox. Several workers (one per
// server process) may run against one database; see the package
// documentation for what each message's delivery is guaranteed. One
// Worker runs one RunOnce at a time; run more Workers for parallelism.
type Worker struct {
	db    *store.DB
	clock clock.Clock
	log   *slog.Logger
	id    string

	// Interval is the time between runs of Run.
	Interval time.Duration
	// Lease is how long a claim keeps other workers off a message.
	Lease time.Duration
	// Batch is how many messages one run claims.
	Batch int
	// MaxAttempts is how often a message is tried before it is failed.
	MaxAttempts int
	// SendTimeout bounds each SMTP command.
	SendTimeout time.Duration
	// Retain is how long sent, failed and cancelled messages are kept.
	Retain time.Duration

	lastPurge time.Time
}

// NewWorker returns a worker with the defaults: a run every 15 s, claims
// of 20 messages for 5 minutes, 12 attempts with backoff from 1 minute to
// 2 hours, done messages kept 90 days.
func NewWorker(db *store.DB, c clock.Clock, log *slog.Logger) *Worker {
	if log == nil {
		log = slog.Default()
	}
	return &Worker{db: db, clock: c, log: log.With("component", "mail"), id: workerID(),
		Interval: defaultInterval, Lease: defaultLease, Batch: defaultBatch, MaxAttempts: defaultMaxAttempts,
		SendTimeout: defaultSendTimeout, Retain: defaultRetain}
}

// workerID names this worker in claims: host, process and a random part,
// so two workers of one process differ too.
func workerID() string {
	host, _ := os.Hostname()
	var r [4]byte
	rand.Read(r[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(r[:]))
}

// Run sends due messages every Interval until ctx ends. Errors are logged
// and the next run tries again.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("mail run failed", "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Report counts what a run did.
type Report struct {
	Sent     int // delivered and marked sent
	Retried  int // failed, due again later
	Failed   int // failed for good
	Released int // claimed but not tried (the lease ran short)
	Lost     int // delivered, but the claim had passed to another worker
}

// RunOnce claims the due messages, sends them and records the outcome.
// Nothing is sent while mail is disabled or not configured; messages
// wait in the outbox.
func (w *Worker) RunOnce(ctx context.Context) (Report, error) {
	var st Settings
	err := w.db.View(ctx, func(tx *store.Tx) (err error) { st, err = LoadSettings(ctx, tx); return err })
	if err != nil || !st.Ready() {
		return Report{}, err
	}
	if err := w.purge(ctx); err != nil {
		w.log.Warn("mail purge failed", "err", err.Error())
	}
	now := w.clock.Now()
	var ms []store.MailMessage
	err = w.db.Update(ctx, func(tx *store.Tx) (err error) {
		ms, err = tx.ClaimMail(ctx, w.id, now, now.Add(w.Lease), w.Batch)
		return err
	})
	if err != nil || len(ms) == 0 {
		return Report{}, err
	}
	return w.deliver(ctx, st, ms), nil
}

// deliver sends the claimed messages over one connection. Sending stops
// before the lease ends, so no message is still being sent when another
// worker may claim it; the rest is released.
func (w *Worker) deliver(ctx context.Context, st Settings, ms []store.MailMessage) Report {
	var rep Report
	sendCtx, cancel := context.WithTimeout(ctx, w.Lease-leaseMargin)
	defer cancel()
	var c *conn
	defer func() {
		if c != nil {
			c.close()
		}
	}()
	for i, m := range ms {
		if sendCtx.Err() != nil {
			w.release(ctx, ms[i:], &rep)
			break
		}
		err := w.sendOne(sendCtx, st, &c, m)
		w.record(ctx, m, err, &rep)
	}
	return rep
}

// sendOne sends m, dialling first when there is no open connection. A
// failed connection is dropped so the next message dials afresh.
func (w *Worker) sendOne(ctx context.Context, st Settings, c **conn, m store.MailMessage) error {
	raw, err := compose(st, m, w.clock.Now())
	if err != nil {
		return composeError{err}
	}
	if *c == nil {
		if *c, err = dial(ctx, st, w.SendTimeout); err != nil {
			return err
		}
	}
	if err = (*c).send(st.FromAddress, m.To, raw); err != nil {
		(*c).close()
		*c = nil
	}
	return err
}

// record marks m sent, due again later, or failed for good. It runs even
// when ctx has ended: a message that went out must be marked sent.
func (w *Worker) record(ctx context.Context, m store.MailMessage, sendErr error, rep *Report) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	now := w.clock.Now()
	attempts := m.Attempts + 1
	giveUp := sendErr != nil && (permanent(sendErr) || attempts >= w.MaxAttempts)
	var ok bool
	err := w.db.Update(ctx, func(tx *store.Tx) (err error) {
		if sendErr == nil {
			ok, err = tx.MarkMailSent(ctx, m.ID, w.id, now)
		} else {
			ok, err = tx.MarkMailFailed(ctx, m.ID, w.id, truncate(sendErr.Error(), 500), now.Add(backoff(attempts)), giveUp, now)
		}
		return err
	})
	log := w.log.With("mail_id", m.ID, "kind", m.Kind, "booking", m.BookingCode, "attempt", attempts)
	switch {
	case err != nil:
		log.Error("mail outcome not recorded; it will be tried again after the lease", "err", err.Error(), "sent", sendErr == nil)
	case !ok:
		rep.Lost++
		log.Warn("mail no longer claimed by this worker when recording the outcome", "sent", sendErr == nil)
	case sendErr == nil:
		rep.Sent++
		log.Info("mail sent")
	case giveUp:
		rep.Failed++
		log.Error("mail failed; giving up", "err", sendErr.Error())
	default:
		rep.Retried++
		log.Warn("mail failed; will retry", "err", sendErr.Error())
	}
}

// release gives back the claims of messages not tried in this run.
func (w *Worker) release(ctx context.Context, ms []store.MailMessage, rep *Report) {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	err := w.db.Update(ctx, func(tx *store.Tx) error { return tx.ReleaseMail(ctx, ids, w.id, w.clock.Now()) })
	if err != nil {
		w.log.Warn("mail claims not released; they run out with the lease", "err", err.Error())
		return
	}
	rep.Released += len(ids)
}

// purge deletes done messages older than Retain, at most once an hour.
func (w *Worker) purge(ctx context.Context) error {
	now := w.clock.Now()
	if w.Retain <= 0 || now.Sub(w.lastPurge) < purgeInterval {
		return nil
	}
	w.lastPurge = now
	return w.db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.PurgeMail(ctx, now.Add(-w.Retain))
		return err
	})
}

// backoff is the wait before the next attempt: 1, 2, 4... minutes, at
// most 2 hours.
func backoff(attempts int) time.Duration {
	d := firstBackoff
	for i := 1; i < attempts && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 { // do not cut a UTF-8 sequence
		n--
	}
	return s[:n]
}
