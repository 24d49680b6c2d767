package counter

import (
	"context"

	"github.com/kofu-oss/kofu/internal/store"
)

// Status is what the resident's own page shows: a number, never a name.
type Status struct {
	Number    string
	PlaceName string
	Status    string // waiting, called, absent, done
	Desk      string
	Ahead     int // tickets to be called before this one
	Minutes   int // rough wait
	// NearMail is the mail when the turn is near: "offer" (the page may
	// ask for it), "asked", "queued", or "" (not offered).
	NearMail  string
	NearAhead int // the mail goes when this many are ahead
}

// Follow reads the ticket behind a follow token. A wrong or old token
// reads as not found, whatever it names.
func (s *Service) Follow(ctx context.Context, token string) (Status, error) {
	notFound := errTicketNotFound()
	id, mac, ok := followID(token)
	if !ok {
		return Status{}, notFound
	}
	var st Status
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		t, err := tx.TicketByID(ctx, id)
		if err != nil || !s.checkFollow(id, mac, t.Day) {
			return notFound
		}
		d, err := s.today(ctx, t.Place)
		if err != nil || d.date != t.Day {
			return notFound
		}
		set, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		st = Status{Number: t.Label, PlaceName: d.place.Name, Status: t.Status, Desk: t.Desk}
		if t.Status == store.TicketWaiting {
			if st.Ahead, err = tx.WaitingAhead(ctx, t.Place, t.Day, t.Number); err != nil {
				return err
			}
			desks, err := tx.ActiveDesks(ctx, t.Place, t.Day)
			if err != nil {
				return err
			}
			st.Minutes = waitMinutes(st.Ahead, desks, set.MinutesPerTicket)
		}
		st.NearMail, st.NearAhead = t.NearMail, set.NearMailAhead
		if t.NearMail == "" && st.Ahead > set.NearMailAhead {
			if ok, err := s.nearOffered(ctx, tx, set, t); err != nil {
				return err
			} else if ok {
				st.NearMail = "offer"
			}
		}
		return nil
	})
	return st, err
}

// waitMinutes is the rough wait of ahead tickets at desks desks, each
// taking perTicket minutes: the one estimate residents see.
func waitMinutes(ahead, desks, perTicket int) int {
	desks = max(desks, 1)
	return (ahead*perTicket + desks - 1) / desks
}
