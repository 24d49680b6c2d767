package filing

import (
	"context"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/store"
)

// SettingsKey is where the documents' settings are stored.
const SettingsKey = "documents"

// Settings are the city's limits for stored documents and how long each
// kind is kept.
type Settings struct {
	Limits document.Limits `json:"limits"`
	// Retention is, per kind, the years a document is kept after its card
	// was handed over or disposed of; 0 or absent keeps it for good.
	Retention map[string]int `json:"retention_years"`
}

// DefaultSettings are the limits of internal/document and no retention.
func DefaultSettings() Settings {
	return Settings{Limits: document.DefaultLimits, Retention: map[string]int{}}
}

func loadSettings(ctx context.Context, tx *store.Tx) (Settings, error) {
	set := DefaultSettings()
	_, err := tx.LoadSetting(ctx, SettingsKey, &set)
	if set.Retention == nil {
		set.Retention = map[string]int{}
	}
	return set, err
}

// Settings returns the city's settings.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	var set Settings
	err := s.db.View(ctx, func(tx *store.Tx) (err error) { set, err = loadSettings(ctx, tx); return err })
	return set, err
}

// Validate checks the settings' ranges.
func (set Settings) Validate() error {
	l := set.Limits
	if l.MaxFileBytes < 0 || l.MaxDayBytes < 0 || l.MaxPages < 0 || l.MaxSide < 0 || l.MaxPixels < 0 {
		return apperr.New(apperr.Invalid, "上限に負の数は指定できません。")
	}
	for k, years := range set.Retention {
		if _, ok := document.ParseKind(k); !ok {
			return apperr.New(CodeKind, "保存年限の書類の種類が正しくありません: "+k)
		}
		if years < 0 || years > 100 {
			return apperr.New(apperr.Invalid, "保存年限は 0〜100 年で指定してください。")
		}
	}
	return nil
}

// SaveSettings stores the settings (admins), recording old and new.
func (s *Service) SaveSettings(ctx context.Context, p auth.Principal, m auth.Meta, set Settings) error {
	if p.Role != auth.RoleAdmin {
		return apperr.New(apperr.Forbidden, "書類の設定を変更できるのは管理者だけです。")
	}
	if err := set.Validate(); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		old, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		if err := tx.SaveSetting(ctx, SettingsKey, set, p.Username, s.clock.Now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, m, "settings.documents_changed", "settings:"+SettingsKey, map[string]any{"old": old, "new": set})
	})
}
