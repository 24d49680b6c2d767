package reserve

import (
	"context"
	"errors"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/store"
)

// codeAttempts is how many codes are drawn before giving up; with 30^8
// codes a second draw is already rare.
const codeAttempts = 8

// Book makes a booking for a resident on the web. It answers the booking
// and its manage token, which is shown once and stored only as a hash.
// The request counts against the limits in the booking's transaction.
func (s *Service) Book(ctx context.Context, m auth.Meta, req CreateRequest) (Booking, string, error) {
	in, bad := parseCreate(req, true)
	if err := bad.Err(validationMessage); err != nil {
		// A malformed request counts against the limits too.
		return Booking{}, "", cmpErr(s.limit(ctx, m, notices(in.people), in.proved), err)
	}
	return s.create(ctx, publicActor(m), booking.ChannelWeb, in, true)
}

// StaffBook makes a booking for a phone caller (channel phone, the
// default) or a visitor at the counter (counter), with the web's rules.
func (s *Service) StaffBook(ctx context.Context, p auth.Principal, m auth.Meta, ch booking.Channel, req CreateRequest) (Booking, string, error) {
	in, bad := parseCreate(req, false)
	if ch == "" {
		ch = booking.ChannelPhone
	}
	if ch != booking.ChannelPhone && ch != booking.ChannelCounter {
		bad.Addf("channel", "受付経路は phone（電話）か counter（窓口）を指定してください。")
	}
	if in.hold != "" {
		bad.Addf("hold", "職員による予約では仮押さえは使えません。")
	}
	if err := bad.Err(validationMessage); err != nil {
		return Booking{}, "", err
	}
	return s.create(ctx, staffActor(p, m), ch, in, false)
}

// creation is one booking being made in a transaction.
type creation struct {
	tx     *store.Tx
	a      actor
	ch     booking.Channel
	in     createInput
	now    time.Time
	st     booking.Settings
	plan   slotPlan
	people []matched
}

// create makes the booking in one write transaction; limited counts the
// request against the public limits in it. A slot that has no room for
// the request is answered before that, without a write (takeTurn).
func (s *Service) create(ctx context.Context, a actor, ch booking.Channel, in createInput, limited bool) (Booking, string, error) {
	leave, err := s.takeTurn(ctx, ch, in)
	if err != nil {
		return Booking{}, "", err
	}
	defer leave()
	token, hash := newToken()
	var out Booking
	var refused error // the booking's own answer when limited: the hits commit anyway
	err = s.update(ctx, func(tx *store.Tx, now time.Time) error {
		c := &creation{tx: tx, a: a, ch: ch, in: in, now: now}
		var err error
		if c.st, err = loadSettings(ctx, tx); err != nil {
			return err
		}
		book := func() (err error) {
			out, err = c.make(ctx, hash, s.mailer)
			return err
		}
		if !limited {
			return book()
		}
		refused, err = countedRun(ctx, tx, c.st, a.meta, notices(in.people), in.proved, now, book)
		return err
	})
	if err == nil {
		err = refused
	}
	if err != nil {
		return Booking{}, "", err
	}
	return out, token, nil
}

// bookingSavepoint separates a booking's limit hits from the booking.
const bookingSavepoint = "booking"

// countedRun counts a public request against the limits in tx, then runs
// fn unless the request is refused. The hits commit whatever fn answers:
// when fn fails, its work is undone back to a savepoint and its error is
// returned as refused with a nil error, so that the transaction commits
// the hits alone (birth-date guesses count, issue #5). A conflict to retry
// is returned as the error instead, undoing everything. A hit that cannot
// be counted refuses the request (fail closed). proved lifts the
// per-notice limits (hitLimits).
func countedRun(ctx context.Context, tx *store.Tx, st booking.Settings, m auth.Meta, notices []string, proved bool, now time.Time, fn func() error) (refused, err error) {
	lim, err := hitLimits(ctx, tx, st, m, notices, proved, now)
	if err != nil {
		return nil, failClosed(err)
	}
	if lim != nil {
		return lim, nil
	}
	if err := tx.Savepoint(ctx, bookingSavepoint); err != nil {
		return nil, err
	}
	if err := fn(); err != nil {
		if store.Retryable(err) {
			return nil, err
		}
		if rerr := tx.RollbackTo(ctx, bookingSavepoint); rerr != nil {
			return nil, err // the transaction rolls back, hits and all
		}
		return err, nil
	}
	return nil, nil
}

// make checks everything, takes the seats, stores the booking and its
// people, reserves the cards, queues the mails and audits, in this order:
// cards are locked before slot rows in every transaction of this package,
// and the audit chain's head, locked until the commit, comes last.
func (c *creation) make(ctx context.Context, tokenHash string, m Mailer) (Booking, error) {
	if err := c.prepare(ctx); err != nil {
		return Booking{}, err
	}
	b, changes, err := c.booking(ctx, tokenHash)
	if err != nil {
		return Booking{}, err
	}
	if err := changeSeats(ctx, c.tx, b.Place, c.now, changes); err != nil {
		return Booking{}, err
	}
	if err := c.slots(ctx, b); err != nil {
		return Booking{}, err
	}
	if b.People, err = insertPeople(ctx, c.tx, c.a, b, c.people, 1, c.now); err != nil {
		return Booking{}, err
	}
	if b, err = c.reread(ctx, b); err != nil {
		return Booking{}, err
	}
	out := view(c.st, b, c.now)
	if m != nil {
		if err := m.Booked(ctx, c.tx, out, c.now); err != nil {
			return Booking{}, err
		}
	}
	return out, c.a.audit(ctx, c.tx, c.now, "booking.created", bookingTarget(b.ID), map[string]any{
		"code": b.Code, "service": b.Service, "place": b.Place, "start": b.Start.UTC(), "channel": b.Channel,
		"people": len(b.People), "cards": cardIDs(b.People), "hold": c.in.hold != ""})
}

// slots records the base slots of the booking: added for a new one,
// replacing the hold's for a hold turned into the booking.
func (c *creation) slots(ctx context.Context, b store.Booking) error {
	if c.in.hold != "" {
		return c.tx.SetBookingSlots(ctx, b.ID, c.plan.starts)
	}
	return c.tx.AddBookingSlots(ctx, b.ID, c.plan.starts)
}

// reread answers the booking as a read of it would. A new booking is
// known as stored, except what the ledger says of its cards (where each
// is kept, its owner's no-shows): those people are read back. A hold
// turned into the booking is read back whole.
func (c *creation) reread(ctx context.Context, b store.Booking) (store.Booking, error) {
	if c.in.hold != "" {
		return c.tx.BookingByID(ctx, b.ID)
	}
	b.Slots = make([]time.Time, len(c.plan.starts))
	for i, t := range c.plan.starts {
		b.Slots[i] = time.UnixMilli(t.UnixMilli())
	}
	for _, m := range c.people {
		if m.rec != nil {
			var err error
			b.People, err = c.tx.BookingPeople(ctx, b.ID)
			return b, err
		}
	}
	return b, nil
}

// prepare checks the request against the settings, the booking window
// and the ledger.
func (c *creation) prepare(ctx context.Context) error {
	svc, pl, err := lookup(c.st, c.in.service, c.in.place)
	if err != nil {
		return err
	}
	if err := checkPeopleKind(c.st, svc, c.in.people); err != nil {
		return err
	}
	if c.plan, err = planSlot(c.st, svc, pl, c.in.start); err != nil {
		return err
	}
	if err := c.st.Bookable(c.plan.slot.Start, c.now); err != nil {
		return ruleError(err)
	}
	c.people, err = matchPeople(ctx, c.tx, c.in.people, nil)
	return err
}

// booking stores the new booking, or turns the hold into it, and returns
// the seat changes to make.
func (c *creation) booking(ctx context.Context, tokenHash string) (store.Booking, []store.SeatChange, error) {
	n := len(c.people)
	if c.in.hold != "" {
		return c.convertHold(ctx, tokenHash)
	}
	b := store.Booking{TokenHash: tokenHash, Service: c.plan.service.ID, Place: c.plan.place.ID,
		Start: c.plan.slot.Start, End: c.plan.slot.End, Date: c.date(), Channel: string(c.ch), Seats: n,
		Status: store.BookingBooked, Email: c.in.email, Phone: c.in.phone, Lang: c.in.lang, CreatedAt: c.now, CreatedBy: c.a.name}
	if err := insertWithCode(ctx, c.tx, &b); err != nil {
		return b, nil, err
	}
	return b, c.plan.takes(c.ch, n), nil
}

func (c *creation) date() string { return c.plan.slot.Start.In(c.plan.loc).Format(time.DateOnly) }

// convertHold makes the hold the booking: its seats are given back and
// the booking's taken in one pass, so a hold for as many people as the
// booking always suffices.
func (c *creation) convertHold(ctx context.Context, tokenHash string) (store.Booking, []store.SeatChange, error) {
	h, err := c.tx.BookingByTokenHash(ctx, hashToken(c.in.hold))
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return h, nil, err
	}
	if err != nil || h.Status != store.BookingHeld || !h.HoldUntil.After(c.now) || h.Service != c.plan.service.ID ||
		h.Place != c.plan.place.ID || !h.Start.Equal(c.plan.slot.Start) {
		return h, nil, apperr.New(CodeHoldExpired, "仮押さえの期限が切れたか、選んだ日時と一致しません。もう一度日時を選んでください。")
	}
	changes := append(releases(h), c.plan.takes(booking.Channel(h.Channel), len(c.people))...)
	h.TokenHash, h.Status, h.Seats, h.End = tokenHash, store.BookingBooked, len(c.people), c.plan.slot.End
	h.HoldUntil, h.HoldIP, h.Email, h.Phone, h.Lang = time.Time{}, "", c.in.email, c.in.phone, c.in.lang
	if err := c.tx.UpdateBooking(ctx, &h, c.now); err != nil {
		return h, nil, err
	}
	return h, changes, nil
}

// insertWithCode stores b under a fresh code, drawing again on a clash.
func insertWithCode(ctx context.Context, tx *store.Tx, b *store.Booking) error {
	for range codeAttempts {
		b.Code = newCode()
		ok, err := tx.InsertBooking(ctx, b)
		if err != nil || ok {
			return err
		}
	}
	return errors.New("reserve: no free booking code after several draws")
}
