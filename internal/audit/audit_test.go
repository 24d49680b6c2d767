package audit

import (
	"errors"
	"testing"
	"time"
)

func chain(n int) []Entry {
	var out []Entry
	prevID, prevHash := int64(0), Genesis
	for i := range n {
		e := Chain(Event{Actor: "a", Action: "x", Detail: map[string]any{"i": i}}.Entry(time.UnixMilli(int64(1000*i))), prevID, prevHash)
		out = append(out, e)
		prevID, prevHash = e.ID, e.Hash
	}
	return out
}

func verify(es []Entry, headID int64, headHash string) error {
	v := NewVerifier(0, Genesis)
	for _, e := range es {
		if err := v.Next(e); err != nil {
			return err
		}
	}
	return v.End(headID, headHash)
}

func TestVerifierFindsTheFirstBadEntry(t *testing.T) {
	good := chain(5)
	head := good[4]
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
	}{
		{"intact", good, 0},
		{"edited", edited, 3},
		{"deleted", deleted, 3},
		{"reordered", reordered, 2},
		{"tail removed", good[:4], 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := verify(c.es, head.ID, head.Hash)
			var p *Problem
			if c.wantID == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.As(err, &p) || p.ID != c.wantID {
				t.Fatalf("want problem at %d, got %v", c.wantID, err)
			}
		})
	}
}
