package reserve

import (
	"context"
	"crypto/subtle"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/store"
)

// Override lets staff change or cancel a booking after the online cut-off
// (a resident who phoned). The reason is required then, and audited.
type Override struct {
	Cutoff bool   `json:"override_cutoff"`
	Reason string `json:"reason"`
}

// finder loads (and locks) the booking an action is about.
type finder func(ctx context.Context, tx *store.Tx) (store.Booking, error)

// byToken finds a booking by its code and manage token, or an access
// token of ManageToken. An unknown code, a wrong token and a hold all
// answer not_found alike.
func (s *Service) byToken(code, token string) finder {
	return func(ctx context.Context, tx *store.Tx) (store.Booking, error) {
		hash := hashToken(token) // hashed even for a malformed code: same work
		c, ok := NormalizeCode(code)
		if !ok || token == "" {
			return store.Booking{}, errBookingNotFound()
		}
		b, err := tx.BookingByCode(ctx, c)
		if apperr.Is(err, apperr.NotFound) {
			return b, errBookingNotFound()
		}
		if err != nil {
			return b, err
		}
		mailed := subtle.ConstantTimeCompare([]byte(hash), []byte(b.TokenHash)) == 1
		if !(mailed || s.access.opens(token, b, s.clock.Now())) || isHold(b) {
			return store.Booking{}, errBookingNotFound()
		}
		return b, nil
	}
}

// byID finds a booking for staff.
func byID(id int64) finder {
	return func(ctx context.Context, tx *store.Tx) (store.Booking, error) {
		b, err := tx.BookingByID(ctx, id)
		if apperr.Is(err, apperr.NotFound) || (err == nil && isHold(b)) {
			return store.Booking{}, apperr.New(apperr.NotFound, "予約が見つかりません。")
		}
		return b, err
	}
}

func isHold(b store.Booking) bool {
	return b.Status == store.BookingHeld || b.Status == store.BookingExpired
}

// Get returns a resident's booking by code and manage token, counted
// against the per-IP limit of reads (the token cannot be guessed).
func (s *Service) Get(ctx context.Context, m auth.Meta, code, token string) (Booking, error) {
	if err := s.limitRead(ctx, m); err != nil {
		return Booking{}, err
	}
	var out Booking
	err := s.db.View(ctx, func(tx *store.Tx) error {
		b, err := s.byToken(code, token)(ctx, tx)
		if err != nil {
			return err
		}
		st, err := loadSettings(ctx, tx)
		out = view(st, b, s.clock.Now())
		return err
	})
	return out, err
}

// Change moves a resident's booking to another start, changes its people,
// or both, until the cut-off.
func (s *Service) Change(ctx context.Context, m auth.Meta, code, token string, req ChangeRequest) (Booking, error) {
	in, bad := parseChange(req)
	if err := s.limit(ctx, m, notices(in.people), false); err != nil {
		return Booking{}, err
	}
	if err := bad.Err(validationMessage); err != nil {
		return Booking{}, err
	}
	return s.change(ctx, publicActor(m), s.byToken(code, token), in, Override{})
}

// StaffChange changes a booking for staff; after the cut-off only with an
// override and its reason.
func (s *Service) StaffChange(ctx context.Context, p auth.Principal, m auth.Meta, id int64, req ChangeRequest, o Override) (Booking, error) {
	in, bad := parseChange(req)
	if err := bad.Err(validationMessage); err != nil {
		return Booking{}, err
	}
	return s.change(ctx, staffActor(p, m), byID(id), in, o)
}

// Cancel cancels a resident's booking until the cut-off. It needs the
// manage token, which cannot be guessed, so the per-IP limit of reads
// (in memory) bounds it.
func (s *Service) Cancel(ctx context.Context, m auth.Meta, code, token string) (Booking, error) {
	if err := s.limitRead(ctx, m); err != nil {
		return Booking{}, err
	}
	return s.cancel(ctx, publicActor(m), s.byToken(code, token), Override{})
}

// StaffCancel cancels a booking for staff; after the cut-off only with an
// override and its reason.
func (s *Service) StaffCancel(ctx context.Context, p auth.Principal, m auth.Meta, id int64, o Override) (Booking, error) {
	return s.cancel(ctx, staffActor(p, m), byID(id), o)
}

type changeInput struct {
	start  *time.Time
	people []person // nil: unchanged
}

func parseChange(req ChangeRequest) (changeInput, apperr.Fields) {
	var bad apperr.Fields
	var in changeInput
	if req.Start != nil {
		t := parseStart(&bad, "start", *req.Start)
		in.start = &t
	}
	if req.People != nil {
		in.people = parsePeople(&bad, req.People)
	}
	if req.Start == nil && req.People == nil {
		bad.Addf("start", "変更する日時か人を指定してください。")
	}
	return in, bad
}

// checkCutoff applies the online cut-off; staff may pass it with an
// override and a reason.
func checkCutoff(st booking.Settings, b store.Booking, now time.Time, a actor, o Override) error {
	err := st.Changeable(b.Start, now)
	switch {
	case err == nil:
		return nil
	case !a.staff:
		return ruleError(err)
	case !o.Cutoff:
		return apperr.Wrap(CodeAfterCutoff, "変更・取り消しの締切を過ぎています。締切後に受け付ける場合は、理由を入力して締切を越えて操作してください。", err)
	}
	return checkReason(o.Reason, true)
}

func checkReason(reason string, required bool) error {
	r := strings.TrimSpace(reason)
	switch {
	case r == "" && required:
		return InvalidInput(apperr.FieldError{Field: "reason", Message: "締切後に操作する理由を入力してください。"})
	case utf8.RuneCountInString(r) > maxNoteRunes:
		return InvalidInput(apperr.FieldError{Field: "reason", Message: "理由は 500 文字以内で入力してください。"})
	}
	return nil
}

func (s *Service) cancel(ctx context.Context, a actor, find finder, o Override) (Booking, error) {
	if err := checkReason(o.Reason, false); err != nil {
		return Booking{}, err
	}
	var out Booking
	err := s.update(ctx, func(tx *store.Tx, now time.Time) error {
		b, st, err := loadChangeable(ctx, tx, find, now, a, o)
		if err != nil {
			return err
		}
		for _, p := range active(b.People) {
			if err := endPerson(ctx, tx, a, p, store.PersonCancelled, "予約取消 "+FormatCode(b.Code), now); err != nil {
				return err
			}
		}
		if err := tx.ChangeSeats(ctx, b.Place, releases(b)); err != nil {
			return err
		}
		if err := tx.SetBookingSlots(ctx, b.ID, nil); err != nil {
			return err
		}
		b.Status = store.BookingCancelled
		if err := tx.UpdateBooking(ctx, &b, now); err != nil {
			return err
		}
		out, err = finish(ctx, tx, st, b.ID, now)
		if err != nil {
			return err
		}
		if err := s.mailCancelled(ctx, tx, out, now); err != nil {
			return err
		}
		return a.audit(ctx, tx, now, "booking.cancelled", bookingTarget(b.ID), map[string]any{
			"code": b.Code, "start": b.Start.UTC(), "people": len(active(b.People)), "cards": cardIDs(active(b.People)),
			"override_cutoff": o.Cutoff, "reason": strings.TrimSpace(o.Reason)})
	})
	return out, err
}

// loadChangeable loads a booking that is still waiting and may be changed
// now, with the settings.
func loadChangeable(ctx context.Context, tx *store.Tx, find finder, now time.Time, a actor, o Override) (store.Booking, booking.Settings, error) {
	b, err := find(ctx, tx)
	if err != nil {
		return b, booking.Settings{}, err
	}
	st, err := loadSettings(ctx, tx)
	if err != nil {
		return b, st, err
	}
	if b.Status != store.BookingBooked {
		return b, st, stateError("この予約は変更・取り消しできません（%s）。", StatusLabel(b.Status))
	}
	return b, st, checkCutoff(st, b, now, a, o)
}

// endPerson ends a person's part in a booking and puts the card back to
// waiting for its owner.
func endPerson(ctx context.Context, tx *store.Tx, a actor, p store.BookingPerson, status, reason string, now time.Time) error {
	p.Status, p.DoneAt, p.DoneBy = status, now, a.name
	if err := tx.UpdateBookingPerson(ctx, p); err != nil {
		return err
	}
	if p.CardID == 0 {
		return nil
	}
	return releaseCard(ctx, tx, a, p.CardID, reason, now)
}

// finish reloads a booking after a change and dresses it for the answer.
func finish(ctx context.Context, tx *store.Tx, st booking.Settings, id int64, now time.Time) (Booking, error) {
	b, err := tx.BookingByID(ctx, id)
	return view(st, b, now), err
}

func personRef(p store.BookingPerson) string {
	if p.CardID != 0 {
		return "card:" + strconv.FormatInt(p.CardID, 10)
	}
	return p.PersonKey
}
