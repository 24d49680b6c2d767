package intake

import (
	"context"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/jlis"
	"github.com/kofu-oss/kofu/internal/store"
)

// ProfileKey is where the city's column mapping profile is stored.
const ProfileKey = "jlis_profile"

// ProfileDoc maps a header spelling seen in this city's files to the name
// of a field (its label or any documented alias, e.g. "申請書ID"), or to
// "無視" to ignore the column.
type ProfileDoc map[string]string

// Profile turns the document into the reader's profile, naming every
// entry whose field is unknown.
func (d ProfileDoc) Profile() (jlis.Profile, error) {
	p := jlis.Profile{}
	var fe apperr.Fields
	for header, name := range d {
		f, ok := fieldNamed(name)
		if !ok || strings.TrimSpace(header) == "" {
			fe.Add(header, "「"+name+"」は取込の項目名ではありません。")
			continue
		}
		p[header] = f
	}
	if len(fe) > 0 {
		return nil, apperr.WithFields("列の対応表に誤りがあります。", fe)
	}
	return p, nil
}

func fieldNamed(name string) (jlis.Field, bool) {
	n := jlis.NormalizeHeader(name)
	if n == "無視" {
		return jlis.FieldIgnore, true
	}
	for f := jlis.FieldApplicationID; f <= jlis.FieldBox; f++ {
		if jlis.NormalizeHeader(f.Label()) == n {
			return f, true
		}
		for _, a := range f.Aliases() {
			if jlis.NormalizeHeader(a) == n {
				return f, true
			}
		}
	}
	return jlis.FieldUnknown, false
}

// LoadProfile returns the stored profile document (empty when none).
func (s *Service) LoadProfile(ctx context.Context) (ProfileDoc, error) {
	doc := ProfileDoc{}
	err := s.db.View(ctx, func(tx *store.Tx) error { _, err := tx.LoadSetting(ctx, ProfileKey, &doc); return err })
	return doc, err
}

// SaveProfile validates and stores the profile document, audited.
func (s *Service) SaveProfile(ctx context.Context, p auth.Principal, m auth.Meta, doc ProfileDoc) error {
	if _, err := doc.Profile(); err != nil {
		return err
	}
	now := s.clock.Now()
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SaveSetting(ctx, ProfileKey, doc, p.Username, now); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, audit.Event{ActorID: p.UserID, Actor: p.Username, Action: "settings.jlis_profile_changed",
			Target: "settings:" + ProfileKey, IP: m.IP, RequestID: m.RequestID, Detail: map[string]any{"profile": doc}}, now)
		return err
	})
}

// profile loads the reader profile for an import.
func (s *Service) profile(ctx context.Context) (jlis.Profile, error) {
	doc, err := s.LoadProfile(ctx)
	if err != nil {
		return nil, err
	}
	return doc.Profile()
}
