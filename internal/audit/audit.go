// Package audit defines the append-only, hash-chained audit log: what an
// entry holds, how it is chained and keyed, and how a chain is verified.
//
// Each entry's hash (a SHA-256 digest of its raw bytes) covers its own
// fields and the previous entry's hash, so an edit, a deletion or a
// reordering breaks the chain at that entry. Anyone can compute a digest,
// so each entry also carries a MAC of its hash under a key derived from the
// data key, which the database does not hold; the head (last entry and
// anchor) carries one too. Someone who can write to the database but not
// read the key can rewrite entries and recompute every later hash, but
// cannot make the MACs match. What the database alone cannot show is an
// old head put back after the newest entries were cut: the head is
// published outside the database for that (see Head).
package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Genesis is the hash the first entry of a fresh log follows.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// The actions the chain itself records. Both state the anchor (the entry
// the oldest remaining one follows) in their detail, so a verifier can
// tell a purge from a cut: the anchor of the head must be the one the
// newest of them states.
const (
	ActionPurged = "audit.purged"      // retention removed the oldest entries
	ActionKeyed  = "audit.chain_keyed" // a chain from before keying was keyed
)

// Entry is one audit record.
type Entry struct {
	ID        int64
	At        time.Time
	ActorID   int64  // 0 for anonymous or system
	Actor     string // username at the time, "system", or "anonymous"
	Action    string // e.g. "auth.login_ok", "card.view"
	Target    string // e.g. "user:12", "card:345"
	IP        string
	RequestID string
	Detail    string // JSON object
	PrevHash  string
	Hash      string
	Mac       string // "<key id>:<hex>"; "" for an entry from before keying
}

// Event is what a caller records; the store assigns ID, PrevHash and Hash.
type Event struct {
	ActorID   int64
	Actor     string
	Action    string
	Target    string
	IP        string
	RequestID string
	Detail    map[string]any
}

// Entry turns the event into an unchained entry at time at.
func (ev Event) Entry(at time.Time) Entry {
	detail := "{}"
	if len(ev.Detail) > 0 {
		if b, err := json.Marshal(ev.Detail); err == nil {
			detail = string(b)
		}
	}
	actor := ev.Actor
	if actor == "" {
		actor = "anonymous"
	}
	return Entry{At: at, ActorID: ev.ActorID, Actor: actor, Action: ev.Action, Target: ev.Target,
		IP: ev.IP, RequestID: ev.RequestID, Detail: detail}
}

// Digest returns the hash of e chained to e.PrevHash: SHA-256 of every
// field's raw bytes, each preceded by its length, so that no two different
// entries share an encoding. Time is taken in milliseconds, the precision
// the store keeps.
func Digest(e Entry) string {
	b := make([]byte, 0, 160+len(e.Actor)+len(e.Action)+len(e.Target)+len(e.IP)+len(e.RequestID)+len(e.Detail))
	b = append(b, "kofu audit entry v2\x00"...)
	for _, n := range [...]int64{e.ID, e.At.UnixMilli(), e.ActorID} {
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	for _, s := range [...]string{e.Actor, e.Action, e.Target, e.IP, e.RequestID, e.Detail, e.PrevHash} {
		b = binary.BigEndian.AppendUint64(b, uint64(len(s)))
		b = append(b, s...)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// LegacyHash is the unkeyed hash of entries written before the chain was
// keyed: SHA-256 of the fields as a JSON array. JSON turns invalid UTF-8
// into U+FFFD, so it is kept only to verify those entries.
func LegacyHash(e Entry) string {
	fields := []any{e.ID, e.At.UnixMilli(), e.ActorID, e.Actor, e.Action, e.Target, e.IP, e.RequestID, e.Detail, e.PrevHash}
	b, _ := json.Marshal(fields) // cannot fail: only strings and integers
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Chain sets e's ID, PrevHash, Hash and Mac to follow the entry (prevID,
// prevHash), keyed with k.
func Chain(e Entry, prevID int64, prevHash string, k Key) Entry {
	e.ID = prevID + 1
	e.PrevHash = prevHash
	e.Hash = Digest(e)
	e.Mac = k.mac("entry", e.Hash)
	return e
}

// Key is a key that MACs the chain, named by the (public) id of the data
// key it is derived from.
type Key struct {
	ID   string
	macs *sync.Pool // of hash.Hash: HMAC-SHA256 under the key, reset on use
}

// NewKey returns the chain key id with the secret.
func NewKey(id string, secret []byte) Key {
	secret = bytes.Clone(secret)
	return Key{ID: id, macs: &sync.Pool{New: func() any { return hmac.New(sha256.New, secret) }}}
}

// mac returns "<key id>:<hex>" of HMAC-SHA256 over a label and the parts,
// each preceded by its length.
func (k Key) mac(label string, parts ...string) string {
	m := k.macs.Get().(hash.Hash)
	defer k.macs.Put(m)
	m.Reset()
	var b []byte
	b = append(b, "kofu audit "+label+"\x00"...)
	for _, p := range parts {
		b = binary.BigEndian.AppendUint64(b, uint64(len(p)))
		b = append(b, p...)
	}
	m.Write(b)
	var sum [sha256.Size]byte
	out := make([]byte, 0, len(k.ID)+1+2*sha256.Size)
	out = append(append(out, k.ID...), ':')
	return string(hex.AppendEncode(out, m.Sum(sum[:0])))
}

// Keyring holds the key new entries are keyed with and older ones, which
// still check the entries keyed before a change of data key.
type Keyring struct {
	keys []Key
}

// NewKeyring returns a keyring keying with current and checking with all.
func NewKeyring(current Key, older ...Key) *Keyring {
	return &Keyring{keys: append([]Key{current}, older...)}
}

// Current is the key new entries and heads are keyed with.
func (r *Keyring) Current() Key { return r.keys[0] }

// check reports whether mac is label over parts under a key of the ring;
// known is false when the ring lacks the key it names.
func (r *Keyring) check(mac, label string, parts ...string) (ok, known bool) {
	id, _, _ := strings.Cut(mac, ":")
	for _, k := range r.keys {
		if k.ID == id {
			return hmac.Equal([]byte(mac), []byte(k.mac(label, parts...))), true
		}
	}
	return false, false
}

// Anchor is the entry the oldest remaining entry follows: the last one
// removed by retention, or 0 and Genesis.
type Anchor struct {
	ID   int64
	Hash string
}

// AnchorDetail is the detail by which ActionPurged and ActionKeyed state
// the anchor.
func AnchorDetail(a Anchor) map[string]any {
	return map[string]any{"anchor_id": a.ID, "anchor_hash": a.Hash}
}

// Head is the chain's last entry and anchor, with their MAC: what the
// database keeps to catch a removal of the newest entries, and what is
// published outside it (a log line, a file, the backup) to catch a
// removal combined with an old head put back.
type Head struct {
	LastID     int64  `json:"last_id"`
	LastHash   string `json:"last_hash"`
	AnchorID   int64  `json:"anchor_id"`
	AnchorHash string `json:"anchor_hash"`
	Mac        string `json:"mac"` // "" before the chain was keyed
}

// Anchor returns the head's anchor.
func (h Head) Anchor() Anchor { return Anchor{ID: h.AnchorID, Hash: h.AnchorHash} }

func (h Head) parts() []string {
	return []string{strconv.FormatInt(h.LastID, 10), h.LastHash, strconv.FormatInt(h.AnchorID, 10), h.AnchorHash}
}

// Keyed returns h with its MAC under k.
func (h Head) Keyed(k Key) Head {
	h.Mac = k.mac("head", h.parts()...)
	return h
}

// Check verifies the head's MAC; it returns a *Problem when it does not
// hold or names a key the ring lacks.
func (h Head) Check(keys *Keyring) error {
	ok, known := h.status(keys)
	switch {
	case h.Mac == "":
		return &Problem{ID: h.LastID, Reason: "the head carries no key: the log was never keyed, or its keys were stripped"}
	case !known:
		id, _, _ := strings.Cut(h.Mac, ":")
		return &Problem{ID: h.LastID, Reason: fmt.Sprintf("the head is keyed with data key %s, which was not given", id)}
	case !ok:
		return &Problem{ID: h.LastID, Reason: "the head's key does not match: it was rewritten without the key"}
	}
	return nil
}

// status reports whether the head's MAC holds; known is false when it
// names a key the ring lacks.
func (h Head) status(keys *Keyring) (ok, known bool) {
	if h.Mac == "" {
		return false, true
	}
	return keys.check(h.Mac, "head", h.parts()...)
}

// Problem names the first entry where the chain breaks.
type Problem struct {
	ID     int64
	Reason string
}

func (p *Problem) Error() string { return fmt.Sprintf("audit entry %d: %s", p.ID, p.Reason) }
