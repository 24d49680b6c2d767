package challenge

import (
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// MaxUnsolved is how many challenges one client address may hold that
// were not answered with a proof, within TTL: those still open, and those
// passed by waiting instead of solving. Past it a new challenge can only
// be solved (issue #15: the proof could be skipped by waiting, and since
// tokens cost nothing, a client could wait once for any number of them).
// A browser that runs the script solves each at once and never reaches
// it; a resident without JavaScript gets this many waits per TTL, enough
// for a household or a few residents behind one shared address.
const MaxUnsolved = 8

// clientsSize bounds the addresses whose challenges one instance keeps.
const clientsSize = 50_000

// clients tracks, per client address in this instance's memory, the
// challenges that were not answered with a proof.
type clients struct {
	mu    sync.Mutex
	byIP  *lru.Cache[string, []held]
	clock func() time.Time
}

// held is a challenge handed to a client and not answered with a proof.
type held struct {
	nonce  string
	bind   string
	sealed string
	issued time.Time
	open   bool // not used yet; false: passed by waiting
}

func newClients(now func() time.Time) *clients {
	c, err := lru.New[string, []held](clientsSize)
	if err != nil {
		panic(err) // only for a size < 1
	}
	return &clients{byIP: c, clock: now}
}

// live returns the client's challenges still within TTL (c.mu held).
func (c *clients) live(ip string, now time.Time) []held {
	hs, _ := c.byIP.Get(ip)
	out := hs[:0:0]
	for _, h := range hs {
		if now.Sub(h.issued) <= TTL {
			out = append(out, h)
		}
	}
	return out
}

// reuse returns the open challenge the client already holds for the
// form, so that reloading a page does not use up the client's allowance.
func (c *clients) reuse(ip, bind string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, h := range c.live(ip, c.clock()) {
		if h.open && h.bind == bind {
			return h.sealed, true
		}
	}
	return "", false
}

// waitAllowed reports whether a new challenge for the client may still be
// passed by waiting: fewer than MaxUnsolved are held.
func (c *clients) waitAllowed(ip string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.live(ip, c.clock())) < MaxUnsolved
}

// issued records a challenge handed to the client.
func (c *clients) issued(ip string, h held) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h.open = true
	c.byIP.Add(ip, append(c.live(ip, c.clock()), h))
}

// used records the challenge nonce issued at issued as answered: with a
// proof it no longer counts; passed by waiting it counts until TTL, also
// when it was handed out by another instance or to another address
// (which may take one over MaxUnsolved, still bounded: each one was
// waited for).
func (c *clients) used(ip, nonce string, issued time.Time, solved bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	hs := c.live(ip, c.clock())
	out, found := hs[:0], false
	for _, h := range hs {
		if h.nonce == nonce {
			found = true
			if solved {
				continue
			}
			h.open = false
		}
		out = append(out, h)
	}
	if !found && !solved {
		out = append(out, held{nonce: nonce, issued: issued})
	}
	c.byIP.Add(ip, out)
}
