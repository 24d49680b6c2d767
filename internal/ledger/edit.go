package ledger

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/store"
)

// Limits of the fields staff edit.
const (
	maxRemarksRunes  = 2000
	maxLocationRunes = 100
)

// edit is one field change: the new value is set on the card by set, and
// the old one is read by get for the history.
type edit struct {
	field       string
	kind        string // store.EventEdit
	action      string // audit action
	get         func(*store.Card) string
	set         func(*store.Card, string)
	auditValues bool // whether old and new values may go into the audit log
}

func storageEdit() edit {
	return edit{field: "storage_location", kind: store.EventEdit, action: "card.storage_location_set",
		get:         func(c *store.Card) string { return c.StorageLocation },
		set:         func(c *store.Card, v string) { c.StorageLocation = v },
		auditValues: true}
}

// UpdateRemarks replaces the staff-only remarks (備考) of the card's
// resident (市民個人の備考): every card of the person shows them, a
// reissued one too. Remarks can be edited in any status; each change
// keeps the old text in the history of the card it was made on, and
// advances that card's version. version, when not 0, is the version the
// staff member saw: a card changed since then is a conflict rather than a
// silent overwrite.
func (s *Service) UpdateRemarks(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64, version int, remarks string) (Detail, error) {
	remarks = strings.TrimSpace(strings.ReplaceAll(remarks, "\r\n", "\n"))
	if n := utf8.RuneCountInString(remarks); n > maxRemarksRunes {
		return Detail{}, fieldError("remarks", fmt.Sprintf("備考は%d文字以内で入力してください（%d文字）。", maxRemarksRunes, n))
	}
	var d Detail
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		rec, err := tx.CardByID(ctx, cardID)
		if err != nil {
			return err
		}
		if version != 0 && version != rec.Version {
			return staleError()
		}
		if old := rec.Resident.Remarks; old != remarks {
			if err := s.saveRemarks(ctx, tx, p, m, &rec, old, remarks); err != nil {
				return err
			}
		}
		d, err = detailOf(ctx, tx, rec)
		return err
	})
	return d, err
}

func (s *Service) saveRemarks(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta, rec *store.CardRecord, old, remarks string) error {
	now := s.clock.Now()
	if err := tx.SetResidentRemarks(ctx, rec.Resident.ID, remarks, now); err != nil {
		return err
	}
	rec.Resident.Remarks = remarks
	if err := tx.UpdateCard(ctx, &rec.Card, now); err != nil { // the version the page holds moves on
		return err
	}
	ev := store.CardEvent{CardID: rec.ID, At: now, ActorID: p.UserID, Actor: p.Username,
		Kind: store.EventRemarks, Field: "remarks", OldValue: old, NewValue: remarks}
	if err := tx.InsertCardEvent(ctx, &ev); err != nil {
		return err
	}
	// Remarks may hold anything staff wrote about a person; the audit log
	// only records that they changed, the card history keeps the text.
	return s.audit(ctx, tx, p, m, "card.remarks_updated", cardTarget(rec.ID),
		map[string]any{"field": "remarks", "resident_id": rec.Resident.ID})
}

// SetStorageLocation records where the card is kept (cabinet, box, slot).
// Full-width letters and digits are stored half-width, so "Ａ棚－３" and
// "A棚-3" are one place. See UpdateRemarks for version.
func (s *Service) SetStorageLocation(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64, version int, location string) (Detail, error) {
	location, err := cleanText("storage_location", "保管場所", normalizeLocation(location), maxLocationRunes)
	if err != nil {
		return Detail{}, err
	}
	return s.edit(ctx, p, m, cardID, version, storageEdit(), location)
}

// edit changes one field with its card event and audit entry. Saving the
// same value again changes nothing and records nothing.
func (s *Service) edit(ctx context.Context, p auth.Principal, m auth.Meta, cardID int64, version int, e edit, value string) (Detail, error) {
	var d Detail
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		rec, err := tx.CardByID(ctx, cardID)
		if err != nil {
			return err
		}
		if version != 0 && version != rec.Version {
			return staleError()
		}
		if old := e.get(&rec.Card); old != value {
			if err := s.saveEdit(ctx, tx, p, m, &rec, e, old, value); err != nil {
				return err
			}
		}
		d, err = detailOf(ctx, tx, rec)
		return err
	})
	return d, err
}

func (s *Service) saveEdit(ctx context.Context, tx *store.Tx, p auth.Principal, m auth.Meta,
	rec *store.CardRecord, e edit, old, value string) error {
	now := s.clock.Now()
	e.set(&rec.Card, value)
	if err := tx.UpdateCard(ctx, &rec.Card, now); err != nil {
		return err
	}
	ev := store.CardEvent{CardID: rec.ID, At: now, ActorID: p.UserID, Actor: p.Username,
		Kind: e.kind, Field: e.field, OldValue: old, NewValue: value}
	if err := tx.InsertCardEvent(ctx, &ev); err != nil {
		return err
	}
	detail := map[string]any{"field": e.field}
	if e.auditValues {
		detail["old"], detail["new"] = old, value
	}
	return s.audit(ctx, tx, p, m, e.action, cardTarget(rec.ID), detail)
}

func staleError() error {
	return apperr.New(apperr.Conflict, "このカードは他の操作で更新されました。画面を開き直してからもう一度操作してください。")
}

// cleanText trims a one-line text field and checks its length.
func cleanText(field, label, v string, maxRunes int) (string, error) {
	v = strings.TrimSpace(v)
	if n := utf8.RuneCountInString(v); n > maxRunes {
		return "", fieldError(field, fmt.Sprintf("%sは%d文字以内で入力してください（%d文字）。", label, maxRunes, n))
	}
	return v, nil
}

func fieldError(field, msg string) error {
	return apperr.WithFields(msg, []apperr.FieldError{{Field: field, Message: msg}})
}
