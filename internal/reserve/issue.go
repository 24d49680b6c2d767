package reserve

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/store"
)

// Bounds of what staff record at issuance.
const (
	maxDocuments     = 10
	maxDocumentRunes = 100
)

// IssueRequest records the handover (交付) of one person's card, or the
// end of a service without a card: who came, the identity documents seen
// and what the resident handed back.
type IssueRequest struct {
	PersonID      int64      `json:"person_id"` // may be left out when one person remains
	Attendance    Attendance `json:"attendance"`
	Documents     []string   `json:"documents_seen"`
	ItemsReturned []string   `json:"items_returned"`
	Note          string     `json:"note"`
}

// Issue records the handover. The card becomes issued; the booking is
// completed when nobody else is expected. It needs the booking's day to
// have come, not a check-in first (a busy counter may record both at once).
func (s *Service) Issue(ctx context.Context, p auth.Principal, m auth.Meta, id int64, req IssueRequest) (Booking, error) {
	req, err := checkIssue(req)
	if err != nil {
		return Booking{}, err
	}
	a := staffActor(p, m)
	return s.act(ctx, id, func(tx *store.Tx, st booking.Settings, b *store.Booking, now time.Time) error {
		if b.Status != store.BookingBooked && b.Status != store.BookingCheckedIn {
			return stateError("この予約では交付を記録できません（%s）。", StatusLabel(b.Status))
		}
		if today(st, now) < b.Date {
			return stateError("交付は予約日（%s）から記録できます。", b.Date)
		}
		person, err := personOf(*b, req.PersonID)
		if err != nil {
			return err
		}
		if err := handOver(ctx, tx, a, *b, person, req, now); err != nil {
			return err
		}
		return closeIfDone(ctx, tx, b, person.ID, now)
	})
}

// handOver records the person as served and moves the card to issued.
func handOver(ctx context.Context, tx *store.Tx, a actor, b store.Booking, p store.BookingPerson, req IssueRequest, now time.Time) error {
	p.Status, p.DoneAt, p.DoneBy = store.PersonServed, now, a.name
	p.Attendance, p.Documents, p.ItemsReturned, p.Note = string(req.Attendance), req.Documents, req.ItemsReturned, req.Note
	if p.CardID != 0 {
		p.Status = store.PersonIssued
		rec, err := tx.CardByID(ctx, p.CardID)
		if err != nil {
			return err
		}
		if err := moveCard(ctx, tx, a, &rec, card.StatusIssued, "交付（"+req.Attendance.Label()+"） "+FormatCode(b.Code), now); err != nil {
			return err
		}
	}
	if err := tx.UpdateBookingPerson(ctx, p); err != nil {
		return err
	}
	return a.audit(ctx, tx, now, "booking.issued", bookingTarget(b.ID), map[string]any{
		"code": b.Code, "person": p.ID, "card": p.CardID, "attendance": req.Attendance,
		"documents_seen": req.Documents, "items_returned": req.ItemsReturned, "note": req.Note})
}

// closeIfDone marks the booking checked in (if it was not) and completed
// once nobody else is expected.
func closeIfDone(ctx context.Context, tx *store.Tx, b *store.Booking, served int64, now time.Time) error {
	if b.CheckedInAt.IsZero() {
		b.CheckedInAt = now
	}
	b.Status = store.BookingCheckedIn
	left := slices.DeleteFunc(active(b.People), func(p store.BookingPerson) bool { return p.ID == served })
	if len(left) == 0 {
		b.Status = store.BookingCompleted
	}
	return tx.UpdateBooking(ctx, b, now)
}

// checkIssue checks and cleans what staff recorded.
func checkIssue(req IssueRequest) (IssueRequest, error) {
	var bad apperr.Fields
	if !req.Attendance.Valid() {
		bad.Addf("attendance", "来庁者を self（本人）, legal_representative（法定代理人同行）, proxy（任意代理人）から選んでください。")
	}
	req.Documents = cleanList(req.Documents)
	switch {
	case len(req.Documents) == 0:
		bad.Addf("documents_seen", "確認した本人確認書類を入力してください。")
	case len(req.Documents) > maxDocuments:
		bad.Addf("documents_seen", "本人確認書類は %d 件までです。", maxDocuments)
	}
	for _, d := range req.Documents {
		if utf8.RuneCountInString(d) > maxDocumentRunes {
			bad.Addf("documents_seen", "書類名は %d 文字以内で入力してください。", maxDocumentRunes)
		}
	}
	req.ItemsReturned = cleanList(req.ItemsReturned)
	for _, it := range req.ItemsReturned {
		if it != ItemNotificationCard && it != ItemJukiCard {
			bad.Addf("items_returned", "返納物は notification_card（通知カード）, juki_card（住基カード）から選んでください。")
		}
	}
	req.Note = strings.TrimSpace(req.Note)
	if req.Attendance == AttendanceProxy && req.Note == "" {
		bad.Addf("note", "任意代理人の場合は、本人が来庁できない理由と確認した委任状などを入力してください。")
	}
	if utf8.RuneCountInString(req.Note) > maxNoteRunes {
		bad.Addf("note", "メモは %d 文字以内で入力してください。", maxNoteRunes)
	}
	if err := bad.Err(validationMessage); err != nil {
		return req, err
	}
	return req, nil
}

// cleanList trims the entries and drops empty and repeated ones.
func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
