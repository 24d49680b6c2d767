package counter

import (
	"context"
	"sync"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// Hub fans the calls of each place out to the connected displays. One
// poller per place and instance reads the place's call sequence (one
// indexed row) every PollEvery while anyone watches, and reads the board
// only when it moved; so calls made on another instance reach every
// display without a message bus, and 200 displays cost one query.
type Hub struct {
	svc       *Service
	pollEvery time.Duration
	perDevice int // connections one device (or one staff member) may hold
	total     int // connections this instance holds at most

	mu     sync.Mutex
	closed bool
	feeds  map[string]*feed
	owners map[string]int // connections by holder
	open   int
}

type feed struct {
	subs map[chan Board]struct{}
	stop context.CancelFunc
}

// Bounds of the hub.
const (
	PollEvery         = 300 * time.Millisecond
	connsPerHolder    = 4
	connsPerInstance  = 2000
	errTooManyMessage = "この端末からの表示の接続が多すぎます。ほかの画面を閉じてください。"
)

// NewHub returns a hub on the service.
func NewHub(svc *Service) *Hub {
	return &Hub{svc: svc, pollEvery: PollEvery, perDevice: connsPerHolder, total: connsPerInstance,
		feeds: map[string]*feed{}, owners: map[string]int{}}
}

// Subscribe returns a channel that receives the place's board whenever a
// call changes it, and the function that ends the subscription. holder
// names who connects ("device:3", "user:7"): each may hold a few
// connections, so a display reloading in a loop cannot exhaust the
// instance.
func (h *Hub) Subscribe(place, holder string) (<-chan Board, func(), error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, nil, apperr.New(apperr.Conflict, "サーバーを停止しています。")
	}
	if h.owners[holder] >= h.perDevice || h.open >= h.total {
		return nil, nil, apperr.New(apperr.RateLimited, errTooManyMessage)
	}
	f := h.feeds[place]
	if f == nil {
		ctx, cancel := context.WithCancel(context.Background())
		f = &feed{subs: map[chan Board]struct{}{}, stop: cancel}
		h.feeds[place] = f
		go h.poll(ctx, place, f)
	}
	ch := make(chan Board, 1)
	f.subs[ch] = struct{}{}
	h.owners[holder]++
	h.open++
	var once sync.Once
	return ch, func() { once.Do(func() { h.leave(place, holder, f, ch) }) }, nil
}

// Close ends every subscription (their channels close) and refuses new
// ones: the server is stopping, and streams must not hold it up.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for place, f := range h.feeds {
		f.stop()
		for ch := range f.subs {
			close(ch)
		}
		f.subs = map[chan Board]struct{}{}
		delete(h.feeds, place)
	}
}

func (h *Hub) leave(place, holder string, f *feed, ch chan Board) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := f.subs[ch]; !ok {
		h.open--
		if h.owners[holder]--; h.owners[holder] <= 0 {
			delete(h.owners, holder)
		}
		return // closed by Close
	}
	delete(f.subs, ch)
	h.open--
	if h.owners[holder]--; h.owners[holder] <= 0 {
		delete(h.owners, holder)
	}
	if len(f.subs) == 0 {
		f.stop()
		delete(h.feeds, place)
	}
}

// Open is the number of connections held (for tests and metrics).
func (h *Hub) Open() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.open
}

func (h *Hub) poll(ctx context.Context, place string, f *feed) {
	t := time.NewTicker(h.pollEvery)
	defer t.Stop()
	last := int64(-1) // the first read is sent: a call may come before it
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		seq, err := h.svc.Seq(ctx, place)
		if err != nil || seq == last {
			continue
		}
		b, err := h.svc.Board(ctx, place)
		if err != nil {
			continue
		}
		last = seq
		h.send(f, b)
	}
}

// send gives every subscriber the newest board; one that has not taken
// the previous board yet gets it replaced, never a queue of old ones.
func (h *Hub) send(f *feed, b Board) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range f.subs {
		select {
		case <-ch:
		default:
		}
		ch <- b
	}
}
