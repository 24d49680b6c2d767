package reserve

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
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
	// provable: a proof of work lets a request past this limit. A notice
	// number's attempts are: a guesser past them would otherwise lock the
	// resident out, and with a proof every further guess still costs work.
	provable bool
}

// limitRead counts a public request that writes nothing a guesser could
// use against the per-IP limit of the settings (per minute), in this
// instance's memory (readLimiter): no database write. When the settings
// cannot be read, the request is refused (fail closed).
func (s *Service) limitRead(ctx context.Context, m auth.Meta) error {
	st, err := s.public.Get(ctx, s.Settings) // read only: no copy (PublicSettings)
	if err != nil {
		return failClosed(err)
	}
	if refused := s.reads.allow(m.IP, st.PublicRateLimitPerMinute, s.clock.Now()); refused != nil {
		return refused
	}
	return nil
}

// limit counts a public request against the per-IP limit of the settings
// (per minute) and, for each notice number it names, the per-notice limit
// (per hour). The counts live in the database so that every server
// process agrees: it is for the requests that name notice numbers, hold
// seats or change a booking. proved says the request carried a spent
// proof of work, which lets it past the per-notice limit (bucketLimit). The hits are committed even when the request is refused;
// when the database cannot be asked, the request is refused (fail closed).
// A booking counts its hits in its own transaction instead (bookLimited).
func (s *Service) limit(ctx context.Context, m auth.Meta, notices []string, proved bool) error {
	var refused *LimitError
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		st, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		refused, err = hitLimits(ctx, tx, st, m, notices, proved, s.clock.Now())
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

// failClosed is the refusal when the limits could not be checked. A
// database out of reach for a moment (a failover) is said as such: the
// request is refused all the same.
func failClosed(err error) error {
	if apperr.KindOf(err) == apperr.KindUnavailable {
		return err
	}
	return &LimitError{RetryAfter: failClosedRetry, Err: err}
}

// hitLimits counts a request from m naming the notice numbers in tx and
// returns the refusal if it is over a limit of st.
func hitLimits(ctx context.Context, tx *store.Tx, st booking.Settings, m auth.Meta, notices []string, proved bool, now time.Time) (*LimitError, error) {
	buckets := []bucketLimit{{bucket: "ip:" + m.IP, window: time.Minute, max: st.PublicRateLimitPerMinute}}
	var byNotice []bucketLimit
	for _, n := range notices {
		bucket, err := tx.Pseudonym("rate-limit notice", n)
		if err != nil {
			return nil, err
		}
		byNotice = append(byNotice, bucketLimit{bucket: "notice:" + bucket, window: time.Hour, max: st.NoticeAttempts(), provable: true})
	}
	// In one order everywhere: a booking holds these rows until it commits,
	// and two families naming the same cards must not wait on each other
	// crosswise.
	slices.SortFunc(byNotice, func(a, b bucketLimit) int { return strings.Compare(a.bucket, b.bucket) })
	return hitAll(ctx, tx, append(buckets, byNotice...), proved, now)
}

// hitAll counts the request in every bucket and returns the refusal with
// the longest wait, if any bucket is over its limit that the proof (if
// proved) does not lift. A refusal by provable buckets alone says so
// (LimitError.Provable), so that the client is asked for a proof instead.
func hitAll(ctx context.Context, tx *store.Tx, buckets []bucketLimit, proved bool, now time.Time) (*LimitError, error) {
	var refused *LimitError
	provable := true
	for _, b := range buckets {
		start := now.Truncate(b.window)
		n, err := tx.HitRateLimit(ctx, b.bucket, start)
		if err != nil {
			return nil, err
		}
		if n <= b.max || (b.provable && proved) {
			continue
		}
		provable = provable && b.provable
		wait := ceilSecond(start.Add(b.window).Sub(now))
		if refused == nil || wait > refused.RetryAfter {
			refused = &LimitError{RetryAfter: wait}
		}
	}
	if refused != nil {
		refused.Provable = provable
	}
	return refused, nil
}

// ceilSecond rounds d up to whole seconds, at least one, as Retry-After
// counts in seconds and must not invite a retry that is still too early.
func ceilSecond(d time.Duration) time.Duration {
	return max(time.Second, (d + time.Second - 1).Truncate(time.Second))
}
