package audit

import (
	"encoding/json"
	"fmt"
)

// Verifier checks entries one by one in ID order.
type Verifier struct {
	keys     *Keyring
	anchor   Anchor
	prevID   int64
	prevHash string
	keyed    bool    // a keyed entry was seen: every later one must be keyed
	stated   *Anchor // the anchor the newest purge or keying entry states
	watch    int64   // an entry whose hash the caller wants (a published head's)
	watched  string
	// Count is the number of entries checked; Legacy those from before
	// keying (hash only); Unchecked the keyed ones whose key was not given
	// (their hashes still chain into the later, checked entries).
	Count, Legacy, Unchecked int
}

// NewVerifier starts a verification after the anchor with keys.
func NewVerifier(keys *Keyring, anchor Anchor) *Verifier {
	return &Verifier{keys: keys, anchor: anchor, prevID: anchor.ID, prevHash: anchor.Hash}
}

// Watch asks the verifier to keep the hash of entry id (see Hash).
func (v *Verifier) Watch(id int64) { v.watch = id }

// Hash returns the hash of the watched entry, if it was seen.
func (v *Verifier) Hash() (string, bool) { return v.watched, v.watched != "" }

// Next checks one entry; it returns a *Problem for the first bad one.
func (v *Verifier) Next(e Entry) error {
	switch {
	case e.ID != v.prevID+1:
		return &Problem{ID: e.ID, Reason: fmt.Sprintf("expected entry %d here: entries are missing or out of order", v.prevID+1)}
	case e.PrevHash != v.prevHash:
		return &Problem{ID: e.ID, Reason: "previous-hash link does not match the entry before it"}
	}
	if err := v.content(e); err != nil {
		return err
	}
	v.prevID, v.prevHash = e.ID, e.Hash
	if e.ID == v.watch {
		v.watched = e.Hash
	}
	v.Count++
	return nil
}

func (v *Verifier) content(e Entry) error {
	if e.Mac == "" {
		switch {
		case v.keyed:
			return &Problem{ID: e.ID, Reason: "entry without a key after keyed entries: its key was stripped"}
		case LegacyHash(e) != e.Hash:
			return &Problem{ID: e.ID, Reason: "content does not match its hash (edited)"}
		}
		v.Legacy++
		return nil
	}
	v.keyed = true
	if Digest(e) != e.Hash {
		return &Problem{ID: e.ID, Reason: "content does not match its hash (edited)"}
	}
	ok, known := v.keys.check(e.Mac, "entry", e.Hash)
	switch {
	case !known:
		v.Unchecked++
	case !ok:
		return &Problem{ID: e.ID, Reason: "hash does not match its key: rewritten by someone without the key"}
	}
	if e.Action == ActionPurged || e.Action == ActionKeyed {
		v.stated = statedAnchor(e.Detail)
	}
	return nil
}

// statedAnchor reads the anchor a purge or keying entry states; an entry
// that states none states an impossible one.
func statedAnchor(detail string) *Anchor {
	var d struct {
		ID   *int64 `json:"anchor_id"`
		Hash string `json:"anchor_hash"`
	}
	if json.Unmarshal([]byte(detail), &d) != nil || d.ID == nil {
		return &Anchor{ID: -1}
	}
	return &Anchor{ID: *d.ID, Hash: d.Hash}
}

// Last returns the last entry checked (the anchor before the first).
func (v *Verifier) Last() Anchor { return Anchor{ID: v.prevID, Hash: v.prevHash} }

// Reaches checks that the chain ends where the head says.
func (v *Verifier) Reaches(h Head) error {
	if v.prevID != h.LastID || v.prevHash != h.LastHash {
		return &Problem{ID: v.prevID + 1, Reason: fmt.Sprintf("log ends at entry %d but the head records entry %d: newest entries were removed", v.prevID, h.LastID)}
	}
	return nil
}

// End checks that the chain reaches the head, that the head is keyed and
// that its anchor is the one the log itself states, so removing the newest
// or the oldest entries is caught too.
func (v *Verifier) End(h Head) error {
	if err := v.Reaches(h); err != nil {
		return err
	}
	if h.LastID == 0 && h.Mac == "" {
		return nil // a fresh, empty log
	}
	if err := h.Check(v.keys); err != nil {
		return err
	}
	want := Anchor{ID: 0, Hash: Genesis}
	if v.stated != nil {
		want = *v.stated
	}
	if v.anchor != want {
		return &Problem{ID: v.anchor.ID + 1, Reason: fmt.Sprintf("log starts after entry %d but the log states entry %d: oldest entries were removed", v.anchor.ID, want.ID)}
	}
	return nil
}

// Against compares the chain, verified up to head, with a head published
// earlier (which the caller Watched): the published entry must still be
// there with the same hash, and the anchor may only have moved forward.
// A published head keyed with a key the ring lacks is still compared.
func (v *Verifier) Against(published, head Head) error {
	if published.LastID == 0 {
		return nil // published while the log was empty
	}
	if ok, known := published.status(v.keys); known && !ok {
		return &Problem{ID: published.LastID, Reason: "the published head does not match its key: it is not genuine"}
	}
	switch {
	case published.LastID > head.LastID:
		return &Problem{ID: head.LastID + 1, Reason: fmt.Sprintf("the published head records entry %d but the log ends at entry %d: newest entries were removed", published.LastID, head.LastID)}
	case published.AnchorID > head.AnchorID:
		return &Problem{ID: head.AnchorID + 1, Reason: fmt.Sprintf("the published head starts after entry %d but the log after entry %d: the anchor was moved back", published.AnchorID, head.AnchorID)}
	case published.AnchorID == head.AnchorID && published.AnchorHash != head.AnchorHash:
		return &Problem{ID: head.AnchorID + 1, Reason: "the anchor differs from the published head: the log was rewritten"}
	case published.LastID <= head.AnchorID:
		return nil // removed by retention since; the anchor moved forward
	}
	if h, ok := v.Hash(); !ok || h != published.LastHash {
		return &Problem{ID: published.LastID, Reason: "the entry differs from the published head: the log was rewritten"}
	}
	return nil
}
