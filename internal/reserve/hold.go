package reserve

import (
	"context"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/store"
)

// HoldRequest asks to keep seats while the form is filled in.
type HoldRequest struct {
	Service string `json:"service"`
	Place   string `json:"place"`
	Start   string `json:"start"` // RFC 3339
	People  int    `json:"people"`
}

// Hold keeps People seats of the slot for hold_minutes. The answer holds
// the token to pass to Book; the seats count against capacity until then.
// A client may keep only a few holds at once.
func (s *Service) Hold(ctx context.Context, m auth.Meta, req HoldRequest) (Hold, error) {
	if err := s.limit(ctx, m, nil, false); err != nil {
		return Hold{}, err
	}
	var bad apperr.Fields
	start := parseStart(&bad, "start", req.Start)
	if strings.TrimSpace(req.Service) == "" || strings.TrimSpace(req.Place) == "" {
		bad.Addf("service", "サービスと窓口を指定してください。")
	}
	if err := bad.Err(validationMessage); err != nil {
		return Hold{}, err
	}
	token, hash := newToken()
	var out Hold
	err := s.update(ctx, func(tx *store.Tx, now time.Time) (err error) {
		out, err = s.hold(ctx, tx, publicActor(m), req, start, hash, now)
		return err
	})
	if err != nil {
		return Hold{}, err
	}
	out.Token = token
	return out, nil
}

func (s *Service) hold(ctx context.Context, tx *store.Tx, a actor, req HoldRequest, start time.Time, hash string, now time.Time) (Hold, error) {
	st, plan, err := holdPlan(ctx, tx, req, start, now)
	if err != nil {
		return Hold{}, err
	}
	if n, err := tx.LiveHolds(ctx, a.meta.IP, now); err != nil || n >= st.MaxHolds() {
		return Hold{}, cmpErr(err, &LimitError{RetryAfter: st.Hold(), Holds: st.MaxHolds()})
	}
	h := store.Booking{TokenHash: hash, Service: plan.service.ID, Place: plan.place.ID, Start: plan.slot.Start,
		End: plan.slot.End, Date: plan.slot.Start.In(plan.loc).Format(time.DateOnly), Channel: string(booking.ChannelWeb),
		Seats: req.People, Status: store.BookingHeld, HoldUntil: now.Add(st.Hold()), HoldIP: a.meta.IP,
		CreatedAt: now, CreatedBy: a.name}
	if err := insertWithCode(ctx, tx, &h); err != nil {
		return Hold{}, err
	}
	if err := changeSeats(ctx, tx, h.Place, now, plan.takes(booking.ChannelWeb, req.People)); err != nil {
		return Hold{}, err
	}
	if err := tx.SetBookingSlots(ctx, h.ID, plan.starts); err != nil {
		return Hold{}, err
	}
	err = a.audit(ctx, tx, now, "booking.held", bookingTarget(h.ID), map[string]any{
		"service": h.Service, "place": h.Place, "start": h.Start.UTC(), "seats": h.Seats, "until": h.HoldUntil.UTC()})
	return Hold{Service: h.Service, Place: h.Place, Start: h.Start, End: h.End, People: h.Seats,
		ExpiresAt: h.HoldUntil, Location: plan.loc}, err
}

// holdPlan checks a hold request against the settings and the window.
func holdPlan(ctx context.Context, tx *store.Tx, req HoldRequest, start, now time.Time) (booking.Settings, slotPlan, error) {
	st, err := loadSettings(ctx, tx)
	if err != nil {
		return st, slotPlan{}, err
	}
	svc, pl, err := lookup(st, req.Service, req.Place)
	if err != nil {
		return st, slotPlan{}, err
	}
	if err := st.CheckPeople(req.People); err != nil {
		return st, slotPlan{}, InvalidInput(apperr.FieldError{Field: "people", Message: apperr.MessageOf(err)})
	}
	plan, err := planSlot(st, svc, pl, start)
	if err != nil {
		return st, plan, err
	}
	return st, plan, ruleError(st.Bookable(plan.slot.Start, now))
}

// ReleaseHold gives a hold's seats back before it expires (the resident
// went back to choose another time). An unknown or used token does nothing.
// Only the holder knows the token, so the per-IP limit of reads (in
// memory) bounds it.
func (s *Service) ReleaseHold(ctx context.Context, m auth.Meta, token string) error {
	if err := s.limitRead(ctx, m); err != nil {
		return err
	}
	return s.update(ctx, func(tx *store.Tx, now time.Time) error {
		h, err := tx.BookingByTokenHash(ctx, hashToken(token))
		if apperr.Is(err, apperr.NotFound) || (err == nil && h.Status != store.BookingHeld) {
			return nil
		}
		if err != nil {
			return err
		}
		return endHold(ctx, tx, h, now)
	})
}

// endHold marks a hold expired and gives its seats back.
func endHold(ctx context.Context, tx *store.Tx, h store.Booking, now time.Time) error {
	h.Status, h.HoldIP, h.HoldUntil = store.BookingExpired, "", minTime(h.HoldUntil, now)
	if err := tx.UpdateBooking(ctx, &h, now); err != nil {
		return err
	}
	if err := tx.ChangeSeats(ctx, h.Place, releases(h)); err != nil {
		return err
	}
	return tx.SetBookingSlots(ctx, h.ID, nil)
}

// cmpErr returns err when set, otherwise fallback.
func cmpErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}
