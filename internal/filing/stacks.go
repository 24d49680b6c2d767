package filing

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/store"
)

// Interrupted is a stack whose splitting stopped before its end (the
// process was killed or failed): its content is sealed in the database,
// some of its pages may be filed.
type Interrupted struct {
	ID        int64     `json:"id"`
	FileName  string    `json:"file_name"`
	Pages     int       `json:"pages"`
	Filed     int       `json:"pages_done"`
	Size      int64     `json:"size"`
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// interrupted lists the stacks whose claim ran out.
func (s *Service) interrupted(ctx context.Context, tx *store.Tx) ([]Interrupted, error) {
	recs, err := tx.InterruptedStacks(ctx, s.clock.Now().Add(-stackLease))
	if err != nil {
		return nil, err
	}
	out := []Interrupted{}
	for _, r := range recs {
		done, err := tx.StackPages(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, Interrupted{ID: r.ID, FileName: r.FileName, Pages: r.Pages, Filed: len(done), Size: r.Size,
			SHA256: r.SHA256, CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy})
	}
	return out, nil
}

// Resume splits an interrupted stack from where it stopped (staff): the
// pages filed before are not filed again.
func (s *Service) Resume(ctx context.Context, p auth.Principal, m auth.Meta, id int64) (InboxResult, error) {
	if p.Role == auth.RoleViewer {
		return InboxResult{}, apperr.New(apperr.Forbidden, "閲覧のみの利用者は取り込みを再開できません。")
	}
	stack, err := s.claim(ctx, p, m, id, "document.inbox_resumed", nil)
	if err != nil {
		return InboxResult{}, err
	}
	return s.splitStack(ctx, p, m, stack, true)
}

// Discard ends an interrupted stack without splitting the rest (admins,
// with a reason, as deleting a document): the pages filed stay, the
// stack's content goes, its row keeps who discarded it and why.
func (s *Service) Discard(ctx context.Context, p auth.Principal, m auth.Meta, id int64, reason string) error {
	if p.Role != auth.RoleAdmin {
		return apperr.New(apperr.Forbidden, "中断された取り込みを破棄できるのは管理者だけです。")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return apperr.New(CodeReasonRequired, "破棄の理由を入力してください。")
	}
	_, err := s.claim(ctx, p, m, id, "document.inbox_discarded", func(tx *store.Tx, stack store.DocumentRecord) error {
		return tx.CloseStack(ctx, stack.ID, p.Username, reason, s.clock.Now())
	})
	return err
}

// claim takes an interrupted stack for this process and records action;
// then, when set, runs more in the same transaction.
func (s *Service) claim(ctx context.Context, p auth.Principal, m auth.Meta, id int64, action string,
	then func(*store.Tx, store.DocumentRecord) error) (store.DocumentRecord, error) {
	var stack store.DocumentRecord
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		var err error
		if stack, err = live(ctx, tx, id); err != nil {
			return err
		}
		now := s.clock.Now()
		ok, err := tx.ClaimStack(ctx, id, now, now.Add(-stackLease))
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.Conflict, "この取り込みは中断されていません（処理中か、すでに終わっています）。")
		}
		done, err := tx.StackPages(ctx, id)
		if err != nil {
			return err
		}
		if then != nil {
			if err := then(tx, stack); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, p, m, action, documentTarget(id), map[string]any{"pages": stack.Pages, "pages_done": len(done),
			"sha256": stack.SHA256})
	})
	return stack, err
}

// ResumeInterrupted resumes every interrupted stack, as the inbox
// folder's watcher does on each round (and so after a restart).
func (s *Service) ResumeInterrupted(ctx context.Context, p auth.Principal) ([]InboxResult, error) {
	var stacks []Interrupted
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { stacks, err = s.interrupted(ctx, tx); return err })
	if err != nil {
		return nil, err
	}
	var out []InboxResult
	for _, st := range stacks {
		res, err := s.Resume(ctx, p, auth.Meta{}, st.ID)
		if apperr.Is(err, apperr.Conflict) {
			continue // another process took it meanwhile
		}
		if err != nil {
			return out, apperr.Wrap(apperr.CodeOf(err), "取り込み "+strconv.FormatInt(st.ID, 10)+": "+apperr.MessageOf(err), err)
		}
		out = append(out, res)
	}
	return out, nil
}
