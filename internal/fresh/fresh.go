// Package fresh keeps a value read from the database for a bounded time,
// so that a page read by every visitor (the booking settings, the site's
// texts) costs no database round trip per request, while a change saved
// on another instance still shows within MaxAge. A change saved on this
// instance calls Forget and shows at once.
package fresh

import (
	"context"
	"sync"
	"time"

	"github.com/kofu-oss/kofu/internal/clock"
)

// Value is one cached value. The zero value is not usable; use New.
type Value[T any] struct {
	maxAge time.Duration
	now    func() time.Time

	mu      sync.Mutex
	v       T
	at      time.Time // when the load of v started
	ok      bool
	loading bool   // a reload of a stale v is under way
	gen     uint64 // bumped by Forget: a load started before it is not kept
}

// New returns an empty value that is read again when older than maxAge.
func New[T any](maxAge time.Duration) *Value[T] {
	return &Value[T]{maxAge: maxAge, now: clock.System{}.Now}
}

// SetClock replaces the clock that ages the value (tests).
func (c *Value[T]) SetClock(now func() time.Time) {
	c.mu.Lock()
	c.now = now
	c.mu.Unlock()
}

// Get returns the value, loading it when there is none yet or it is older
// than maxAge. While one caller reloads a stale value, the others keep
// getting the stale one instead of all asking the database at once.
func (c *Value[T]) Get(ctx context.Context, load func(context.Context) (T, error)) (T, error) {
	c.mu.Lock()
	now := c.now()
	if c.ok && (c.loading || now.Sub(c.at) < c.maxAge) {
		v := c.v
		c.mu.Unlock()
		return v, nil
	}
	reloading := c.ok
	if reloading {
		c.loading = true
	}
	gen := c.gen
	c.mu.Unlock()

	v, err := load(ctx)

	c.mu.Lock()
	defer c.mu.Unlock()
	if reloading {
		c.loading = false
	}
	if err == nil && gen == c.gen {
		c.v, c.at, c.ok = v, now, true
	}
	return v, err
}

// Last returns the value kept, however old, and whether there is one: a
// load may use it to skip work when the source did not change.
func (c *Value[T]) Last() (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.v, c.ok
}

// Forget drops the value, so the next Get reads it again: for a change
// saved by this instance, which must show at once.
func (c *Value[T]) Forget() {
	c.mu.Lock()
	var zero T
	c.v, c.ok = zero, false
	c.gen++
	c.mu.Unlock()
}
