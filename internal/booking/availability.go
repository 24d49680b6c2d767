package booking

import (
	"maps"
	"slices"
	"time"
)

// Channel is how a booking was made.
type Channel string

// The channels a place can reserve seats for.
const (
	ChannelWeb     Channel = "web"
	ChannelPhone   Channel = "phone"
	ChannelCounter Channel = "counter"
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	return c == ChannelWeb || c == ChannelPhone || c == ChannelCounter
}

// Booked is the number of seats taken per slot, keyed by the slot's start.
// A booking that spans several slots counts in each of them (see Add).
// Keys are compared as instants: entries for the same instant in different
// locations are added together.
type Booked map[time.Time]int

// ChannelBooked is Booked split by channel.
type ChannelBooked map[time.Time]map[Channel]int

// SlotAvailability is a possible start with the seats left in it: the
// fewest left over the slots it spans.
type SlotAvailability struct {
	Slot
	Remaining int `json:"remaining"`
}

// instant makes a time usable as a map key: one location, no monotonic
// reading, as the time package documentation requires.
func instant(t time.Time) time.Time { return t.Round(0).UTC() }

// Add counts people in every slot of length step from b.Start to b.End
// (a booking of several slots takes a seat in each). A non-positive step
// counts b as a single slot.
func (bk Booked) Add(b Slot, step time.Duration, people int) {
	if step <= 0 {
		bk[instant(b.Start)] += people
		return
	}
	for t := b.Start; t.Before(b.End); t = t.Add(step) {
		bk[instant(t)] += people
	}
}

// Remaining is the seats left in a slot; never negative, even when staff
// have overbooked it.
func Remaining(capacity, taken int) int { return max(0, capacity-taken) }

// Available returns the starts at which every slot they span (from Start
// up to End) has at least people seats left (people below 1 counts as 1),
// with Remaining the fewest seats left among those slots.
func Available(starts []Slot, taken Booked, capacity, people int) []SlotAvailability {
	seats := taken.byInstant()
	need := max(people, 1)
	var out []SlotAvailability
	for _, s := range starts {
		if left := Remaining(capacity, mostTaken(seats, s)); left >= need {
			out = append(out, SlotAvailability{Slot: s, Remaining: left})
		}
	}
	return out
}

type seatCount struct {
	at    time.Time
	taken int
}

// byInstant merges the entries by instant and sorts them by time.
func (bk Booked) byInstant() []seatCount {
	merged := make(map[time.Time]int, len(bk))
	for t, n := range bk {
		merged[instant(t)] += n
	}
	out := make([]seatCount, 0, len(merged))
	for _, t := range slices.SortedFunc(maps.Keys(merged), time.Time.Compare) {
		out = append(out, seatCount{at: t, taken: merged[t]})
	}
	return out
}

// mostTaken is the largest count among the slots starting in [s.Start, s.End).
func mostTaken(seats []seatCount, s Slot) int {
	i, _ := slices.BinarySearchFunc(seats, s.Start, func(c seatCount, t time.Time) int { return c.at.Compare(t) })
	most := 0
	for ; i < len(seats) && seats[i].at.Before(s.End); i++ {
		most = max(most, seats[i].taken)
	}
	return most
}

// Seats is the most seats channel ch can use in one empty slot: its
// reserved seats plus the shared pool, or the whole capacity when the place
// does not split by channel.
func (p Place) Seats(ch Channel) int {
	if len(p.ChannelCapacity) == 0 {
		return p.Capacity
	}
	return p.ChannelCapacity[ch] + p.sharedSeats()
}

func (p Place) sharedSeats() int { return Remaining(p.Capacity, sum(p.ChannelCapacity)) }

// RemainingFor is the seats channel ch can still take in one slot, given
// the seats taken there by each channel. Each channel fills its reserved
// seats first; what it takes beyond them comes out of the shared pool.
func (p Place) RemainingFor(ch Channel, taken map[Channel]int) int {
	total := Remaining(p.Capacity, sum(taken))
	if len(p.ChannelCapacity) == 0 {
		return total
	}
	sharedUsed := 0
	for c, n := range taken {
		sharedUsed += max(0, n-p.ChannelCapacity[c]) // beyond its reserved seats
	}
	own := Remaining(p.ChannelCapacity[ch], taken[ch])
	// total caps the sum when staff have overbooked the shared pool.
	return min(total, own+Remaining(p.sharedSeats(), sharedUsed))
}

// AvailableFor is Available for one channel of the place.
func (p Place) AvailableFor(ch Channel, starts []Slot, taken ChannelBooked, people int) []SlotAvailability {
	seats := p.Seats(ch)
	used := make(Booked, len(taken))
	for t, byChannel := range taken.byInstant() {
		used[t] = seats - p.RemainingFor(ch, byChannel)
	}
	return Available(starts, used, seats, people)
}

// byInstant merges the entries by instant. It must run before RemainingFor,
// which is not additive.
func (cb ChannelBooked) byInstant() ChannelBooked {
	out := make(ChannelBooked, len(cb))
	for t, byChannel := range cb {
		k := instant(t)
		if out[k] == nil {
			out[k] = make(map[Channel]int, len(byChannel))
		}
		for c, n := range byChannel {
			out[k][c] += n
		}
	}
	return out
}

func sum(m map[Channel]int) int {
	total := 0
	for _, n := range m {
		total += n
	}
	return total
}
