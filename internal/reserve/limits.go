package reserve

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/store"
)

// failClosedRetry is what a client is told when the limits cannot be
// checked: the request is refused rather than let through unlimited.
const failClosedRetry = time.Minute

// bucketLimit is one rate-limit bucket checked for a request.
type bucketLimit struct {
	bucket string
	window time.Duration
	max    int
}

// limit counts a public request against the per-IP limit of the settings
// (per minute) and, for each notice number it names, the per-notice limit
// (per hour). The counts live in the database so that every server
// process agrees. The hits are committed even when the request is refused;
// when the database cannot be asked, the request is refused (fail closed).
// A booking counts its hits in its own transaction instead (bookLimited).
func (s *Service) limit(ctx context.Context, m auth.Meta, notices []string) error {
	var refused *LimitError
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		st, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		refused, err = hitLimits(ctx, tx, st, m, notices, s.clock.Now())
		return err
	})
	if err != nil {
		return failClosed(err)
	}
	if refused != nil {
		return refused
	}
	return nil
}

// failClosed is the refusal when the limits could not be checked.
func failClosed(err error) error { return &LimitError{RetryAfter: failClosedRetry, Err: err} }

// hitLimits counts a request from m naming the notice numbers in tx and
// returns the refusal if it is over a limit of st.
func hitLimits(ctx context.Context, tx *store.Tx, st booking.Settings, m auth.Meta, notices []string, now time.Time) (*LimitError, error) {
	buckets := []bucketLimit{{"ip:" + m.IP, time.Minute, st.PublicRateLimitPerMinute}}
	var byNotice []bucketLimit
	for _, n := range notices {
		bucket, err := tx.Pseudonym("rate-limit notice", n)
		if err != nil {
			return nil, err
		}
		byNotice = append(byNotice, bucketLimit{"notice:" + bucket, time.Hour, st.NoticeAttempts()})
	}
	// In one order everywhere: a booking holds these rows until it commits,
	// and two families naming the same cards must not wait on each other
	// crosswise.
	slices.SortFunc(byNotice, func(a, b bucketLimit) int { return strings.Compare(a.bucket, b.bucket) })
	return hitAll(ctx, tx, append(buckets, byNotice...), now)
}

// hitAll counts the request in every bucket and returns the refusal with
// the longest wait, if any bucket is over its limit.
func hitAll(ctx context.Context, tx *store.Tx, buckets []bucketLimit, now time.Time) (*LimitError, error) {
	var refused *LimitError
	for _, b := range buckets {
		start := now.Truncate(b.window)
		n, err := tx.HitRateLimit(ctx, b.bucket, start)
		if err != nil {
			return nil, err
		}
		if n <= b.max {
			continue
		}
		wait := ceilSecond(start.Add(b.window).Sub(now))
		if refused == nil || wait > refused.RetryAfter {
			refused = &LimitError{RetryAfter: wait}
		}
	}
	return refused, nil
}

// ceilSecond rounds d up to whole seconds, at least one, as Retry-After
// counts in seconds and must not invite a retry that is still too early.
func ceilSecond(d time.Duration) time.Duration {
	return max(time.Second, (d + time.Second - 1).Truncate(time.Second))
}
