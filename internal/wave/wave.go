// Package wave sizes the waves of notices a city mails so that the
// bookings they bring fill the counters without overflowing them. It is
// pure computation: it learns from the city's own history how notices
// turn into bookings (the share of notices whose pickup falls in each week
// after mailing, and the share of bookings that end as no-shows), and
// plans the coming weeks from the free seats, the notices already out and
// a target fill.
package wave

import (
	"math"
	"time"
)

// CurveWeeks is how many weeks after a mailing the curve follows;
// bookings later than that are left out of it (a resident who books half
// a year on is no help in sizing the next wave).
const CurveWeeks = 12

// MinSamples is how many settled notices the history needs before its
// curve replaces the default one.
const MinSamples = 30

// DefaultCurve is used until the city has history: about three in four
// notices lead to a pickup, most within the first four weeks.
var DefaultCurve = Curve{Weekly: []float64{0.10, 0.22, 0.16, 0.10, 0.06, 0.04, 0.03, 0.02, 0.01, 0.01, 0.005, 0.005},
	NoShow: 0.05}

// Outcome is one mailed notice and its first pickup booking.
type Outcome struct {
	Sent   string // YYYY-MM-DD
	Booked string // the pickup's day; "" when none
	NoShow bool   // the booking ended as a no-show
	// Resolved: the booking's day has passed, so whether it was kept is known.
	Resolved bool
}

// Curve is how mailed notices turn into pickups.
type Curve struct {
	// Weekly[k] is the share of notices whose pickup is booked in week k
	// after the mailing (days 7k to 7k+6).
	Weekly []float64
	// NoShow is the share of settled bookings that ended as no-shows.
	NoShow float64
	// Samples is how many notices the curve was learned from; 0 for the
	// default.
	Samples int
}

// Total is the share of notices that lead to a booking at all.
func (c Curve) Total() float64 {
	t := 0.0
	for _, w := range c.Weekly {
		t += w
	}
	return t
}

// Learned reports whether the curve comes from the city's history.
func (c Curve) Learned() bool { return c.Samples > 0 }

// Within is the share of notices booked for a pickup within days of the
// mailing.
func (c Curve) Within(days int) float64 {
	t := 0.0
	for k, w := range c.Weekly {
		if (k+1)*7 <= days {
			t += w
		} else if k*7 < days {
			t += w * float64(days-k*7) / 7
		}
	}
	return t
}

// Learn builds the curve from the outcomes of notices mailed at least
// CurveWeeks weeks before today (younger ones have not had their chance
// to book yet). With fewer than MinSamples such notices it returns the
// default curve, with the no-show share learned if any booking settled.
func Learn(history []Outcome, today time.Time) Curve {
	c := Curve{Weekly: make([]float64, CurveWeeks)}
	settled, noShows := 0, 0
	cutoff := today.AddDate(0, 0, -7*CurveWeeks)
	for _, o := range history {
		if o.Booked != "" {
			if o.Resolved {
				settled++
				if o.NoShow {
					noShows++
				}
			}
		}
		sent, err := time.Parse(time.DateOnly, o.Sent)
		if err != nil || sent.After(cutoff) {
			continue
		}
		c.Samples++
		if o.Booked == "" {
			continue
		}
		if day, err := time.Parse(time.DateOnly, o.Booked); err == nil {
			if k := max(int(day.Sub(sent).Hours()/24)/7, 0); k < CurveWeeks {
				c.Weekly[k]++
			}
		}
	}
	noShow := DefaultCurve.NoShow
	if settled > 0 {
		noShow = float64(noShows) / float64(settled)
	}
	if c.Samples < MinSamples {
		d := DefaultCurve
		d.NoShow = noShow
		return d
	}
	for k := range c.Weekly {
		c.Weekly[k] /= float64(c.Samples)
	}
	c.NoShow = noShow
	return c
}

// Cohort is the notices mailed on one day that have no booking yet.
type Cohort struct {
	Sent     string // YYYY-MM-DD
	Unbooked int
}

// Week is one coming week's counters: seats (in pickups) and the
// pickups already booked, per place.
type Week struct {
	Start    string // the Monday, YYYY-MM-DD
	Capacity map[string]int
	Booked   map[string]int
}

// Input is what a plan is computed from.
type Input struct {
	Today      time.Time
	Weeks      []Week // from the current week on
	Cohorts    []Cohort
	Curve      Curve
	TargetFill float64 // 0.85: bookings should fill 85 % of the seats
}

// PlanWeek is one week of the plan.
type PlanWeek struct {
	Start     string
	Capacity  int
	Booked    int
	Free      int
	Places    []PlaceWeek
	Expected  float64 // bookings still expected from notices already mailed
	Planned   float64 // bookings expected from the suggested batches before this week's
	Suggested int     // the batch to mail this week
	Fill      float64 // (booked + expected + planned + from this week's batch) ÷ capacity
	Pickups   float64 // the bookings expected to be kept (no-shows taken out)
}

// PlaceWeek is one place's seats in a week.
type PlaceWeek struct {
	Place    string
	Capacity int
	Booked   int
	Free     int
}

// Plan is the plan for the coming weeks.
type Plan struct {
	Weeks []PlanWeek
	Curve Curve
	// Next is the suggested size of the batch to mail now.
	Next int
}

// Compute plans the weeks. Each week's suggested batch is the largest
// that keeps every week ahead at or below the target fill, given the
// seats booked, the bookings still expected from notices already mailed
// (the curve, conditioned on no booking so far) and the batches suggested
// for the weeks before.
func Compute(in Input) Plan {
	plan := Plan{Curve: in.Curve, Weeks: make([]PlanWeek, len(in.Weeks))}
	load := make([]float64, len(in.Weeks)) // bookings per week from mailings so far and suggested
	for i, w := range in.Weeks {
		pw := PlanWeek{Start: w.Start}
		for place, c := range w.Capacity {
			b := w.Booked[place]
			pw.Places = append(pw.Places, PlaceWeek{Place: place, Capacity: c, Booked: b, Free: max(c-b, 0)})
			pw.Capacity += c
			pw.Booked += b
		}
		sortPlaces(pw.Places)
		pw.Free = max(pw.Capacity-pw.Booked, 0)
		plan.Weeks[i] = pw
	}
	for _, c := range in.Cohorts {
		for i, e := range expectedFrom(in, c) {
			plan.Weeks[i].Expected += e
			load[i] += e
		}
	}
	for i := range plan.Weeks {
		plan.Weeks[i].Planned = load[i] - plan.Weeks[i].Expected
		n := suggest(in, plan.Weeks, load, i)
		plan.Weeks[i].Suggested = n
		mailDay := weekDay(in, i)
		for k := i; k < len(load); k++ {
			load[k] += float64(n) * in.Curve.share(daysBetween(mailDay, weekStart(in, k)), 7)
		}
	}
	for i := range plan.Weeks {
		pw := &plan.Weeks[i]
		total := float64(pw.Booked) + load[i]
		if pw.Capacity > 0 {
			pw.Fill = total / float64(pw.Capacity)
		}
		pw.Pickups = total * (1 - in.Curve.NoShow)
	}
	if len(plan.Weeks) > 0 {
		plan.Next = plan.Weeks[0].Suggested
	}
	return plan
}

// suggest is the largest batch mailed in week i that keeps each week from
// i on within the target. It never exceeds the room left in those weeks
// together, since a notice brings one booking at most: a curve that
// expects few bookings soon does not make the batch unbounded.
func suggest(in Input, weeks []PlanWeek, load []float64, i int) int {
	best, total := math.Inf(1), 0.0
	mailDay := weekDay(in, i)
	for k := i; k < len(weeks); k++ {
		room := in.TargetFill*float64(weeks[k].Capacity) - float64(weeks[k].Booked) - load[k]
		total += max(room, 0)
		if share := in.Curve.share(daysBetween(mailDay, weekStart(in, k)), 7); share > 0 {
			best = math.Min(best, room/share)
		}
	}
	best = math.Min(best, total)
	if best < 0 {
		return 0
	}
	return int(math.Floor(best))
}

// expectedFrom spreads a cohort's notices without a booking over the
// weeks, by the curve conditioned on not having booked by today.
func expectedFrom(in Input, c Cohort) []float64 {
	out := make([]float64, len(in.Weeks))
	sent, err := time.Parse(time.DateOnly, c.Sent)
	if err != nil || c.Unbooked <= 0 {
		return out
	}
	age := daysBetween(sent, in.Today)
	left := in.Curve.Total() - in.Curve.Within(age)
	rest := 1 - in.Curve.Within(age)
	if left <= 0 || rest <= 0 {
		return out
	}
	for i := range in.Weeks {
		from := max(daysBetween(sent, weekStart(in, i)), age)
		to := daysBetween(sent, weekStart(in, i)) + 7
		if to <= from {
			continue
		}
		out[i] = float64(c.Unbooked) * (in.Curve.Within(to) - in.Curve.Within(from)) / rest
	}
	return out
}

// share is the share of a batch booked for days [from, from+n) after it
// was mailed.
func (c Curve) share(from, n int) float64 {
	if from+n <= 0 {
		return 0
	}
	return c.Within(from+n) - c.Within(max(from, 0))
}

func weekStart(in Input, i int) time.Time {
	t, _ := time.Parse(time.DateOnly, in.Weeks[i].Start)
	return t
}

// weekDay is the day a batch of week i goes out: today for this week, the
// Monday of a later week.
func weekDay(in Input, i int) time.Time {
	if i == 0 {
		return midnight(in.Today)
	}
	return weekStart(in, i)
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func daysBetween(a, b time.Time) int {
	return int(midnight(b).Sub(midnight(a)).Hours() / 24)
}

func sortPlaces(ps []PlaceWeek) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].Place < ps[j-1].Place; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// Mailing is a number of notices mailed on a day.
type Mailing struct {
	Sent  string // YYYY-MM-DD
	Count int
}

// Hindcast is how many pickups the curve expected in the week starting
// on start from the notices mailed before it: set against the bookings
// that week really had, it shows how well the plan held.
func Hindcast(c Curve, mailings []Mailing, start time.Time) float64 {
	t := 0.0
	for _, m := range mailings {
		sent, err := time.Parse(time.DateOnly, m.Sent)
		if err != nil || !sent.Before(start.AddDate(0, 0, 7)) {
			continue
		}
		t += float64(m.Count) * c.share(daysBetween(sent, start), 7)
	}
	return t
}
