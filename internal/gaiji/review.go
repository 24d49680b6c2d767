package gaiji

import (
	"context"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/store"
)

// reviewLimit bounds the review list; 外字 names are a small share of a
// city's cards.
const reviewLimit = 2000

// Unresolved is a card whose name still holds 外字 the table does not know.
type Unresolved struct {
	Card     store.CardRecord
	Shown    string // the name with the known 外字 applied
	Unmapped []rune // the code points still unknown
}

// Review lists the cards with unmapped 外字 and records that staff saw them.
func (s *Service) Review(ctx context.Context, p auth.Principal, m auth.Meta) ([]Unresolved, error) {
	var out []Unresolved
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		table, err := tx.GaijiMap(ctx)
		if err != nil {
			return err
		}
		recs, _, err := tx.SearchCards(ctx, store.CardFilter{Flag: "gaiji", Sort: "id", Limit: reviewLimit})
		if err != nil {
			return err
		}
		ids := []int64{}
		for _, rec := range recs {
			shown := moji.ApplyGaiji(rec.Resident.Name, table)
			if left := moji.PUARunes(shown); len(left) > 0 {
				out = append(out, Unresolved{Card: rec, Shown: shown, Unmapped: left})
				ids = append(ids, rec.ID)
			}
		}
		_, err = tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "gaiji.review_viewed",
			Target: "cards", IP: m.IP, RequestID: m.RequestID, Detail: map[string]any{"card_ids": ids}}, s.clock.Now())
		return err
	})
	return out, err
}
