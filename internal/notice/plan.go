package notice

import (
	"context"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/wave"
)

// historyDays is how far back the planner reads: the curve learns from
// notices mailed 12 to about 28 weeks ago, and notices older than that
// seldom bring a booking any more.
const historyDays = 200

// PastWeeks is how many past weeks the plan sets against what happened.
const PastWeeks = 4

// Plan is the wave plan with the settings it used and the past weeks.
type Plan struct {
	wave.Plan
	TargetFill int // percent
	Service    string
	PlaceNames map[string]string
	Past       []PastWeek
}

// PastWeek is a week gone by: the pickups the curve expected from the
// notices mailed before it, and the bookings it really had.
type PastWeek struct {
	Start    string
	Mailed   int // notices mailed that week
	Expected float64
	Booked   int
}

// Plan computes the wave plan for the coming weeks (0: the settings'
// horizon): free seats per place from the booking settings and the
// bookings made, the bookings still expected from the notices mailed,
// learned from this city's history, and the batch to mail each week.
func (s *Service) Plan(ctx context.Context, weeks int) (Plan, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return Plan{}, err
	}
	if weeks == 0 {
		weeks = st.PlanWeeks
	}
	if weeks < 1 || weeks > 26 {
		return Plan{}, apperr.WithFields("計画の期間は 1〜26 週で指定してください。", []apperr.FieldError{{Field: "weeks", Message: "1〜26 の整数で指定してください。"}})
	}
	bs, err := s.bookings(ctx)
	if err != nil {
		return Plan{}, err
	}
	svc, ok := pickupService(bs)
	if !ok {
		return Plan{}, apperr.New(apperr.Invalid, "予約の設定に交付（カードの受け取り）のサービスがありません。")
	}
	loc, err := bs.Location()
	if err != nil {
		return Plan{}, err
	}
	now := s.clock.Now().In(loc)
	monday := mondayOf(now)
	out := Plan{TargetFill: st.TargetFill, Service: svc.Name, PlaceNames: map[string]string{}}
	for _, p := range bs.Places {
		out.PlaceNames[p.ID] = p.Name
	}
	var in wave.Input
	var history []store.NoticeOutcome
	var past []wave.Week
	err = s.db.View(ctx, func(tx *store.Tx) error {
		if in.Weeks, err = seatWeeks(ctx, tx, bs, svc, loc, monday, weeks, now); err != nil {
			return err
		}
		if past, err = seatWeeks(ctx, tx, bs, svc, loc, monday.AddDate(0, 0, -7*PastWeeks), PastWeeks, now); err != nil {
			return err
		}
		history, err = tx.NoticeOutcomes(ctx, now.AddDate(0, 0, -historyDays).Format(time.DateOnly))
		return err
	})
	if err != nil {
		return Plan{}, err
	}
	outcomes, cohorts, mailings := fromHistory(history)
	in.Today, in.TargetFill = now, float64(st.TargetFill)/100
	in.Curve, in.Cohorts = wave.Learn(outcomes, now), cohorts
	out.Plan = wave.Compute(in)
	for _, w := range past {
		start, _ := time.Parse(time.DateOnly, w.Start)
		pw := PastWeek{Start: w.Start, Expected: wave.Hindcast(in.Curve, mailings, start)}
		for _, b := range w.Booked {
			pw.Booked += b
		}
		for _, m := range mailings {
			if m.Sent >= w.Start && m.Sent < start.AddDate(0, 0, 7).Format(time.DateOnly) {
				pw.Mailed += m.Count
			}
		}
		out.Past = append(out.Past, pw)
	}
	return out, nil
}

// pickupService is the first service that hands out cards.
func pickupService(bs booking.Settings) (booking.Service, bool) {
	for _, sv := range bs.Services {
		if sv.RequiresCard {
			return sv, true
		}
	}
	return booking.Service{}, false
}

func mondayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, t.Location())
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
}

// seatWeeks counts, for n weeks from monday, each place's seats and the
// seats booked, in pickups of the service (a pickup may take several
// slots).
func seatWeeks(ctx context.Context, tx *store.Tx, bs booking.Settings, svc booking.Service, loc *time.Location,
	monday time.Time, n int, now time.Time) ([]wave.Week, error) {
	per := max(svc.SlotCount(), 1)
	weeks := make([]wave.Week, n)
	for i := range weeks {
		from := monday.AddDate(0, 0, 7*i)
		to := from.AddDate(0, 0, 7)
		w := wave.Week{Start: from.Format(time.DateOnly), Capacity: map[string]int{}, Booked: map[string]int{}}
		for _, placeID := range svc.Places {
			pl, ok := bs.Place(placeID)
			if !ok {
				continue
			}
			slots, err := bs.Slots(placeID, calendar.DateOf(from), calendar.DateOf(to.AddDate(0, 0, -1)), loc)
			if err != nil {
				return nil, err
			}
			usage, err := tx.SlotUsage(ctx, placeID, from, to, now)
			if err != nil {
				return nil, err
			}
			taken := 0
			for _, byChannel := range usage {
				for _, n := range byChannel {
					taken += n
				}
			}
			w.Capacity[placeID] = len(slots) * pl.Capacity / per
			w.Booked[placeID] = taken / per
		}
		weeks[i] = w
	}
	return weeks, nil
}

// fromHistory turns the store's outcomes into the planner's: the notices
// mailed, the cohorts still without a booking and the mailings per day.
func fromHistory(history []store.NoticeOutcome) ([]wave.Outcome, []wave.Cohort, []wave.Mailing) {
	outcomes := make([]wave.Outcome, len(history))
	unbooked := map[string]int{}
	mailed := map[string]int{}
	var days []string
	for i, h := range history {
		outcomes[i] = wave.Outcome{Sent: h.Sent, Booked: h.Booked, NoShow: h.NoShow, Resolved: h.Resolved}
		if _, ok := mailed[h.Sent]; !ok {
			days = append(days, h.Sent)
		}
		mailed[h.Sent]++
		if h.Booked == "" && h.Waiting {
			unbooked[h.Sent]++
		}
	}
	var cohorts []wave.Cohort
	var mailings []wave.Mailing
	for _, d := range days {
		mailings = append(mailings, wave.Mailing{Sent: d, Count: mailed[d]})
		if unbooked[d] > 0 {
			cohorts = append(cohorts, wave.Cohort{Sent: d, Unbooked: unbooked[d]})
		}
	}
	return outcomes, cohorts, mailings
}
