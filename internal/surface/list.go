package surface

import (
	"context"
	"fmt"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/store"
)

// Query filters the list of surface updates. Dates are in any style the
// ledger reads and bound the day of each update (the day it was written
// on the card, or reported while pending).
type Query struct {
	Kind   string
	State  string
	From   string
	To     string
	Staff  string // username of who registered or closed it
	Text   string // in the values, the note, the notice number or the name
	Limit  int    // 0: 50
	Offset int
}

// List is one page of surface updates.
type List struct {
	Rows   []store.SurfaceRow
	Total  int
	Limit  int
	Offset int
}

// filter checks a query and turns it into the store's filter.
func (q Query) filter() (store.SurfaceFilter, error) {
	f := store.SurfaceFilter{Kind: trim(q.Kind), State: trim(q.State), Staff: trim(q.Staff), Text: trim(q.Text),
		Limit: q.Limit, Offset: q.Offset}
	switch {
	case f.Kind != "" && !validKind(f.Kind):
		return f, fieldErr(CodeFilterInvalid, "kind", "変更の種類「"+f.Kind+"」はありません。")
	case f.State != "" && !validState(f.State):
		return f, fieldErr(CodeFilterInvalid, "state", "状態「"+f.State+"」はありません。")
	case runes(f.Text) > maxTextRunes || runes(f.Staff) > maxTextRunes:
		return f, fieldErr(CodeFilterInvalid, "q", fmt.Sprintf("検索語は%d文字以内で入力してください。", maxTextRunes))
	case f.Limit < 0 || f.Limit > maxLimit || f.Offset < 0:
		return f, fieldErr(CodeFilterInvalid, "limit", fmt.Sprintf("表示件数は1から%dまで、開始位置は0以上で指定してください。", maxLimit))
	}
	if f.Limit == 0 {
		f.Limit = defaultLimit
	}
	var err error
	if f.From, err = filterDate(q.From, "from", "期間の開始日"); err != nil {
		return f, err
	}
	if f.To, err = filterDate(q.To, "to", "期間の終了日"); err != nil {
		return f, err
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		return f, fieldErr(CodeFilterInvalid, "to", "期間の終了日が開始日より前です。")
	}
	return f, nil
}

func filterDate(v, field, label string) (string, error) {
	if trim(v) == "" {
		return "", nil
	}
	d, err := ledger.ParseDate(v)
	if err != nil || d == "" {
		return "", fieldErr(CodeFilterInvalid, field, label+"は日付（例: 2026-04-01）で入力してください。")
	}
	return d, nil
}

// List returns one page of surface updates and records which cards p was
// shown, in the transaction that read them.
func (s *Service) List(ctx context.Context, p auth.Principal, m auth.Meta, q Query) (List, error) {
	f, err := q.filter()
	if err != nil {
		return List{}, err
	}
	out := List{Limit: f.Limit, Offset: f.Offset}
	err = s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if out.Rows, out.Total, err = tx.SurfaceUpdates(ctx, f); err != nil {
			return err
		}
		ids, cards := make([]int64, len(out.Rows)), make([]int64, len(out.Rows))
		for i, r := range out.Rows {
			ids[i], cards[i] = r.ID, r.Card.ID
		}
		return s.audit(ctx, tx, p, m, "surface.listed", "cards", map[string]any{"total": out.Total,
			"surface_update_ids": ids, "card_ids": cards, "kind": f.Kind, "state": f.State, "from": f.From,
			"to": f.To, "staff": f.Staff, "q": f.Text, "limit": f.Limit, "offset": f.Offset})
	})
	return out, err
}
