package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// demoSurface is one fictional surface update: done ones end at the card's
// current value (the ledger already shows it), pending ones start there.
type demoSurface struct {
	kind    string
	other   string // the value before (done) or after (pending)
	pending bool
	daysAgo int
	note    string
}

var demoSurfaces = []demoSurface{
	{store.SurfaceAddress, "兵庫県デモ市三輪1丁目1番1号", false, 40, "市内転居"},
	{store.SurfaceName, "旧姓　花子", false, 33, "婚姻による氏の変更"},
	{store.SurfaceExpiry, "2026-03-31", false, 25, "在留期間の更新"},
	{store.SurfaceAddress, "兵庫県デモ市天神2丁目5番8号", false, 12, ""},
	{store.SurfaceAddress, "兵庫県デモ市けやき台3丁目4番5号", true, 3, "転居届（受取時に券面更新）"},
	{store.SurfaceName, "新姓　美咲", true, 1, "婚姻届"},
}

// SeedSurfaceUpdates adds a few fictional surface updates so the list and
// the 券面更新待ち flag show something; a ledger that already has surface
// updates, or has no cards, is left alone.
func SeedSurfaceUpdates(ctx context.Context, db *store.DB, now time.Time) (int, error) {
	created := 0
	err := db.Update(ctx, func(tx *store.Tx) error {
		if _, n, err := tx.SurfaceUpdates(ctx, store.SurfaceFilter{Limit: 1}); err != nil || n > 0 {
			return err
		}
		recs, _, err := tx.SearchCards(ctx, store.CardFilter{Statuses: []card.Status{card.StatusIssued, card.StatusNoticeSent},
			Sort: "notice_number", Limit: len(demoSurfaces)})
		if err != nil {
			return err
		}
		for i, rec := range recs {
			if err := seedSurface(ctx, tx, rec, demoSurfaces[i], now); err != nil {
				return fmt.Errorf("demo surface update %d: %w", i, err)
			}
			created++
		}
		return nil
	})
	return created, err
}

func seedSurface(ctx context.Context, tx *store.Tx, rec store.CardRecord, d demoSurface, now time.Time) error {
	current := map[string]string{store.SurfaceAddress: rec.Resident.Address, store.SurfaceName: rec.Resident.Name,
		store.SurfaceExpiry: rec.ExpiryDate}[d.kind]
	detail := map[string]string{store.SurfaceAddress: rec.Resident.PostalCode, store.SurfaceName: rec.Resident.NameKana}[d.kind]
	day := now.AddDate(0, 0, -d.daysAgo).Format(time.DateOnly)
	u := store.SurfaceUpdate{CardID: rec.ID, Kind: d.kind, OldValue: d.other, NewValue: current, OldDetail: detail,
		NewDetail: detail, State: store.SurfaceDone,
		RequestedDate: day, DoneDate: day, Note: d.note, RegisteredAt: now, Registrar: "demo", ClosedAt: now, Closer: "demo"}
	if d.pending {
		u.OldValue, u.NewValue, u.State, u.DoneDate, u.ClosedAt, u.Closer = current, d.other, store.SurfacePending, "", time.Time{}, ""
	}
	if err := tx.InsertSurfaceUpdate(ctx, &u); err != nil {
		return err
	}
	if !d.pending {
		return nil
	}
	rec.Flags = append(rec.Flags, card.FlagSurfacePending)
	return tx.UpdateCard(ctx, &rec.Card, now)
}
