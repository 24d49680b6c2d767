package wave

import (
	"fmt"
	"math"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// history mails n notices on each of the days; notice i books for a day
// offsets[i%len(offsets)] days later (-1: never), every noShowEvery-th
// booking a no-show.
func history(days []string, n int, offsets []int, noShowEvery int) []Outcome {
	var out []Outcome
	k := 0
	for _, d := range days {
		for i := range n {
			o := Outcome{Sent: d}
			if off := offsets[i%len(offsets)]; off >= 0 {
				o.Booked = day(d).AddDate(0, 0, off).Format(time.DateOnly)
				o.Resolved = true
				k++
				o.NoShow = noShowEvery > 0 && k%noShowEvery == 0
			}
			out = append(out, o)
		}
	}
	return out
}

func TestLearnMeasuresTheSharesFromSettledNotices(t *testing.T) {
	today := day("2026-06-01")
	// 40 old notices: a quarter book in week 0, half in week 2, a quarter never.
	old := history([]string{"2026-01-05"}, 40, []int{3, 15, 16, -1}, 10)
	// Recent ones have had no time to book: they must not count.
	recent := history([]string{"2026-05-25"}, 100, []int{-1}, 0)
	c := Learn(append(old, recent...), today)
	if c.Samples != 40 || !c.Learned() {
		t.Fatalf("samples %d", c.Samples)
	}
	if math.Abs(c.Weekly[0]-0.25) > 1e-9 || math.Abs(c.Weekly[2]-0.5) > 1e-9 || math.Abs(c.Total()-0.75) > 1e-9 {
		t.Fatalf("weekly %v", c.Weekly)
	}
	if math.Abs(c.NoShow-0.1) > 1e-9 {
		t.Fatalf("no-show share %v, want 0.1", c.NoShow)
	}
	if w := c.Within(21); math.Abs(w-0.75) > 1e-9 {
		t.Fatalf("within 21 days %v", w)
	}
}

func TestLearnFallsBackToTheDefaultWithoutHistory(t *testing.T) {
	c := Learn(history([]string{"2026-01-05"}, 5, []int{3}, 0), day("2026-06-01"))
	if c.Learned() || c.Total() != DefaultCurve.Total() || c.NoShow != 0 {
		t.Fatalf("curve %+v", c)
	}
}

func weeks(n, capacity, booked int) []Week {
	out := make([]Week, n)
	for i := range out {
		out[i] = Week{Start: day("2026-06-01").AddDate(0, 0, 7*i).Format(time.DateOnly),
			Capacity: map[string]int{"honcho": capacity}, Booked: map[string]int{"honcho": booked}}
	}
	return out
}

func TestComputeFillsToTheTargetAndNoFurther(t *testing.T) {
	for _, tc := range []struct {
		capacity, booked, unbooked int
	}{{200, 0, 0}, {200, 50, 300}, {120, 100, 0}, {300, 0, 2000}} {
		t.Run(fmt.Sprint(tc), func(t *testing.T) {
			in := Input{Today: day("2026-06-03"), Weeks: weeks(8, tc.capacity, tc.booked), Curve: DefaultCurve, TargetFill: 0.85}
			if tc.unbooked > 0 {
				in.Cohorts = []Cohort{{Sent: "2026-05-20", Unbooked: tc.unbooked}}
			}
			p := Compute(in)
			for _, w := range p.Weeks {
				if w.Fill > 0.85+1e-6 && w.Suggested > 0 {
					t.Errorf("week %s fills %.3f with a batch of %d", w.Start, w.Fill, w.Suggested)
				}
			}
			// One more notice this week would push some week past the target.
			in2 := in
			in2.Cohorts = append(append([]Cohort{}, in.Cohorts...), Cohort{Sent: "2026-06-03", Unbooked: p.Next + 1})
			over := false
			for _, w := range Compute(in2).Weeks {
				over = over || float64(w.Booked)+w.Expected > 0.85*float64(w.Capacity)+1e-6
			}
			if p.Next > 0 && !over {
				t.Errorf("a batch of %d leaves room for more", p.Next)
			}
		})
	}
}

func TestComputeSuggestsNothingWhenTheCountersAreFull(t *testing.T) {
	p := Compute(Input{Today: day("2026-06-03"), Weeks: weeks(4, 100, 100), Curve: DefaultCurve, TargetFill: 0.85})
	if p.Next != 0 {
		t.Fatalf("next batch %d with full counters", p.Next)
	}
}

func TestHindcastSpreadsPastMailingsByTheCurve(t *testing.T) {
	c := Curve{Weekly: []float64{0.5, 0.25}}
	got := Hindcast(c, []Mailing{{Sent: "2026-06-01", Count: 100}, {Sent: "2026-06-20", Count: 100}}, day("2026-06-08"))
	if math.Abs(got-25) > 1e-9 {
		t.Fatalf("hindcast %v, want 25 (week 1 of the first mailing; the second came later)", got)
	}
}

func TestLateBookingsStayOutOfTheCurveAndTheBatchStaysBounded(t *testing.T) {
	// Every notice booked half a year later: nothing within the curve.
	c := Learn(history([]string{"2025-06-02"}, 40, []int{180}, 0), day("2026-06-01"))
	if c.Samples != 40 || c.Total() != 0 {
		t.Fatalf("late bookings counted: %v", c.Weekly)
	}
	p := Compute(Input{Today: day("2026-06-03"), Weeks: weeks(4, 100, 0), Curve: c, TargetFill: 0.85})
	if p.Next != 340 {
		t.Fatalf("next batch %d, want the room of the four weeks (340)", p.Next)
	}
}
