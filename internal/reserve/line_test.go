package reserve

import (
	"context"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/store"
)

// seats is a usage with n web seats taken in the slot at t0.
var t0 = time.UnixMilli(1_795_000_000_000).UTC()

func seats(n int) store.Usage { return store.Usage{t0: {"web": n}} }

// fitsIn5 fits one more web seat in a slot of 5.
func fitsIn5(u store.Usage) bool { return u[t0]["web"] < 5 }

// enterAsync enters the line in a goroutine and reports its answer.
func enterAsync(ls *slotLines, k lineKey) <-chan error {
	out := make(chan error, 1)
	go func() { out <- ls.enter(context.Background(), k, "st", fitsIn5) }()
	return out
}

// waiting waits until n requests wait in the line.
func waiting(t *testing.T, ls *slotLines, k lineKey, n int) {
	t.Helper()
	for range 1000 {
		ls.mu.Lock()
		w := 0
		if l := ls.lines[k]; l != nil {
			w = l.waiting
		}
		ls.mu.Unlock()
		if w == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("never %d waiting", n)
}

func TestLineAnswersFullToThoseWaitingWhenTheSlotFills(t *testing.T) {
	ls, k := newSlotLines(), lineKey{place: "main", start: 1}
	if err := ls.enter(t.Context(), k, "st", fitsIn5); err != nil {
		t.Fatal(err)
	}
	a, b := enterAsync(ls, k), enterAsync(ls, k)
	waiting(t, ls, k, 2)
	ls.leave(k, func() (string, store.Usage, error) { return "st", seats(5), nil }) // the turn filled the slot
	for _, ch := range []<-chan error{a, b} {
		if err := <-ch; !apperr.Is(err, store.CodeSlotFull) {
			t.Fatalf("waiting request: want slot_full, got %v", err)
		}
	}
	if len(ls.lines) != 0 {
		t.Errorf("lines left: %v", ls.lines)
	}
}

func TestLinePassesTheTurnWhileThereIsRoom(t *testing.T) {
	ls, k := newSlotLines(), lineKey{place: "main", start: 1}
	if err := ls.enter(t.Context(), k, "st", fitsIn5); err != nil {
		t.Fatal(err)
	}
	next := enterAsync(ls, k)
	waiting(t, ls, k, 1)
	ls.leave(k, func() (string, store.Usage, error) { return "st", seats(4), nil })
	if err := <-next; err != nil {
		t.Fatalf("want the turn, got %v", err)
	}
	// Seats read before a request joined are no answer for it: it takes
	// its turn and lets the write transaction decide.
	before := enterAsync(ls, k)
	waiting(t, ls, k, 1)
	var during <-chan error
	ls.leave(k, func() (string, store.Usage, error) {
		during = enterAsync(ls, k) // joins while the seats are read
		waiting(t, ls, k, 2)
		return "st", seats(5), nil
	})
	if err := <-before; !apperr.Is(err, store.CodeSlotFull) {
		t.Fatalf("request waiting before the read: want slot_full, got %v", err)
	}
	if err := <-during; err != nil {
		t.Fatalf("request that joined during the read: want the turn, got %v", err)
	}
	ls.leave(k, func() (string, store.Usage, error) { return "st", nil, nil })
}

func TestLineWaitEndsWithTheContext(t *testing.T) {
	ls, k := newSlotLines(), lineKey{place: "main", start: 1}
	if err := ls.enter(t.Context(), k, "st", fitsIn5); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if err := ls.enter(ctx, k, "st", fitsIn5); err != context.DeadlineExceeded {
		t.Fatalf("want the deadline, got %v", err)
	}
	ls.leave(k, func() (string, store.Usage, error) { return "st", nil, nil })
	if len(ls.lines) != 0 {
		t.Errorf("lines left: %v", ls.lines)
	}
}

// Seats read under other settings than the request was planned with (a
// capacity changed meanwhile) are no answer for it either.
func TestLineTrustsOnlySeatsReadUnderTheSameSettings(t *testing.T) {
	ls, k := newSlotLines(), lineKey{place: "main", start: 1}
	if err := ls.enter(t.Context(), k, "st", fitsIn5); err != nil {
		t.Fatal(err)
	}
	next := enterAsync(ls, k)
	waiting(t, ls, k, 1)
	ls.leave(k, func() (string, store.Usage, error) { return "st, capacity changed", seats(5), nil })
	if err := <-next; err != nil {
		t.Fatalf("want the turn, got %v", err)
	}
	ls.leave(k, func() (string, store.Usage, error) { return "st", nil, nil })
}
