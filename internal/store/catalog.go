package store

import (
	"context"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// catalogFamily names the catalog's migrations (migrations/catalog/).
const catalogFamily = "catalog"

// Catalog is a platform's own database (issue #20): the cities it serves
// and where each city's data and key live, and what operators did. It
// holds nothing about residents.
type Catalog struct{ db *DB }

// CityRow is one city in the catalog.
type CityRow struct {
	Code, Slug, Name string
	DB               string // the city's --db: a SQLite path or a postgres:// URL
	KeyFile          string // the city's own data key
	Host             string // its own host name; "" for none
	Status           string // active or suspended
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// City statuses.
const (
	CityActive    = "active"
	CitySuspended = "suspended"
)

// OpenCatalog opens (for SQLite creates) and migrates the catalog named by
// dsn. It must not be a city's database.
func OpenCatalog(ctx context.Context, dsn string) (*Catalog, error) {
	db, err := Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	db.family = catalogFamily
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return &Catalog{db: db}, nil
}

// Close closes the catalog.
func (c *Catalog) Close() error { return c.db.Close() }

// AddCity records a city and the operator's event in one transaction.
func (c *Catalog) AddCity(ctx context.Context, r CityRow, actor string) error {
	return c.db.Update(ctx, func(t *Tx) error {
		_, err := t.exec(ctx, `INSERT INTO cities (code, slug, name, db, key_file, host, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, r.Code, r.Slug, r.Name, r.DB, r.KeyFile, nullString(r.Host), r.Status,
			millis(r.CreatedAt))
		if isUniqueViolation(err) {
			return apperr.Wrap(apperr.Conflict, "同じ地方公共団体コードまたは URL 用の名前の団体がすでに登録されています。", err)
		}
		if err != nil {
			return err
		}
		return t.catalogEvent(ctx, r.CreatedAt, actor, "city.added", r.Code, r.Slug+" "+r.Name)
	})
}

// Cities lists every city by code.
func (c *Catalog) Cities(ctx context.Context) ([]CityRow, error) {
	var out []CityRow
	err := c.db.View(ctx, func(t *Tx) error {
		rows, err := t.query(ctx, `SELECT `+cityColumns+` FROM cities ORDER BY code`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanCity(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

const cityColumns = `code, slug, name, db, key_file, COALESCE(host, ''), status, created_at, updated_at`

func scanCity(row interface{ Scan(...any) error }) (CityRow, error) {
	var r CityRow
	var created, updated int64
	err := row.Scan(&r.Code, &r.Slug, &r.Name, &r.DB, &r.KeyFile, &r.Host, &r.Status, &created, &updated)
	r.CreatedAt, r.UpdatedAt = fromMillis(created), fromMillis(updated)
	return r, err
}

// City finds a city by its code, its slug or its host name.
func (c *Catalog) City(ctx context.Context, key string) (CityRow, error) {
	var r CityRow
	err := c.db.View(ctx, func(t *Tx) (err error) {
		r, err = scanCity(t.queryRow(ctx, `SELECT `+cityColumns+` FROM cities WHERE code = $1 OR slug = $1 OR host = $1`, key))
		return err
	})
	if err != nil {
		return CityRow{}, cityNotFound(err)
	}
	return r, nil
}

// CityByHost finds the city that answers on a host name.
func (c *Catalog) CityByHost(ctx context.Context, host string) (CityRow, error) {
	var r CityRow
	err := c.db.View(ctx, func(t *Tx) (err error) {
		r, err = scanCity(t.queryRow(ctx, `SELECT `+cityColumns+` FROM cities WHERE host = $1`, host))
		return err
	})
	if err != nil {
		return CityRow{}, cityNotFound(err)
	}
	return r, nil
}

func cityNotFound(err error) error {
	if apperr.CodeOf(translate(err)) == apperr.NotFound {
		return apperr.Wrap(apperr.NotFound, "その団体は登録されていません。", err)
	}
	return err
}

// SetCityStatus suspends or resumes a city, with the operator's event.
func (c *Catalog) SetCityStatus(ctx context.Context, code, status string, at time.Time, actor string) error {
	return c.db.Update(ctx, func(t *Tx) error {
		res, err := t.exec(ctx, `UPDATE cities SET status = $2, updated_at = $3 WHERE code = $1`, code, status, millis(at))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "その団体は登録されていません。")
		}
		return t.catalogEvent(ctx, at, actor, "city."+status, code, "")
	})
}

// RemoveCity deletes a city from the catalog; its events stay.
func (c *Catalog) RemoveCity(ctx context.Context, code string, at time.Time, actor string) error {
	return c.db.Update(ctx, func(t *Tx) error {
		res, err := t.exec(ctx, `DELETE FROM cities WHERE code = $1`, code)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "その団体は登録されていません。")
		}
		return t.catalogEvent(ctx, at, actor, "city.removed", code, "")
	})
}

// CatalogEvent is one operator action.
type CatalogEvent struct {
	At                              time.Time
	Actor, Action, CityCode, Detail string
}

// Events lists the operators' actions, newest first.
func (c *Catalog) Events(ctx context.Context, limit int) ([]CatalogEvent, error) {
	var out []CatalogEvent
	err := c.db.View(ctx, func(t *Tx) error {
		rows, err := t.query(ctx, `SELECT at, actor, action, city_code, detail FROM catalog_events ORDER BY id DESC LIMIT $1`, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e CatalogEvent
			var at int64
			if err := rows.Scan(&at, &e.Actor, &e.Action, &e.CityCode, &e.Detail); err != nil {
				return err
			}
			e.At = fromMillis(at)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

func (t *Tx) catalogEvent(ctx context.Context, at time.Time, actor, action, code, detail string) error {
	_, err := t.exec(ctx, `INSERT INTO catalog_events (at, actor, action, city_code, detail) VALUES ($1, $2, $3, $4, $5)`,
		millis(at), actor, action, code, detail)
	return err
}
