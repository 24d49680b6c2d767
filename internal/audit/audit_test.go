package audit

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	key    = NewKey("k1", []byte("the audit chain key of the tests"))
	newKey = NewKey("k2", []byte("the key after a change of data key"))
	keys   = NewKeyring(key)
)

func entry(i int) Entry {
	return Event{Actor: "a", Action: "x", Detail: map[string]any{"i": i}}.Entry(time.UnixMilli(int64(1000 * i)))
}

// chain returns n keyed entries after genesis and their head.
func chain(n int) ([]Entry, Head) {
	var out []Entry
	h := Head{AnchorHash: Genesis, LastHash: Genesis}
	for i := range n {
		e := Chain(entry(i), h.LastID, h.LastHash, key)
		out = append(out, e)
		h.LastID, h.LastHash = e.ID, e.Hash
	}
	return out, h.Keyed(key)
}

func verify(keys *Keyring, es []Entry, h Head) error {
	v := NewVerifier(keys, h.Anchor())
	for _, e := range es {
		if err := v.Next(e); err != nil {
			return err
		}
	}
	return v.End(h)
}

func wantProblem(t *testing.T, err error, id int64, reason string) {
	t.Helper()
	var p *Problem
	if !errors.As(err, &p) || p.ID != id || !strings.Contains(p.Reason, reason) {
		t.Fatalf("want problem at %d (%s), got %v", id, reason, err)
	}
}

func TestVerifierFindsTheFirstBadEntry(t *testing.T) {
	good, head := chain(5)
	edited := append([]Entry(nil), good...)
	edited[2].Actor = "intruder"
	deleted := append(append([]Entry(nil), good[:1]...), good[2:]...)
	reordered := append([]Entry(nil), good...)
	reordered[1], reordered[2] = reordered[2], reordered[1]
	reordered[1].ID, reordered[2].ID = 2, 3 // renumbered to hide the swap
	cases := []struct {
		name   string
		es     []Entry
		wantID int64
		reason string
	}{
		{"intact", good, 0, ""},
		{"edited", edited, 3, "edited"},
		{"deleted", deleted, 3, "missing"},
		{"reordered", reordered, 2, "previous-hash"},
		{"tail removed", good[:4], 5, "newest entries were removed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := verify(keys, c.es, head)
			if c.wantID == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantProblem(t, err, c.wantID, c.reason)
		})
	}
}

// Rewriting an entry and recomputing every later hash and the head, with
// SHA-256 as the chain computes it, leaves the keys behind.
func TestRecomputedHashesDoNotCarryTheKey(t *testing.T) {
	es, head := chain(5)
	es[2].Detail = `{"i":"forged"}`
	for i := 2; i < len(es); i++ {
		if i > 2 {
			es[i].PrevHash = es[i-1].Hash
		}
		es[i].Hash = Digest(es[i])
	}
	head.LastHash = es[4].Hash
	wantProblem(t, verify(keys, es, head), 3, "without the key")
	// Recomputing the keys with a key of one's own does not help either.
	forger := NewKey("k1", []byte("a guess at the key"))
	for i := 2; i < len(es); i++ {
		es[i] = Chain(es[i], es[i].ID-1, es[i].PrevHash, forger)
	}
	wantProblem(t, verify(keys, es, head.Keyed(forger)), 3, "without the key")
}

// Invalid UTF-8 is hashed as the bytes it is: two values JSON would both
// turn into U+FFFD hash apart.
func TestDigestHashesRawBytes(t *testing.T) {
	a, b := entry(1), entry(1)
	a.Detail, b.Detail = "\xff", "\xfe"
	if LegacyHash(a) != LegacyHash(b) {
		t.Fatal("control: the legacy hash should not tell them apart")
	}
	if Digest(a) == Digest(b) {
		t.Fatal("raw bytes hash alike")
	}
	// Lengths are part of the encoding: moving a byte from one field to the
	// next changes the hash.
	c, d := entry(1), entry(1)
	c.Actor, c.Action = "ab", "c"
	d.Actor, d.Action = "a", "bc"
	if Digest(c) == Digest(d) {
		t.Fatal("field boundaries are not hashed")
	}
}

func TestHeadChecks(t *testing.T) {
	es, head := chain(3)
	t.Run("no key", func(t *testing.T) {
		h := head
		h.Mac = ""
		wantProblem(t, verify(keys, es, h), 3, "carries no key")
	})
	t.Run("key not given", func(t *testing.T) {
		wantProblem(t, verify(NewKeyring(newKey), es, head), 3, "not given")
	})
	t.Run("old head put back over a cut", func(t *testing.T) {
		old := Head{LastID: 2, LastHash: es[1].Hash, AnchorHash: Genesis, Mac: head.Mac}
		wantProblem(t, verify(keys, es[:2], old), 2, "without the key")
		// Only a head keyed when entry 2 was the last passes, and only the
		// published head can catch it.
		old = old.Keyed(key)
		if err := verify(keys, es[:2], old); err != nil {
			t.Fatal(err)
		}
		v := NewVerifier(keys, old.Anchor())
		v.Watch(head.LastID)
		for _, e := range es[:2] {
			v.Next(e)
		}
		wantProblem(t, v.Against(head, old), 3, "newest entries were removed")
	})
	t.Run("a fresh, empty log", func(t *testing.T) {
		if err := verify(keys, nil, Head{LastHash: Genesis, AnchorHash: Genesis}); err != nil {
			t.Fatal(err)
		}
	})
}

// A cut from the front with the anchor moved along is caught by the key of
// the head, and by the anchor the log itself states.
func TestTheAnchorIsTheOneTheLogStates(t *testing.T) {
	es, _ := chain(4)
	h := Head{LastID: 4, LastHash: es[3].Hash, AnchorID: 2, AnchorHash: es[1].Hash}
	wantProblem(t, verify(keys, es[2:], h.Keyed(key)), 3, "oldest entries were removed")
	// A purge that states the anchor makes the same start valid.
	purge := Chain(Event{Actor: "system", Action: ActionPurged, Detail: AnchorDetail(h.Anchor())}.Entry(time.UnixMilli(9000)), 4, es[3].Hash, key)
	h.LastID, h.LastHash = purge.ID, purge.Hash
	if err := verify(keys, append(es[2:], purge), h.Keyed(key)); err != nil {
		t.Fatal(err)
	}
}

// Entries written before keying verify by their old hash up to the first
// keyed entry; none may follow a keyed one, so stripping keys is caught.
func TestLegacyEntriesOnlyBeforeTheKeyedOnes(t *testing.T) {
	var es []Entry
	prev := Genesis
	for i := range 3 {
		e := entry(i)
		e.ID, e.PrevHash = int64(i+1), prev
		e.Hash = LegacyHash(e)
		es, prev = append(es, e), e.Hash
	}
	keyed := Chain(Event{Actor: "system", Action: ActionKeyed, Detail: AnchorDetail(Anchor{Hash: Genesis})}.Entry(time.UnixMilli(5000)), 3, prev, key)
	es = append(es, keyed)
	head := Head{LastID: 4, LastHash: keyed.Hash, AnchorHash: Genesis}.Keyed(key)
	v := NewVerifier(keys, head.Anchor())
	for _, e := range es {
		if err := v.Next(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.End(head); err != nil || v.Legacy != 3 || v.Count != 4 {
		t.Fatalf("legacy then keyed: %v (legacy %d, count %d)", err, v.Legacy, v.Count)
	}
	// The legacy part is covered by the key of the entry after it.
	edited := append([]Entry(nil), es...)
	edited[1].Actor = "intruder"
	edited[1].Hash = LegacyHash(edited[1])
	edited[2].PrevHash = edited[1].Hash
	edited[2].Hash = LegacyHash(edited[2])
	wantProblem(t, verify(keys, edited, head), 4, "previous-hash")
	stripped := append([]Entry(nil), es...)
	later := Chain(entry(9), 4, keyed.Hash, key)
	later.Mac = ""
	later.Hash = LegacyHash(later)
	stripped = append(stripped, later)
	wantProblem(t, verify(keys, stripped, Head{LastID: 5, LastHash: later.Hash, AnchorHash: Genesis}.Keyed(key)), 5, "stripped")
}

// After a change of data key, the entries under the old key are counted as
// unchecked when it is not given, and still protected by the later ones.
func TestEntriesUnderAKeyNotGiven(t *testing.T) {
	es, h := chain(3)
	e := Chain(entry(3), h.LastID, h.LastHash, newKey)
	es = append(es, e)
	head := Head{LastID: 4, LastHash: e.Hash, AnchorHash: Genesis}.Keyed(newKey)
	v := NewVerifier(NewKeyring(newKey), head.Anchor())
	for _, e := range es {
		if err := v.Next(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.End(head); err != nil || v.Unchecked != 3 {
		t.Fatalf("unchecked %d, %v", v.Unchecked, err)
	}
	es[1].Actor = "intruder"
	es[1].Hash = Digest(es[1])
	es[2].PrevHash = es[1].Hash
	es[2].Hash = Digest(es[2])
	es[3].PrevHash = es[2].Hash
	es[3].Hash = Digest(es[3])
	wantProblem(t, verify(NewKeyring(newKey), es, head), 4, "without the key")
}

func BenchmarkChain(b *testing.B) {
	e := Event{ActorID: 1, Actor: "staff1", Action: "booking.created", Target: "booking:123",
		IP: "192.0.2.10", RequestID: "65605af52824f9bf", Detail: map[string]any{"place": "honcho", "people": 1}}.Entry(time.UnixMilli(1_790_000_000_000))
	h := Head{AnchorHash: Genesis, LastHash: Genesis}
	for b.Loop() {
		e = Chain(e, e.ID, e.Hash, key)
		h.LastID, h.LastHash = e.ID, e.Hash
		h = h.Keyed(key)
	}
}
