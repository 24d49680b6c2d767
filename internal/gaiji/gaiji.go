// Package gaiji manages the city's 外字 table: what each Private Use Area
// code point in its data stands for. Display, search and export apply the
// table; a review list shows names whose 外字 are still unmapped.
package gaiji

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/store"
)

// Service edits and applies the table.
type Service struct {
	db    *store.DB
	clock clock.Clock
}

// New returns the service.
func New(db *store.DB, c clock.Clock) *Service { return &Service{db: db, clock: c} }

// Entry is one mapping as staff edit it.
type Entry struct {
	CodePoint rune
	Text      string
	Note      string
}

// Code renders a code point as staff write it: U+E000.
func Code(r rune) string { return fmt.Sprintf("U+%04X", r) }

// ParseCode reads "U+E000", "E000" or "0xE000" and checks it is in the
// Private Use Area.
func ParseCode(s string) (rune, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "U+"), "0X")
	var cp rune
	if _, err := fmt.Sscanf(s, "%X", &cp); err != nil || s == "" {
		return 0, fmt.Errorf("「%s」は U+E000 の形のコードではありません", s)
	}
	if !moji.IsPUA(cp) {
		return 0, fmt.Errorf("%s は外字の領域 (私用領域) のコードではありません", Code(cp))
	}
	return cp, nil
}

// validate checks one entry; the intended text must be real characters.
func validate(e Entry) error {
	switch {
	case !moji.IsPUA(e.CodePoint):
		return fmt.Errorf("%s は外字の領域のコードではありません", Code(e.CodePoint))
	case strings.TrimSpace(e.Text) == "" || !utf8.ValidString(e.Text):
		return fmt.Errorf("%s に対応する文字が空です", Code(e.CodePoint))
	case moji.HasPUA(e.Text):
		return fmt.Errorf("%s に対応する文字に外字が含まれています", Code(e.CodePoint))
	case utf8.RuneCountInString(e.Text) > 8:
		return fmt.Errorf("%s に対応する文字が長すぎます (8 文字まで)", Code(e.CodePoint))
	}
	return nil
}

// Map returns the table.
func (s *Service) Map(ctx context.Context) (map[rune]string, error) {
	var m map[rune]string
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { m, err = tx.GaijiMap(ctx); return })
	return m, err
}

// Entries lists the table for the admin page.
func (s *Service) Entries(ctx context.Context) ([]store.Gaiji, error) {
	var out []store.Gaiji
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { out, err = tx.GaijiEntries(ctx); return })
	return out, err
}

// Put stores entries (one from the page, many from a CSV) in one
// transaction, audited, and renews the search keys of affected names.
func (s *Service) Put(ctx context.Context, p auth.Principal, m auth.Meta, entries []Entry) error {
	for _, e := range entries {
		if err := validate(e); err != nil {
			return apperr.New(apperr.Invalid, err.Error())
		}
	}
	now := s.clock.Now()
	return s.db.Update(ctx, func(tx *store.Tx) error {
		changed := map[string]any{}
		for _, e := range entries {
			old, err := tx.PutGaiji(ctx, store.Gaiji{CodePoint: e.CodePoint, Text: e.Text, Note: e.Note, UpdatedAt: now, UpdatedBy: p.Username})
			if err != nil {
				return err
			}
			changed[Code(e.CodePoint)] = map[string]string{"old": old, "new": e.Text}
		}
		if err := rekey(ctx, tx); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "gaiji.changed",
			Target: "gaiji", IP: m.IP, RequestID: m.RequestID, Detail: changed}, now)
		return err
	})
}

// Delete removes one mapping.
func (s *Service) Delete(ctx context.Context, p auth.Principal, m auth.Meta, cp rune) error {
	now := s.clock.Now()
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteGaiji(ctx, cp); err != nil {
			return err
		}
		if err := rekey(ctx, tx); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "gaiji.deleted",
			Target: "gaiji", IP: m.IP, RequestID: m.RequestID, Detail: map[string]any{"code": Code(cp)}}, now)
		return err
	})
}

// rekey renews the search keys of every name holding 外字 with the table as
// it now stands, so a search for the intended character finds them.
func rekey(ctx context.Context, tx *store.Tx) error {
	m, err := tx.GaijiMap(ctx)
	if err != nil {
		return err
	}
	return tx.RekeyGaijiResidents(ctx, func(name string) string { return moji.ApplyGaiji(name, m) })
}
