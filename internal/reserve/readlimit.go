package reserve

import (
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"
)

// readLimiterSize bounds the addresses whose buckets one instance keeps.
// An address pushed out starts again with a full bucket, which gives it
// no more than a new address gets: 100,000 entries take about 20 MB.
const readLimiterSize = 100_000

// readLimiter is the per-IP limit of the public requests that only read
// (or touch nothing a guesser could use: a booking's page behind its
// manage token, giving a hold back, cancelling): a token bucket per
// address in this instance's memory, refilled at the settings' rate per
// minute with a burst of a minute's worth. Nothing is written, so a rush
// of residents reading the calendar does not queue on the database's
// single writer (issue #14). Each instance counts on its own; what must
// hold across instances (notice-number attempts, holds, bookings) is
// counted in the database (limit).
type readLimiter struct {
	buckets *lru.Cache[string, *rate.Limiter]
}

func newReadLimiter() *readLimiter {
	c, err := lru.New[string, *rate.Limiter](readLimiterSize)
	if err != nil {
		panic(err) // only for a size < 1
	}
	return &readLimiter{buckets: c}
}

// allow takes one token of ip's bucket at now, or returns the refusal
// with the time until the next token.
func (l *readLimiter) allow(ip string, perMinute int, now time.Time) *LimitError {
	every, burst := rate.Limit(float64(perMinute)/60), perMinute
	lim, ok := l.buckets.Get(ip)
	if !ok {
		// Two first requests of one address may race here; the loser's
		// bucket is dropped, which lets at most one request more through.
		lim = rate.NewLimiter(every, burst)
		l.buckets.Add(ip, lim)
	}
	if lim.Limit() != every || lim.Burst() != burst { // the settings changed
		lim.SetLimitAt(now, every)
		lim.SetBurstAt(now, burst)
	}
	r := lim.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	if wait == 0 {
		return nil
	}
	r.CancelAt(now) // a refused request takes nothing
	return &LimitError{RetryAfter: ceilSecond(wait)}
}
