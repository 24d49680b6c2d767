package fresh

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeClock) now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeClock) add(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

func TestValueIsReadAgainOnlyWhenOlderThanMaxAge(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	c := New[int](time.Second)
	c.SetClock(clk.now)
	loads, stored := 0, 1
	load := func(context.Context) (int, error) { loads++; return stored, nil }
	get := func() int {
		t.Helper()
		v, err := c.Get(t.Context(), load)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if get() != 1 || get() != 1 || loads != 1 {
		t.Fatalf("a fresh value must be read once: %d loads", loads)
	}
	stored = 2 // another instance saves a change
	clk.add(999 * time.Millisecond)
	if v := get(); v != 1 || loads != 1 {
		t.Fatalf("within max age: %d after %d loads", v, loads)
	}
	clk.add(time.Millisecond)
	if v := get(); v != 2 || loads != 2 {
		t.Fatalf("after max age the change must show: %d after %d loads", v, loads)
	}
	stored = 3 // this instance saves a change
	c.Forget()
	if v := get(); v != 3 || loads != 3 {
		t.Fatalf("after Forget the change must show at once: %d after %d loads", v, loads)
	}
}

func TestFailedLoadIsNotKept(t *testing.T) {
	c := New[int](time.Hour)
	boom := errors.New("database down")
	if _, err := c.Get(t.Context(), func(context.Context) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	v, err := c.Get(t.Context(), func(context.Context) (int, error) { return 7, nil })
	if err != nil || v != 7 {
		t.Fatalf("after a failed load the next Get must load: %d %v", v, err)
	}
}

// While one caller reloads a stale value the others get the stale one, so
// an expiry under load costs one database read, not one per request.
func TestOneReloadAtATime(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	c := New[int](time.Second)
	c.SetClock(clk.now)
	c.Get(t.Context(), func(context.Context) (int, error) { return 1, nil })
	clk.add(2 * time.Second)
	entered, release := make(chan struct{}), make(chan struct{})
	done := make(chan int)
	go func() {
		v, _ := c.Get(t.Context(), func(context.Context) (int, error) { close(entered); <-release; return 2, nil })
		done <- v
	}()
	<-entered
	v, err := c.Get(t.Context(), func(context.Context) (int, error) { t.Error("a second reload ran"); return 0, nil })
	if err != nil || v != 1 {
		t.Fatalf("during the reload: %d %v", v, err)
	}
	close(release)
	if v := <-done; v != 2 {
		t.Fatalf("the reload: %d", v)
	}
	if v, _ := c.Get(t.Context(), nil); v != 2 {
		t.Fatalf("after the reload: %d", v)
	}
}

// A load that started before Forget may have read the old value; it is
// not kept.
func TestLoadRacingForgetIsNotKept(t *testing.T) {
	c := New[int](time.Hour)
	v, _ := c.Get(t.Context(), func(context.Context) (int, error) { c.Forget(); return 1, nil })
	if v != 1 {
		t.Fatalf("the caller still gets what it read: %d", v)
	}
	v, _ = c.Get(t.Context(), func(context.Context) (int, error) { return 2, nil })
	if v != 2 {
		t.Fatalf("the value read before Forget was kept: %d", v)
	}
}
