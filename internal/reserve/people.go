package reserve

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// matched is a person of a request checked against the ledger.
type matched struct {
	person
	rec *store.CardRecord // the person's card; nil without a card
	key string            // identifies the resident within the service
}

// matchPeople finds each person's card (locking it) and checks that it
// can be booked. Cards are visited in notice-number order, so that two
// family bookings lock shared cards alike. own lists the cards that the
// booking being changed already holds: they are reserved, by it.
func matchPeople(ctx context.Context, tx *store.Tx, people []person, own map[int64]bool) ([]matched, error) {
	order := slices.Clone(people)
	slices.SortFunc(order, func(a, b person) int { return cmp.Compare(a.notice, b.notice) })
	out := make([]matched, len(people))
	for _, p := range order {
		m, err := matchOne(ctx, tx, p, own)
		if err != nil {
			return nil, err
		}
		out[p.index] = m
	}
	return out, nil
}

func matchOne(ctx context.Context, tx *store.Tx, p person, own map[int64]bool) (matched, error) {
	if p.notice == "" {
		key, err := tx.PersonKey(p.key())
		return matched{person: p, key: key}, err
	}
	rec, err := tx.CardByNoticeNumber(ctx, p.notice)
	switch {
	case apperr.Is(err, apperr.NotFound):
		return matched{}, notMatched(p.index)
	case err != nil:
		return matched{}, err
	case rec.Resident.BirthDate != p.birth:
		// The same answer as an unknown number: neither may be told apart.
		return matched{}, notMatched(p.index)
	}
	if err := bookable(rec, own, p.index); err != nil {
		return matched{}, err
	}
	return matched{person: p, rec: &rec, key: "resident:" + strconv.FormatInt(rec.Resident.ID, 10)}, nil
}

// bookable tells whether a card can be booked: it waits for its owner
// (notice_sent, including a notice sent again after a return), or it is
// reserved by the booking being changed.
func bookable(rec store.CardRecord, own map[int64]bool, i int) error {
	field := []apperr.FieldError{{Field: fmt.Sprintf("people[%d].notice_number", i)}}
	switch {
	case rec.Status == card.StatusNoticeSent, rec.Status == card.StatusReserved && own[rec.ID]:
		return nil
	case rec.Status == card.StatusReserved:
		field[0].Message = "この交付通知書番号ではすでに予約があります。"
		return &apperr.Error{CodeValue: CodeAlreadyBooked, Fields: field,
			Message: "すでに予約があります。予約の確認・変更・取り消しは予約番号から行ってください。"}
	case rec.Status == card.StatusIssued:
		field[0].Message = "このカードはすでにお渡ししています。"
	default:
		field[0].Message = "このカードは現在インターネットでは予約できません。"
	}
	return &apperr.Error{CodeValue: CodeNotBookable, Fields: field,
		Message: "このカードは現在予約できません。お手数ですが市民課へお問い合わせください。"}
}

// moveCard changes a card's status for a booking, with its card event.
func moveCard(ctx context.Context, tx *store.Tx, a actor, rec *store.CardRecord, to card.Status, reason string, now time.Time) error {
	from := rec.Status
	if err := card.Transition(from, to, rec.Application.Method, ""); err != nil {
		return err
	}
	rec.Status = to
	if err := tx.UpdateCard(ctx, &rec.Card, now); err != nil {
		return err
	}
	ev := store.CardEvent{CardID: rec.ID, At: now, ActorID: a.id, Actor: a.name, Kind: store.EventStatus,
		FromStatus: from, ToStatus: to, Reason: reason}
	return tx.InsertCardEvent(ctx, &ev)
}

// releaseCard puts a reserved card back to waiting for its owner. A card
// that staff moved elsewhere meanwhile (on hold, cancelled) stays where it is.
func releaseCard(ctx context.Context, tx *store.Tx, a actor, cardID int64, reason string, now time.Time) error {
	rec, err := tx.CardByID(ctx, cardID)
	if err != nil || rec.Status != card.StatusReserved {
		return err
	}
	return moveCard(ctx, tx, a, &rec, card.StatusNoticeSent, reason, now)
}

// insertPeople stores the people of b, numbered from seq, and reserves
// their cards. It returns the people as stored.
func insertPeople(ctx context.Context, tx *store.Tx, a actor, b store.Booking, people []matched, seq int, now time.Time) ([]store.BookingPerson, error) {
	out := make([]store.BookingPerson, 0, len(people))
	for i, m := range people {
		p := store.BookingPerson{BookingID: b.ID, Seq: seq + i, Service: b.Service, PersonKey: m.key,
			NoticeNumber: m.notice, Status: store.PersonActive, Comes: string(m.comes)}
		if m.rec == nil {
			p.Name, p.NameKana, p.BirthDate = m.name, m.kana, m.birth
		} else {
			p.CardID = m.rec.ID
		}
		if err := tx.InsertBookingPerson(ctx, &p); err != nil {
			return nil, withPersonField(err, m.index)
		}
		out = append(out, p)
		if m.rec == nil || m.rec.Status == card.StatusReserved {
			continue // no card, or already reserved by this booking
		}
		if err := moveCard(ctx, tx, a, m.rec, card.StatusReserved, "予約 "+FormatCode(b.Code), now); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// withPersonField names the person an already_booked error is about.
func withPersonField(err error, i int) error {
	if !apperr.Is(err, CodeAlreadyBooked) {
		return err
	}
	return &apperr.Error{CodeValue: CodeAlreadyBooked, Message: apperr.MessageOf(err), Err: err,
		Fields: []apperr.FieldError{{Field: fmt.Sprintf("people[%d]", i), Message: "この方にはすでに予約があります。"}}}
}

// cardIDs lists the card IDs of people, for audit entries.
func cardIDs(people []store.BookingPerson) []int64 {
	var out []int64
	for _, p := range people {
		if p.CardID != 0 {
			out = append(out, p.CardID)
		}
	}
	return out
}

// active returns the people still expected at the counter.
func active(people []store.BookingPerson) []store.BookingPerson {
	return slices.DeleteFunc(slices.Clone(people), func(p store.BookingPerson) bool { return p.Status != store.PersonActive })
}
