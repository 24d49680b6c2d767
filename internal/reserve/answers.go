package reserve

import (
	"context"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/fresh"
)

// PublicAvailabilityMaxAge bounds how old an availability answer shown to
// residents may be: a booking saved on another instance shows within it.
// A change made through this instance shows at once (answers.forget), and
// a booking always checks the seats in its own transaction.
const PublicAvailabilityMaxAge = PublicSettingsMaxAge

// answersSize bounds the availability queries whose answers one instance
// keeps (a month at one place for one group size is one query).
const answersSize = 1024

// answers keeps the residents' availability answers of this instance for
// PublicAvailabilityMaxAge (issue #14): when the calendar is read by many
// at once, each query is answered from the database about once a second
// instead of once a request, and the API's encoding of it is shared too
// (Availability.Rendered).
type answers struct {
	clock clock.Clock
	mu    sync.Mutex // orders forget against the adding of a new query
	byQ   *lru.Cache[AvailabilityQuery, *fresh.Value[Availability]]
}

func newAnswers(c clock.Clock) *answers {
	byQ, err := lru.New[AvailabilityQuery, *fresh.Value[Availability]](answersSize)
	if err != nil {
		panic(err) // only for a size < 1
	}
	return &answers{clock: c, byQ: byQ}
}

// get returns the answer to q, loading it when there is none or it is
// older than PublicAvailabilityMaxAge.
func (a *answers) get(ctx context.Context, q AvailabilityQuery, load func(context.Context) (Availability, error)) (Availability, error) {
	a.mu.Lock()
	v, ok := a.byQ.Get(q)
	if !ok {
		v = fresh.New[Availability](PublicAvailabilityMaxAge)
		v.SetClock(a.clock.Now)
		a.byQ.Add(q, v)
	}
	a.mu.Unlock()
	return v.Get(ctx, func(ctx context.Context) (Availability, error) {
		av, err := load(ctx)
		av.memo = &rendering{}
		return av, err
	})
}

// forget drops every answer: this instance changed seats or settings.
func (a *answers) forget() {
	a.mu.Lock()
	for _, v := range a.byQ.Values() {
		v.Forget() // a load under way is not kept either
	}
	a.byQ.Purge()
	a.mu.Unlock()
}

// rendering is one encoding of a kept answer, made by the first request
// it serves and shared by the others.
type rendering struct {
	once sync.Once
	b    []byte
	err  error
}

// Rendered returns render(av): for an answer kept for the residents, made
// once and shared by every request that answer serves, so render must be
// the same function each time (the API's JSON). The bytes must not be
// changed.
func (av Availability) Rendered(render func(Availability) ([]byte, error)) ([]byte, error) {
	if av.memo == nil {
		return render(av)
	}
	av.memo.once.Do(func() { av.memo.b, av.memo.err = render(av) })
	return av.memo.b, av.memo.err
}
