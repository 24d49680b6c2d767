// Package platform runs many cities on one deployment (issue #20): the
// catalog of cities, each with its own database and its own data key.
// Removing a city's key makes its data and backups unreadable, as a
// contract's end requires. The catalog holds nothing about residents.
package platform

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/municipality"
	"github.com/kofu-oss/kofu/internal/store"
)

// Service manages the cities of one platform.
type Service struct {
	catalog *store.Catalog
	// dataDir holds, per city, its key (and its SQLite database when the
	// city has no PostgreSQL URL): <dataDir>/cities/<code>/.
	dataDir string
	clock   clock.Clock
}

// New returns the service over an open catalog.
func New(c *store.Catalog, dataDir string, clk clock.Clock) *Service {
	return &Service{catalog: c, dataDir: dataDir, clock: clk}
}

// CityInput is what an operator gives to add a city.
type CityInput struct {
	Code string // 地方公共団体コード, six digits
	Slug string // the short name in its URLs
	Name string // 三田市
	DB   string // a postgres:// URL; "" for a SQLite file in the data folder
	Host string // its own host name; "" for none
}

// Add registers a city: its own key, its database created and migrated,
// then the catalog row. A failure before the catalog row removes what this
// call created, so a city is either wholly added or not at all.
func (s *Service) Add(ctx context.Context, actor string, in CityInput) (store.CityRow, error) {
	row, err := s.validate(ctx, in)
	if err != nil {
		return store.CityRow{}, err
	}
	dir := s.cityDir(row.Code)
	if _, err := os.Stat(dir); err == nil {
		return store.CityRow{}, apperr.New(apperr.Conflict, "団体のフォルダ "+dir+" がすでにあります。以前の登録の残りであれば、確かめてから削除してください。")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return store.CityRow{}, err
	}
	created := false
	defer func() {
		if !created {
			os.RemoveAll(dir)
		}
	}()
	row.KeyFile = filepath.Join(dir, "kofu.key")
	if err := os.WriteFile(row.KeyFile, []byte(fieldcrypt.Generate()+"\n"), 0o600); err != nil {
		return store.CityRow{}, err
	}
	if row.DB == "" {
		row.DB = filepath.Join(dir, "kofu.db")
	}
	db, err := OpenCity(ctx, row)
	if err != nil {
		return store.CityRow{}, fmt.Errorf("団体のデータベースを用意できません: %w", err)
	}
	db.Close()
	row.Status, row.CreatedAt = store.CityActive, s.clock.Now()
	if err := s.catalog.AddCity(ctx, row, actor); err != nil {
		return store.CityRow{}, err
	}
	created = true
	return row, nil
}

func (s *Service) validate(ctx context.Context, in CityInput) (store.CityRow, error) {
	code, err := municipality.ParseCode(in.Code)
	if err != nil {
		return store.CityRow{}, err
	}
	slug, err := municipality.ParseSlug(in.Slug)
	if err != nil {
		return store.CityRow{}, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 40 {
		return store.CityRow{}, apperr.New(apperr.Invalid, "団体名を 40 文字以内で入力してください (例: 三田市)。")
	}
	if in.DB != "" && store.EngineOf(in.DB) != store.Postgres {
		return store.CityRow{}, apperr.New(apperr.Invalid, "--db には PostgreSQL の URL (postgres://…) を指定してください。SQLite はデータフォルダに自動で作成します。")
	}
	host := ""
	if in.Host != "" {
		if host, err = municipality.ParseHost(in.Host); err != nil {
			return store.CityRow{}, err
		}
	}
	for _, key := range []string{string(code), slug, host} {
		if key == "" {
			continue
		}
		if _, err := s.catalog.City(ctx, key); err == nil {
			return store.CityRow{}, apperr.New(apperr.Conflict, "地方公共団体コード・URL 用の名前・ホスト名のどれかが同じ団体 ("+key+") がすでに登録されています。")
		} else if !apperr.Is(err, apperr.NotFound) {
			return store.CityRow{}, err
		}
	}
	return store.CityRow{Code: string(code), Slug: slug, Name: name, DB: in.DB, Host: host}, nil
}

func (s *Service) cityDir(code string) string { return filepath.Join(s.dataDir, "cities", code) }

// OpenCity opens a city's database with its own key, migrated and checked
// against the key (a wrong key is refused before anything is written).
func OpenCity(ctx context.Context, row store.CityRow) (*store.DB, error) {
	keys, err := fieldcrypt.Load("", row.KeyFile, "")
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, row.DB)
	if err != nil {
		return nil, err
	}
	db.UseKeys(keys)
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.CheckKeys(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Cities lists the catalog.
func (s *Service) Cities(ctx context.Context) ([]store.CityRow, error) { return s.catalog.Cities(ctx) }

// City finds a city by its code, slug or host name.
func (s *Service) City(ctx context.Context, key string) (store.CityRow, error) {
	return s.catalog.City(ctx, key)
}

// CityByHost finds the city that answers on a host name.
func (s *Service) CityByHost(ctx context.Context, host string) (store.CityRow, error) {
	return s.catalog.CityByHost(ctx, host)
}

// Suspend stops serving a city (its sites answer a maintenance page); its
// data stays.
func (s *Service) Suspend(ctx context.Context, actor, codeOrSlug string) error {
	return s.setStatus(ctx, actor, codeOrSlug, store.CitySuspended)
}

// Resume serves a suspended city again.
func (s *Service) Resume(ctx context.Context, actor, codeOrSlug string) error {
	return s.setStatus(ctx, actor, codeOrSlug, store.CityActive)
}

func (s *Service) setStatus(ctx context.Context, actor, codeOrSlug, status string) error {
	row, err := s.catalog.City(ctx, codeOrSlug)
	if err != nil {
		return err
	}
	return s.catalog.SetCityStatus(ctx, row.Code, status, s.clock.Now(), actor)
}

// Remove ends a city's contract: only a suspended city can be removed. Its
// key is deleted first (its database and every backup sealed with it
// become unreadable), then its folder in the data folder, then its catalog
// row. A PostgreSQL database is left for the operator to drop: without the
// key it holds nothing readable.
func (s *Service) Remove(ctx context.Context, actor, codeOrSlug string) error {
	row, err := s.catalog.City(ctx, codeOrSlug)
	if err != nil {
		return err
	}
	if row.Status != store.CitySuspended {
		return apperr.New(apperr.Conflict, "稼働中の団体は削除できません。先に kofu city suspend で停止してください。")
	}
	if err := os.Remove(row.KeyFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("団体の暗号鍵を削除できません: %w", err)
	}
	if err := os.RemoveAll(s.cityDir(row.Code)); err != nil {
		return err
	}
	return s.catalog.RemoveCity(ctx, row.Code, s.clock.Now(), actor)
}

// Events lists what operators did, newest first.
func (s *Service) Events(ctx context.Context, limit int) ([]store.CatalogEvent, error) {
	return s.catalog.Events(ctx, limit)
}
