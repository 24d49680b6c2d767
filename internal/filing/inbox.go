package filing

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/store"
)

// reviewStack marks a stack being split: it is no document of a card.
const reviewStack = "stack"

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
func (s *Service) ScanStack(ctx context.Context, p auth.Principal, m auth.Meta, fileName string, content io.Reader) (InboxResult, error) {
	res := InboxResult{FileName: fileName, Pages: []InboxPage{}}
	set, err := s.Settings(ctx)
	if err != nil {
		return res, err
	}
	lim := set.Limits
	content, err = sniffed(content, fileName, lim)
	if err != nil {
		return res, err
	}
	stack := store.DocumentRecord{FileName: fileName, Source: "inbox", Kind: string(document.KindOther), Review: reviewStack,
		ReviewReason: "取り込み中", CreatedAt: s.clock.Now(), CreatedBy: p.Username}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		used, err := tx.DocumentBytesSince(ctx, s.startOfDay())
		if err != nil {
			return err
		}
		return tx.InsertDocument(ctx, &stack, content, func(r io.ReaderAt, size int64) (string, int, error) {
			if err := lim.CheckDay(used, size); err != nil {
				return "", 0, err
			}
			f, err := document.Open(r, size, fileName, lim)
			if err != nil {
				return "", 0, err
			}
			return string(f.Format), f.Pages(), nil
		})
	})
	if err != nil {
		return res, err
	}
	var unreadable []string
	err = s.db.View(ctx, func(tx *store.Tx) error {
		r, size, err := tx.DocumentContent(ctx, stack)
		if err != nil {
			return err
		}
		f, err := document.Open(r, size, fileName, lim)
		if err != nil {
			return err
		}
		return document.Scan(ctx, f, document.ScanOptions{Rules: s.rules, Workers: 2}, func(ps document.PageScan) error {
			if ps.Err != nil {
				unreadable = append(unreadable, fmt.Sprintf("%d ページ目: %s", ps.Page, document.Unreadable(ps.Err).Reason))
				res.Pages = append(res.Pages, InboxPage{Page: ps.Page, DocumentID: stack.ID, Kind: string(document.KindOther),
					Review: document.ReviewUnreadable, Reason: document.Unreadable(ps.Err).Reason})
				return nil
			}
			page, err := s.filePage(ctx, p, fileName, ps)
			res.Pages = append(res.Pages, page)
			return err
		})
	})
	if err == nil {
		err = s.db.Update(ctx, func(tx *store.Tx) error {
			if len(unreadable) > 0 {
				if err := tx.SetDocumentReview(ctx, stack.ID, document.ReviewUnreadable,
					"読み取れないページがあるため、取り込んだファイル全体を残しました。"+strings.Join(unreadable, " ")); err != nil {
					return err
				}
			} else if err := tx.DiscardDocument(ctx, stack.ID); err != nil {
				return err
			}
			for _, pg := range res.Pages {
				if pg.Review == "" {
					res.Filed++
				} else {
					res.ToReview++
				}
			}
			return s.audit(ctx, tx, p, m, "document.inbox_scanned", "inbox", map[string]any{"pages": len(res.Pages),
				"filed": res.Filed, "to_review": res.ToReview, "sha256": stack.SHA256})
		})
	}
	return res, err
}

// filePage stores one page as a document, where its codes say.
func (s *Service) filePage(ctx context.Context, p auth.Principal, fileName string, ps document.PageScan) (InboxPage, error) {
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
		Review: d.Review, ReviewReason: d.Reason, FileName: fmt.Sprintf("%s（%d ページ目）", fileName, ps.Page),
		CreatedAt: s.clock.Now(), CreatedBy: p.Username}
	if d.Attach && d.CardID == 0 {
		rec.Review, rec.ReviewReason = document.ReviewNoCode, "予約のコードはありますが、どのカードの書類か決められません。カードを選んでください。"
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		return tx.InsertDocument(ctx, &rec, bytes.NewReader(ps.File), func(io.ReaderAt, int64) (string, int, error) {
			return string(ps.Format), 1, nil
		})
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

// ReviewQueue lists the pages waiting for staff to choose their card.
func (s *Service) ReviewQueue(ctx context.Context, p auth.Principal, m auth.Meta) ([]Document, error) {
	out := []Document{}
	err := s.db.View(ctx, func(tx *store.Tx) error {
		recs, err := tx.ReviewDocuments(ctx)
		for _, r := range recs {
			if r.Review != reviewStack {
				out = append(out, documentOf(r))
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		return s.audit(ctx, tx, p, m, "document.listed", "inbox", map[string]any{"documents": len(out)})
	})
	return out, err
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
