package filing

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/store"
)

// reviewStack marks a stack being split: it is no document of a card.
const reviewStack = store.DocumentReviewStack

// stackLease is how long a stack's claim lasts without a page filed: a
// stack unsplit whose claim is older was interrupted (the process ended).
const stackLease = 2 * time.Minute

// InboxPage is where one page of a stack went.
type InboxPage struct {
	Page       int    `json:"page"`
	DocumentID int64  `json:"document_id"`
	CardID     int64  `json:"card_id,omitempty"`
	BookingID  int64  `json:"booking_id,omitempty"`
	Kind       string `json:"kind"`
	Review     string `json:"review,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// InboxResult is what a stack gave.
type InboxResult struct {
	StackID  int64       `json:"stack_id"`
	FileName string      `json:"file_name"`
	Pages    []InboxPage `json:"pages"`
	Filed    int         `json:"filed"`
	ToReview int         `json:"to_review"`
}

// ScanStack takes a scanner's stack (a multi-page PDF or TIFF, or one
// image): it is sealed as it arrives, then each page is split out, its
// codes read and matched, and stored as a document of its own: on the
// card its codes name, with the kind they imply, or in the review queue
// (no code, an unknown one, two cards' codes). A page that cannot be read
// leaves the whole stack in the review queue instead, so nothing is lost.
// A stack whose splitting is interrupted is resumed by Resume.
func (s *Service) ScanStack(ctx context.Context, p auth.Principal, m auth.Meta, fileName string, content io.Reader) (InboxResult, error) {
	stack, err := s.takeStack(ctx, p, fileName, content)
	if err != nil {
		return InboxResult{FileName: fileName, Pages: []InboxPage{}}, err
	}
	return s.splitStack(ctx, p, m, stack, false)
}

// takeStack seals a stack into the database, claimed for splitting. Its
// bytes count against the day's limit; its pages will not again.
func (s *Service) takeStack(ctx context.Context, p auth.Principal, fileName string, content io.Reader) (store.DocumentRecord, error) {
	set, err := s.Settings(ctx)
	if err != nil {
		return store.DocumentRecord{}, err
	}
	lim := set.Limits
	content, err = sniffed(content, fileName, lim)
	if err != nil {
		return store.DocumentRecord{}, err
	}
	stack := store.DocumentRecord{FileName: fileName, Source: "inbox", Kind: string(document.KindOther), Review: reviewStack,
		ReviewReason: "取り込み中", CreatedAt: s.clock.Now(), CreatedBy: p.Username}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		used, err := tx.DocumentBytesSince(ctx, s.startOfDay())
		if err != nil {
			return err
		}
		return tx.InsertDocument(ctx, &stack, content, s.checker(used, fileName, lim))
	})
	return stack, err
}

// splitStack files the pages of a stack this process claimed, skipping
// those filed before an interruption, then closes the stack (or keeps it
// for review when a page cannot be read). On an error the claim is let
// go, so the stack shows as interrupted at once.
func (s *Service) splitStack(ctx context.Context, p auth.Principal, m auth.Meta, stack store.DocumentRecord, resumed bool) (InboxResult, error) {
	res, unreadable, err := s.stackPages(ctx, p, stack)
	if err != nil {
		s.db.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error { return tx.RenewStackClaim(ctx, stack.ID, time.Time{}) })
		return res, err
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if len(unreadable) > 0 {
			if err := tx.SetDocumentReview(ctx, stack.ID, document.ReviewUnreadable,
				"読み取れないページがあるため、取り込んだファイル全体を残しました。"+strings.Join(unreadable, " ")); err != nil {
				return err
			}
		} else if err := tx.CloseStack(ctx, stack.ID, p.Username, "ページごとに分けて登録しました。", s.clock.Now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "document.inbox_scanned", "inbox", map[string]any{"stack_id": stack.ID, "pages": len(res.Pages),
			"filed": res.Filed, "to_review": res.ToReview, "sha256": stack.SHA256, "resumed": resumed})
	})
	return res, err
}

// stackPages reads the stack's pages and files those not filed yet; the
// result holds every page, the ones filed before too.
func (s *Service) stackPages(ctx context.Context, p auth.Principal, stack store.DocumentRecord) (InboxResult, []string, error) {
	res := InboxResult{StackID: stack.ID, FileName: stack.FileName, Pages: []InboxPage{}}
	set, err := s.Settings(ctx)
	if err != nil {
		return res, nil, err
	}
	done := map[int]InboxPage{}
	err = s.db.View(ctx, func(tx *store.Tx) error {
		recs, err := tx.StackPages(ctx, stack.ID)
		for _, r := range recs {
			done[r.StackPage] = InboxPage{Page: r.StackPage, DocumentID: r.ID, CardID: r.CardID, BookingID: r.BookingID, Kind: r.Kind,
				Review: r.Review, Reason: r.ReviewReason}
		}
		return err
	})
	if err != nil {
		return res, nil, err
	}
	var unreadable []string
	pages := map[int]InboxPage{}
	err = s.db.View(ctx, func(tx *store.Tx) error {
		r, size, err := tx.DocumentContent(ctx, stack)
		if err != nil {
			return err
		}
		f, err := document.Open(r, size, stack.FileName, set.Limits)
		if err != nil {
			return err
		}
		opt := document.ScanOptions{Rules: s.rules, Workers: 2, Skip: func(page int) bool { _, ok := done[page]; return ok }}
		return document.Scan(ctx, f, opt, func(ps document.PageScan) error {
			if ps.Err != nil {
				reason := document.Unreadable(ps.Err).Reason
				unreadable = append(unreadable, fmt.Sprintf("%d ページ目: %s", ps.Page, reason))
				pages[ps.Page] = InboxPage{Page: ps.Page, DocumentID: stack.ID, Kind: string(document.KindOther),
					Review: document.ReviewUnreadable, Reason: reason}
				return nil
			}
			page, err := s.filePage(ctx, p, stack, ps)
			pages[ps.Page] = page
			return err
		})
	})
	for i := 1; i <= stack.Pages; i++ {
		pg, ok := done[i]
		if !ok {
			pg, ok = pages[i]
		}
		if !ok {
			continue
		}
		res.Pages = append(res.Pages, pg)
		if pg.Review == "" {
			res.Filed++
		} else {
			res.ToReview++
		}
	}
	return res, unreadable, err
}

// filePage stores one page of a stack as a document, where its codes
// say, and renews the stack's claim.
func (s *Service) filePage(ctx context.Context, p auth.Principal, stack store.DocumentRecord, ps document.PageScan) (InboxPage, error) {
	var d document.Decision
	err := s.db.View(ctx, func(tx *store.Tx) error {
		rs, err := resolve(ctx, tx, ps.Refs)
		d = document.Decide(rs)
		return err
	})
	if err != nil {
		return InboxPage{}, err
	}
	rec := store.DocumentRecord{CardID: d.CardID, BookingID: d.BookingID, Kind: string(d.Kind), Source: "inbox",
		Review: d.Review, ReviewReason: d.Reason, FileName: fmt.Sprintf("%s（%d ページ目）", stack.FileName, ps.Page),
		CreatedAt: s.clock.Now(), CreatedBy: p.Username, StackID: stack.ID, StackPage: ps.Page}
	if d.Attach && d.CardID == 0 {
		rec.Review, rec.ReviewReason = document.ReviewNoCode, "予約のコードはありますが、どのカードの書類か決められません。カードを選んでください。"
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		err := tx.InsertDocument(ctx, &rec, bytes.NewReader(ps.File), func(io.ReaderAt, int64) (string, int, error) {
			return string(ps.Format), 1, nil
		})
		if err != nil {
			return err
		}
		return tx.RenewStackClaim(ctx, stack.ID, s.clock.Now())
	})
	return InboxPage{Page: ps.Page, DocumentID: rec.ID, CardID: rec.CardID, BookingID: rec.BookingID, Kind: rec.Kind,
		Review: rec.Review, Reason: rec.ReviewReason}, err
}

// resolve looks the references up in the ledger and the bookings.
func resolve(ctx context.Context, tx *store.Tx, refs []document.Ref) ([]document.Resolved, error) {
	out := make([]document.Resolved, 0, len(refs))
	for _, ref := range refs {
		r := document.Resolved{Ref: ref}
		var err error
		switch ref.Type {
		case document.RefNotice:
			r.CardID, err = tx.CardIDByNoticeNumber(ctx, ref.Value)
		case document.RefCard:
			id, _ := strconv.ParseInt(ref.Value, 10, 64)
			var rec store.CardRecord
			rec, err = tx.CardByID(ctx, id)
			r.CardID = rec.ID
		case document.RefBooking:
			var b store.Booking
			b, err = tx.BookingByCode(ctx, ref.Value)
			r.BookingID = b.ID
			r.BookingCards = []int64{}
			for _, person := range b.People {
				if person.CardID != 0 {
					r.BookingCards = append(r.BookingCards, person.CardID)
				}
			}
		}
		switch {
		case err == nil:
			r.Found = true
		case !apperr.Is(err, apperr.NotFound):
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Inbox is what waits for staff: pages whose card is to be chosen, and
// stacks whose splitting was interrupted.
type Inbox struct {
	Queue       []Document    `json:"documents"`
	Interrupted []Interrupted `json:"interrupted"`
}

// Inbox lists the review queue and the interrupted stacks, an audited read.
func (s *Service) Inbox(ctx context.Context, p auth.Principal, m auth.Meta) (Inbox, error) {
	in := Inbox{Queue: []Document{}}
	err := s.db.View(ctx, func(tx *store.Tx) error {
		recs, err := tx.ReviewDocuments(ctx)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if r.Review != reviewStack {
				in.Queue = append(in.Queue, documentOf(r))
			}
		}
		in.Interrupted, err = s.interrupted(ctx, tx)
		return err
	})
	if err != nil {
		return in, err
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		return s.audit(ctx, tx, p, m, "document.listed", "inbox", map[string]any{"documents": len(in.Queue),
			"interrupted": len(in.Interrupted)})
	})
	return in, err
}

// ReviewQueue lists the pages waiting for staff to choose their card.
func (s *Service) ReviewQueue(ctx context.Context, p auth.Principal, m auth.Meta) ([]Document, error) {
	in, err := s.Inbox(ctx, p, m)
	return in.Queue, err
}

// FindCard reads what staff scanned or typed to choose a page's card: a
// notice number, a booking code holding one card, a Kofu form code, or a
// card's number in Kofu.
func (s *Service) FindCard(ctx context.Context, text string) (int64, error) {
	text = strings.TrimSpace(text)
	ref, ok := s.rules.Ref(text)
	if !ok {
		if id, err := strconv.ParseInt(text, 10, 64); err == nil && id > 0 {
			ref, ok = document.Ref{Type: document.RefCard, Value: text}, true
		}
	}
	if !ok {
		return 0, apperr.New(apperr.NotFound, "交付通知書番号・予約番号・カードの番号として読めません。")
	}
	var rs []document.Resolved
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { rs, err = resolve(ctx, tx, []document.Ref{ref}); return err })
	if err != nil {
		return 0, err
	}
	d := document.Decide(rs)
	if !d.Attach || d.CardID == 0 {
		return 0, apperr.New(apperr.NotFound, "該当するカードが 1 枚に決まりません。"+d.Reason)
	}
	return d.CardID, nil
}

// File attaches a page from the review queue to the card staff chose.
func (s *Service) File(ctx context.Context, p auth.Principal, m auth.Meta, id, cardID int64, kind string) error {
	if p.Role == auth.RoleViewer {
		return apperr.New(apperr.Forbidden, "閲覧のみの利用者は書類を登録できません。")
	}
	k, err := ParseKind(kind)
	if err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		rec, err := live(ctx, tx, id)
		if err != nil {
			return err
		}
		if rec.CardID != 0 || rec.Review == "" || rec.Review == reviewStack {
			return apperr.New(apperr.Conflict, "この書類はすでにカードに登録されています。")
		}
		if _, err := tx.CardByID(ctx, cardID); err != nil {
			return err
		}
		if err := tx.FileDocument(ctx, id, cardID, 0, string(k)); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "document.filed", documentTarget(id), map[string]any{"card_id": cardID, "kind": string(k),
			"review": rec.Review})
	})
}
