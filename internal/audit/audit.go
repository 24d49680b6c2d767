// Package audit defines the append-only, hash-chained audit log: what an
// entry holds, how its hash is computed, and how a chain is verified. Each
// entry's hash covers its own fields and the previous entry's hash, so an
// edit, a deletion or a reordering breaks the chain at that entry.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Genesis is the hash the first entry of a fresh log follows.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

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

// ComputeHash returns the hash of e chained to e.PrevHash. Time is taken
// in milliseconds, the precision the store keeps.
func ComputeHash(e Entry) string {
	fields := []any{e.ID, e.At.UnixMilli(), e.ActorID, e.Actor, e.Action, e.Target, e.IP, e.RequestID, e.Detail, e.PrevHash}
	b, _ := json.Marshal(fields) // cannot fail: only strings and integers
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Chain sets e's ID, PrevHash and Hash to follow the entry (prevID, prevHash).
func Chain(e Entry, prevID int64, prevHash string) Entry {
	e.ID = prevID + 1
	e.PrevHash = prevHash
	e.Hash = ComputeHash(e)
	return e
}

// Problem names the first entry where the chain breaks.
type Problem struct {
	ID     int64
	Reason string
}

func (p *Problem) Error() string { return fmt.Sprintf("audit entry %d: %s", p.ID, p.Reason) }

// Verifier checks entries one by one in ID order.
type Verifier struct {
	prevID   int64
	prevHash string
	Count    int
}

// NewVerifier starts a verification after the anchor (the last entry
// removed by retention, or 0 and Genesis).
func NewVerifier(anchorID int64, anchorHash string) *Verifier {
	return &Verifier{prevID: anchorID, prevHash: anchorHash}
}

// Next checks one entry; it returns a *Problem for the first bad one.
func (v *Verifier) Next(e Entry) error {
	switch {
	case e.ID != v.prevID+1:
		return &Problem{ID: e.ID, Reason: fmt.Sprintf("expected entry %d here: entries are missing or out of order", v.prevID+1)}
	case e.PrevHash != v.prevHash:
		return &Problem{ID: e.ID, Reason: "previous-hash link does not match the entry before it"}
	case ComputeHash(e) != e.Hash:
		return &Problem{ID: e.ID, Reason: "content does not match its hash (edited)"}
	}
	v.prevID, v.prevHash = e.ID, e.Hash
	v.Count++
	return nil
}

// End checks that the chain reaches the recorded head, so removing the
// newest entries is caught too.
func (v *Verifier) End(headID int64, headHash string) error {
	if v.prevID != headID || v.prevHash != headHash {
		return &Problem{ID: v.prevID + 1, Reason: fmt.Sprintf("log ends at entry %d but the head records entry %d: newest entries were removed", v.prevID, headID)}
	}
	return nil
}
