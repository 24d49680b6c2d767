package booking

import (
	"testing"
	"time"
)

func TestRemaining(t *testing.T) {
	tests := []struct{ capacity, taken, want int }{
		{2, 0, 2},
		{2, 1, 1},
		{2, 2, 0},
		{2, 3, 0}, // overbooked by staff: never negative
		{0, 0, 0},
	}
	for _, tt := range tests {
		if got := Remaining(tt.capacity, tt.taken); got != tt.want {
			t.Errorf("Remaining(%d, %d) = %d, want %d", tt.capacity, tt.taken, got, tt.want)
		}
	}
}

// monday returns n-slot starts for Monday 2026-11-16 (weekday hours).
func monday(tb testing.TB, n int) []Slot {
	tb.Helper()
	s := DefaultSettings()
	s.Services[0].Slots = n
	d := mustDate(tb, "2026-11-16")
	starts, err := s.ServiceStarts("pickup", "main", d, d, mustTokyo(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return starts
}

// startsOf lists "HH:MM=remaining" for comparison.
func startsOf(av []SlotAvailability) []string {
	out := make([]string, 0, len(av))
	for _, a := range av {
		out = append(out, a.Start.Format("15:04")+"="+string(rune('0'+a.Remaining)))
	}
	return out
}

func TestAvailable(t *testing.T) {
	at := func(hhmm string) time.Time { return mustJST(t, "2026-11-16 "+hhmm+":00") }
	tests := []struct {
		name   string
		n      int // slots per booking
		taken  Booked
		people int
		want   []string
	}{
		{"one slot, one person", 1, Booked{at("09:00"): 2, at("09:30"): 1}, 1,
			[]string{"10:00=2", "10:30=2", "11:00=2", "11:30=2", "09:30=1"}},
		{"one slot, two people", 1, Booked{at("09:30"): 1}, 2,
			[]string{"09:00=2", "10:00=2", "10:30=2", "11:00=2", "11:30=2"}},
		{"two slots take the fewest seats left", 2, Booked{at("10:00"): 1}, 1,
			[]string{"09:00=2", "09:30=1", "10:00=1", "10:30=2", "11:00=2"}},
		{"two slots need both free", 2, Booked{at("10:00"): 2}, 1,
			[]string{"09:00=2", "10:30=2", "11:00=2"}},
		{"zero people counts as one", 1, Booked{at("09:00"): 2}, 0,
			[]string{"09:30=2", "10:00=2", "10:30=2", "11:00=2", "11:30=2"}},
		{"overbooked slot is full", 1, Booked{at("09:00"): 5}, 1,
			[]string{"09:30=2", "10:00=2", "10:30=2", "11:00=2", "11:30=2"}},
		{"more people than seats", 1, nil, 3, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := startsOf(morning(Available(monday(t, tt.n), tt.taken, 2, tt.people)))
			if !sameSet(got, tt.want) {
				t.Errorf("available = %v, want %v", got, tt.want)
			}
		})
	}
}

// morning keeps the starts before noon, to keep the tables short.
func morning(av []SlotAvailability) []SlotAvailability {
	var out []SlotAvailability
	for _, a := range av {
		if a.Start.Hour() < 12 {
			out = append(out, a)
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	count := map[string]int{}
	for _, s := range a {
		count[s]++
	}
	for _, s := range b {
		count[s]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestBookedKeysAreInstants(t *testing.T) {
	nine := mustJST(t, "2026-11-16 09:00:00")
	taken := Booked{nine: 1, nine.UTC(): 1} // the same slot, read twice in different zones
	av := Available(monday(t, 1)[:1], taken, 2, 1)
	if len(av) != 0 {
		t.Errorf("slot with 2 of 2 seats taken offered: %+v", av)
	}
}

func TestBookedAddCountsEverySlotOfABooking(t *testing.T) {
	b := Booked{}
	two := monday(t, 2)[0] // 09:00-10:00
	b.Add(two, 30*time.Minute, 2)
	b.Add(monday(t, 1)[2], 30*time.Minute, 1) // 10:00-10:30
	got := startsOf(morning(Available(monday(t, 1), b, 2, 1)))
	want := []string{"10:00=1", "10:30=2", "11:00=2", "11:30=2"}
	if !sameSet(got, want) {
		t.Errorf("available = %v, want %v", got, want)
	}
	b.Add(Slot{Start: two.Start, End: two.Start}, 0, 1)
	if b[instant(two.Start)] != 3 {
		t.Errorf("non-positive step: %v", b)
	}
}

func TestRemainingForChannels(t *testing.T) {
	split := Place{Capacity: 4, ChannelCapacity: map[Channel]int{ChannelWeb: 1, ChannelPhone: 1}} // 2 shared
	shared := Place{Capacity: 4}
	tests := []struct {
		name                string
		place               Place
		taken               map[Channel]int
		web, phone, counter int
	}{
		{"empty slot", split, nil, 3, 3, 2},
		{"web used its own seat", split, map[Channel]int{ChannelWeb: 1}, 2, 3, 2},
		{"web used the shared pool too", split, map[Channel]int{ChannelWeb: 3}, 0, 1, 0},
		{"each used its own seat", split, map[Channel]int{ChannelWeb: 1, ChannelPhone: 1}, 2, 2, 2},
		{"counter used the shared pool", split, map[Channel]int{ChannelCounter: 2}, 1, 1, 0},
		{"staff overbooked", split, map[Channel]int{ChannelCounter: 5}, 0, 0, 0},
		{"no split: all share", shared, map[Channel]int{ChannelWeb: 3}, 1, 1, 1},
		{"no split: full", shared, map[Channel]int{ChannelPhone: 2, ChannelCounter: 2}, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for ch, want := range map[Channel]int{ChannelWeb: tt.web, ChannelPhone: tt.phone, ChannelCounter: tt.counter} {
				if got := tt.place.RemainingFor(ch, tt.taken); got != want {
					t.Errorf("RemainingFor(%s) = %d, want %d", ch, got, want)
				}
			}
		})
	}
}

func TestSeats(t *testing.T) {
	p := Place{Capacity: 4, ChannelCapacity: map[Channel]int{ChannelWeb: 1, ChannelPhone: 1}}
	if p.Seats(ChannelWeb) != 3 || p.Seats(ChannelCounter) != 2 || (Place{Capacity: 4}).Seats(ChannelWeb) != 4 {
		t.Errorf("Seats: web %d, counter %d", p.Seats(ChannelWeb), p.Seats(ChannelCounter))
	}
}

func TestAvailableForAChannel(t *testing.T) {
	p := Place{ID: "main", SlotMinutes: 30, Capacity: 3, ChannelCapacity: map[Channel]int{ChannelPhone: 1}} // 2 shared
	nine, half := mustJST(t, "2026-11-16 09:00:00"), mustJST(t, "2026-11-16 09:30:00")
	taken := ChannelBooked{
		nine:       {ChannelWeb: 1},
		nine.UTC(): {ChannelCounter: 1}, // same instant: merged before the channel rule
		half:       {ChannelPhone: 1},
	}
	starts := monday(t, 1)[:2]
	web := startsOf(p.AvailableFor(ChannelWeb, starts, taken, 1))
	if want := []string{"09:30=2"}; !sameSet(web, want) {
		t.Errorf("web = %v, want %v", web, want)
	}
	phone := startsOf(p.AvailableFor(ChannelPhone, starts, taken, 1))
	if want := []string{"09:00=1", "09:30=2"}; !sameSet(phone, want) {
		t.Errorf("phone = %v, want %v", phone, want)
	}
}
