package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/kofu-oss/kofu/internal/store"
)

// The demo's storage: cabinets of shelves of boxes, ten cards to a box
// with room for twenty, so the storage pages, the suggested place on
// arrival and stock-taking work on the demo cards.
const (
	demoCabinets      = demoCards / 250
	demoShelves       = 5
	demoBoxesPerShelf = 5
	demoBoxCapacity   = 20
)

// demoLocation is where the demo keeps card i: box by box, ten at a time.
func demoLocation(i int) string {
	return fmt.Sprintf("キャビネット%c-%d段-%02d", 'A'+rune(i/250), 1+(i/50)%demoShelves, 1+(i/10)%demoBoxesPerShelf)
}

// SeedPlaces builds the storage places the demo cards are kept in, unless
// places exist already.
func SeedPlaces(ctx context.Context, db *store.DB, now time.Time) (int, error) {
	created := 0
	err := db.Update(ctx, func(tx *store.Tx) error {
		if existing, err := tx.Places(ctx); err != nil || len(existing) > 0 {
			return err
		}
		add := func(parent *store.Place, name, kind string, capacity, pos int) (store.Place, error) {
			p := store.Place{Name: name, Kind: kind, Path: name, Capacity: capacity, Position: pos}
			if parent != nil {
				p.ParentID, p.Path = parent.ID, parent.Path+store.PlaceSeparator+name
			}
			created++
			return p, tx.InsertPlace(ctx, &p, now)
		}
		for c := range demoCabinets {
			cab, err := add(nil, fmt.Sprintf("キャビネット%c", 'A'+rune(c)), store.PlaceCabinet, 0, c)
			if err != nil {
				return err
			}
			for s := range demoShelves {
				shelf, err := add(&cab, fmt.Sprintf("%d段", s+1), store.PlaceShelf, 0, s)
				if err != nil {
					return err
				}
				for b := range demoBoxesPerShelf {
					if _, err := add(&shelf, fmt.Sprintf("%02d", b+1), store.PlaceBox, demoBoxCapacity, b); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	return created, err
}
