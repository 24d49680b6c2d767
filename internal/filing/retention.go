package filing

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/store"
)

// Due is a document past its retention: kept Years after its card was
// handed over, cancelled or disposed of (EndedAt).
type Due struct {
	Document
	Years    int       `json:"years"`
	EndedAt  time.Time `json:"ended_at"`
	DueAt    time.Time `json:"due_at"`
	Proposed bool      `json:"proposed"`
	Proposer string    `json:"proposer,omitempty"`
}

// RetentionDue lists the documents past their kind's retention, oldest
// first; kinds without a retention are kept for good.
func (s *Service) RetentionDue(ctx context.Context) ([]Due, error) {
	out := []Due{}
	err := s.db.View(ctx, func(tx *store.Tx) error {
		set, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		ended, err := tx.EndedDocuments(ctx)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		for _, e := range ended {
			years := set.Retention[e.Kind]
			if years <= 0 {
				continue
			}
			due := e.EndedAt.In(s.loc).AddDate(years, 0, 0)
			if due.After(now) {
				continue
			}
			out = append(out, Due{Document: documentOf(e.DocumentRecord), Years: years, EndedAt: e.EndedAt, DueAt: due,
				Proposed: !e.ProposedAt.IsZero(), Proposer: e.Proposer})
		}
		return nil
	})
	return out, err
}

// ProposeDisposal proposes deleting documents past their retention; a
// second staff member confirms (ConfirmDisposal).
func (s *Service) ProposeDisposal(ctx context.Context, p auth.Principal, m auth.Meta, ids []int64) error {
	return s.retentionStep(ctx, p, m, ids, func(tx *store.Tx, d Due) error {
		if d.Proposed {
			return apperr.New(apperr.Conflict, fmt.Sprintf("書類 %d の削除はすでに起案されています。", d.ID))
		}
		if err := tx.ProposeDocumentDisposal(ctx, d.ID, p.Username, s.clock.Now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "document.disposal_proposed", documentTarget(d.ID), map[string]any{"card_id": d.CardID,
			"kind": d.Kind, "years": d.Years})
	})
}

// ConfirmDisposal deletes documents whose deletion another staff member
// proposed, recording that they were deleted for their retention.
func (s *Service) ConfirmDisposal(ctx context.Context, p auth.Principal, m auth.Meta, ids []int64) error {
	return s.retentionStep(ctx, p, m, ids, func(tx *store.Tx, d Due) error {
		switch {
		case !d.Proposed:
			return apperr.New(apperr.Conflict, fmt.Sprintf("書類 %d の削除はまだ起案されていません。", d.ID))
		case d.Proposer == p.Username:
			return apperr.New(CodeSameStaff, "起案した職員とは別の職員が確認してください。")
		}
		reason := fmt.Sprintf("保存年限（%s・%d 年）を過ぎたため。起案 %s、確認 %s", d.KindLabel, d.Years, d.Proposer, p.Username)
		if err := tx.DeleteDocument(ctx, d.ID, p.Username, reason, s.clock.Now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "document.disposal_confirmed", documentTarget(d.ID), map[string]any{"card_id": d.CardID,
			"kind": d.Kind, "years": d.Years, "proposer": d.Proposer, "sha256": d.SHA256})
	})
}

// CodeSameStaff refuses a confirmation by the staff member who proposed.
var CodeSameStaff = apperr.Define("document_same_staff", apperr.KindInvalid)

func (s *Service) retentionStep(ctx context.Context, p auth.Principal, m auth.Meta, ids []int64, step func(*store.Tx, Due) error) error {
	if p.Role == auth.RoleViewer {
		return apperr.New(apperr.Forbidden, "閲覧のみの利用者は書類を削除できません。")
	}
	if len(ids) == 0 {
		return apperr.New(apperr.Invalid, "書類を選んでください。")
	}
	due, err := s.RetentionDue(ctx)
	if err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		for _, id := range ids {
			i := slices.IndexFunc(due, func(d Due) bool { return d.ID == id })
			if i < 0 {
				return apperr.New(apperr.Conflict, fmt.Sprintf("書類 %d は保存年限を過ぎていないか、すでに削除されています。", id))
			}
			if err := step(tx, due[i]); err != nil {
				return err
			}
		}
		return nil
	})
}
