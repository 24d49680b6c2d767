package reserve

import (
	"context"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/store"
)

// IdentifyRequest names the people of a booking before a time is chosen.
type IdentifyRequest struct {
	Service string        `json:"service"`
	People  []PersonInput `json:"people"`
	// Proved: the request carried a spent proof of work (CreateRequest).
	Proved bool `json:"-"`
}

// Identify checks the people of a booking form on its first page, as Book
// will: each notice number is known with that birth date and its card is
// waiting for pickup. An unknown number and a wrong birth date answer the
// same CodeNotMatched. It counts against the same limits as Book (per
// address and per notice number, the hits committed whatever the answer),
// so that the earlier answer is no easier to guess with; past a number's
// attempts the refusal asks for a proof of work (LimitError.Provable).
// Each card found is audited (a read of resident data); nothing else is
// written: Book checks everything again.
func (s *Service) Identify(ctx context.Context, m auth.Meta, req IdentifyRequest) error {
	var bad apperr.Fields
	people := parsePeople(&bad, req.People)
	if err := bad.Err(validationMessage); err != nil {
		return cmpErr(s.limit(ctx, m, notices(people), req.Proved), err)
	}
	var refused error
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		now := s.clock.Now()
		st, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		svc, ok := st.Service(req.Service)
		if !ok {
			return apperr.New(apperr.NotFound, "指定されたサービスはありません。")
		}
		if err := checkPeopleKind(st, svc, people); err != nil {
			return err
		}
		refused, err = countedRun(ctx, tx, st, m, notices(people), req.Proved, now, func() error {
			found, err := matchPeople(ctx, tx, people, nil)
			if err != nil {
				return err
			}
			return auditIdentified(ctx, tx, publicActor(m), found, now)
		})
		return err
	})
	return cmpErr(err, refused)
}

// auditIdentified records that the cards were matched by a resident.
func auditIdentified(ctx context.Context, tx *store.Tx, a actor, found []matched, now time.Time) error {
	for _, m := range found {
		if m.rec == nil {
			continue
		}
		if err := a.audit(ctx, tx, now, "booking.identified", "card:"+strconv.FormatInt(m.rec.ID, 10), nil); err != nil {
			return err
		}
	}
	return nil
}
