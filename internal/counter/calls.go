package counter

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/store"
)

// Call is a ticket called to a desk, as the display shows it.
type Call struct {
	Ticket string `json:"ticket"`
	Desk   string `json:"desk"`
	Calls  int    `json:"calls"`
	Seq    int64  `json:"seq"`
}

func checkDesk(desk string) (string, error) {
	desk = strings.TrimSpace(desk)
	if desk == "" || utf8.RuneCountInString(desk) > 10 {
		return "", apperr.WithFields("窓口番号を指定してください。", []apperr.FieldError{{Field: "desk", Message: "1〜10 文字で指定してください。"}})
	}
	return desk, nil
}

// CallNext calls the next waiting ticket to the desk. The desk's ticket
// called before is finished. Calls of one place take the place's counter
// row first, so on several instances no ticket is called twice and none
// is skipped.
func (s *Service) CallNext(ctx context.Context, a Actor, place, desk string) (Call, error) {
	return s.deskAction(ctx, a, place, desk, func(tx *store.Tx, d day, desk string, seq int64, now time.Time) (store.Ticket, error) {
		if cur, err := tx.DeskTicket(ctx, d.place.ID, d.date, desk); err == nil {
			cur.Status, cur.DoneAt = store.TicketDone, now
			if err := tx.UpdateTicket(ctx, cur); err != nil {
				return cur, err
			}
		} else if !apperr.Is(err, apperr.NotFound) {
			return cur, err
		}
		t, err := tx.NextWaitingTicket(ctx, d.place.ID, d.date)
		if apperr.Is(err, apperr.NotFound) {
			return t, apperr.New(CodeQueueEmpty, "お待ちの方はいません。")
		}
		if err != nil {
			return t, err
		}
		t.Status, t.Desk, t.Calls, t.CallSeq, t.CalledAt = store.TicketCalled, desk, 1, seq, now
		if err := tx.UpdateTicket(ctx, t); err != nil {
			return t, err
		}
		st, err := loadSettings(ctx, tx)
		if err != nil {
			return t, err
		}
		return t, s.mailNear(ctx, tx, a, d, st, now)
	}, "counter.called")
}

// Recall calls the desk's ticket again.
func (s *Service) Recall(ctx context.Context, a Actor, place, desk string) (Call, error) {
	return s.deskAction(ctx, a, place, desk, func(tx *store.Tx, d day, desk string, seq int64, now time.Time) (store.Ticket, error) {
		t, err := deskTicket(ctx, tx, d, desk)
		if err != nil {
			return t, err
		}
		t.Calls, t.CallSeq = t.Calls+1, seq
		return t, tx.UpdateTicket(ctx, t)
	}, "counter.recalled")
}

// Absent marks the desk's ticket as not there; it leaves the display.
func (s *Service) Absent(ctx context.Context, a Actor, place, desk string) (Call, error) {
	return s.endDesk(ctx, a, place, desk, store.TicketAbsent, "counter.absent")
}

// Finish marks the desk's ticket as served.
func (s *Service) Finish(ctx context.Context, a Actor, place, desk string) (Call, error) {
	return s.endDesk(ctx, a, place, desk, store.TicketDone, "counter.finished")
}

func (s *Service) endDesk(ctx context.Context, a Actor, place, desk, status, action string) (Call, error) {
	return s.deskAction(ctx, a, place, desk, func(tx *store.Tx, d day, desk string, _ int64, now time.Time) (store.Ticket, error) {
		t, err := deskTicket(ctx, tx, d, desk)
		if err != nil {
			return t, err
		}
		t.Status, t.DoneAt = status, now
		return t, tx.UpdateTicket(ctx, t)
	}, action)
}

func deskTicket(ctx context.Context, tx *store.Tx, d day, desk string) (store.Ticket, error) {
	t, err := tx.DeskTicket(ctx, d.place.ID, d.date, desk)
	if apperr.Is(err, apperr.NotFound) {
		return t, apperr.New(CodeNoTicket, "この窓口で呼び出し中の番号はありません。")
	}
	return t, err
}

// deskAction runs a desk's action in one transaction after advancing the
// place's call sequence (which serialises the place's calls and tells the
// displays to refresh), and audits it.
func (s *Service) deskAction(ctx context.Context, a Actor, place, desk string,
	fn func(*store.Tx, day, string, int64, time.Time) (store.Ticket, error), action string) (Call, error) {
	desk, err := checkDesk(desk)
	if err != nil {
		return Call{}, err
	}
	d, err := s.today(ctx, place)
	if err != nil {
		return Call{}, err
	}
	var c Call
	err = s.update(ctx, func(tx *store.Tx, now time.Time) error {
		seq, err := tx.BumpCallSeq(ctx, d.place.ID, d.date)
		if err != nil {
			return err
		}
		t, err := fn(tx, d, desk, seq, now)
		if err != nil {
			return err
		}
		c = Call{Ticket: t.Label, Desk: t.Desk, Calls: t.Calls, Seq: seq}
		return a.audit(ctx, tx, now, action, "ticket:"+itoa(t.ID), map[string]any{"ticket": t.Label, "desk": desk, "place": d.place.ID})
	})
	return c, err
}

// Board is what the waiting room's display shows: numbers and desks only.
type Board struct {
	Place     string `json:"place"`
	PlaceName string `json:"place_name"`
	Day       string `json:"day"`
	Seq       int64  `json:"seq"`
	Calling   []Call `json:"calling"` // called and not yet served, latest first
	Recent    []Call `json:"recent"`  // called before, latest first
	Waiting   int    `json:"waiting"`
}

const (
	boardCalling = 6
	boardRecent  = 6
)

// Board reads the place's display today.
func (s *Service) Board(ctx context.Context, place string) (Board, error) {
	d, err := s.today(ctx, place)
	if err != nil {
		return Board{}, err
	}
	b := Board{Place: d.place.ID, PlaceName: d.place.Name, Day: d.date, Calling: []Call{}, Recent: []Call{}}
	err = s.DB.View(ctx, func(tx *store.Tx) error {
		if b.Seq, err = tx.CallSeq(ctx, d.place.ID, d.date); err != nil {
			return err
		}
		ts, err := tx.RecentCalls(ctx, d.place.ID, d.date, boardCalling+boardRecent)
		if err != nil {
			return err
		}
		for _, t := range ts {
			c := Call{Ticket: t.Label, Desk: t.Desk, Calls: t.Calls, Seq: t.CallSeq}
			if t.Status == store.TicketCalled && len(b.Calling) < boardCalling {
				b.Calling = append(b.Calling, c)
			} else if t.Status != store.TicketCalled && len(b.Recent) < boardRecent {
				b.Recent = append(b.Recent, c)
			}
		}
		b.Waiting, err = tx.WaitingAhead(ctx, d.place.ID, d.date, 1<<30)
		return err
	})
	return b, err
}

// Seq is the place's call sequence today: cheap to poll.
func (s *Service) Seq(ctx context.Context, place string) (int64, error) {
	d, err := s.today(ctx, place)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.DB.View(ctx, func(tx *store.Tx) (err error) { n, err = tx.CallSeq(ctx, d.place.ID, d.date); return })
	return n, err
}

// DeskState is what the counter screen shows for one desk.
type DeskState struct {
	Current *Call
	Waiting int
}

// Desk reads a desk's state.
func (s *Service) Desk(ctx context.Context, place, desk string) (DeskState, error) {
	d, err := s.today(ctx, place)
	if err != nil {
		return DeskState{}, err
	}
	var st DeskState
	err = s.DB.View(ctx, func(tx *store.Tx) error {
		if t, err := tx.DeskTicket(ctx, d.place.ID, d.date, strings.TrimSpace(desk)); err == nil {
			st.Current = &Call{Ticket: t.Label, Desk: t.Desk, Calls: t.Calls, Seq: t.CallSeq}
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		st.Waiting, err = tx.WaitingAhead(ctx, d.place.ID, d.date, 1<<30)
		return err
	})
	return st, err
}
