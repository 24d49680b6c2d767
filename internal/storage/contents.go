package storage

import (
	"context"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/scan"
	"github.com/kofu-oss/kofu/internal/store"
)

// Contents is a place and the cards the ledger keeps in it or below it.
type Contents struct {
	Place Node
	Cards []store.CardRecord
}

// Contents lists the cards on hand at a place and records that p viewed
// them.
func (s *Service) Contents(ctx context.Context, p auth.Principal, m auth.Meta, id int64) (Contents, error) {
	var c Contents
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		nodes, err := loadTree(ctx, tx)
		if err != nil {
			return err
		}
		if c.Place, err = nodeByID(nodes, id); err != nil {
			return err
		}
		if c.Cards, err = tx.CardsAtPlace(ctx, c.Place.Path, OnHandStatuses(), contentsLimit); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "storage.contents_viewed", id, map[string]any{"path": c.Place.Path, "count": len(c.Cards)})
	})
	return c, err
}

func nodeByID(nodes []Node, id int64) (Node, error) {
	for _, n := range nodes {
		if n.ID == id {
			return n, nil
		}
	}
	return Node{}, notFound()
}

// Suggest returns the box a newly arrived card should go to: the first box
// in tree order (below under, when not 0) with room left. A box without a
// capacity always has room.
func (s *Service) Suggest(ctx context.Context, under int64) (Node, error) {
	nodes, err := s.Tree(ctx)
	if err != nil {
		return Node{}, err
	}
	return suggest(nodes, under)
}

func suggest(nodes []Node, under int64) (Node, error) {
	scope := ""
	if under != 0 {
		top, err := nodeByID(nodes, under)
		if err != nil {
			return Node{}, err
		}
		scope = top.Path
	}
	for _, n := range nodes {
		if n.Kind == store.PlaceBox && n.Leaf && !n.Full() && (scope == "" || Within(n.Path, scope)) {
			return n, nil
		}
	}
	return Node{}, apperr.New(apperr.NotFound, "空きのあるボックスがありません。ボックスを追加するか収容数を見直してください。")
}

// Move puts the card whose notice number code holds (scanner input or
// typed) into a place; placeID 0 means the suggested box. The place and
// every place above it must have room, unless the card is already counted
// there. The move is a ledger edit of the card's storage location, with
// its card event and audit entry.
func (s *Service) Move(ctx context.Context, p auth.Principal, m auth.Meta, placeID int64, code string) (ledger.Detail, Node, error) {
	notice := scan.NoticeNumber(code)
	if notice == "" {
		return ledger.Detail{}, Node{}, unreadable()
	}
	var target Node
	var cardID int64
	err := s.db.View(ctx, func(tx *store.Tx) error {
		nodes, err := loadTree(ctx, tx)
		if err != nil {
			return err
		}
		rec, err := tx.CardByNoticeNumber(ctx, notice)
		if apperr.Is(err, apperr.NotFound) {
			return notInLedger(notice)
		}
		if err != nil {
			return err
		}
		cardID = rec.ID
		target, err = moveTarget(nodes, placeID, rec.StorageLocation)
		return err
	})
	if err != nil {
		return ledger.Detail{}, Node{}, err
	}
	// Capacity is checked before the ledger's own transaction: two staff
	// filling the last slot at the same moment may overfill a box by one,
	// which the places page then shows.
	d, err := s.ledger.SetStorageLocation(ctx, p, m, cardID, 0, target.Path)
	return d, target, err
}

// moveTarget picks the place and checks that it and its parents have room
// for a card now at location.
func moveTarget(nodes []Node, placeID int64, location string) (Node, error) {
	var target Node
	var err error
	if placeID == 0 {
		target, err = suggest(nodes, 0)
	} else {
		target, err = nodeByID(nodes, placeID)
	}
	if err != nil {
		return Node{}, err
	}
	for _, n := range nodes {
		if Within(target.Path, n.Path) && n.Full() && !Within(location, n.Path) {
			return Node{}, apperr.New(apperr.Conflict, "保管場所「"+n.Path+"」は満杯です（収容数"+itoaInt(n.Capacity)+"）。")
		}
	}
	return target, nil
}

func unreadable() error {
	return fieldError("code", "交付通知書番号を読み取れませんでした。もう一度スキャンしてください。")
}

func notInLedger(notice string) error {
	return apperr.New(apperr.NotFound, "交付通知書番号 "+notice+" のカードは台帳にありません。")
}
