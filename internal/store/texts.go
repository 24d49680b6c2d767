package store

import (
	"context"
	"time"
)

// SiteText is a city's own wording of one text of the citizen site.
type SiteText struct {
	Key, Lang, Body string
	UpdatedAt       time.Time
	UpdatedBy       string
}

// textsVersionKey is the setting bumped by every change of site_texts.
const textsVersionKey = "site_texts_version"

// SiteTexts lists every stored text.
func (t *Tx) SiteTexts(ctx context.Context) ([]SiteText, error) {
	rows, err := t.query(ctx, `SELECT key, lang, body, updated_at, updated_by FROM site_texts ORDER BY key, lang`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SiteText
	for rows.Next() {
		var s SiteText
		var at int64
		if err := rows.Scan(&s.Key, &s.Lang, &s.Body, &at, &s.UpdatedBy); err != nil {
			return nil, err
		}
		s.UpdatedAt = fromMillis(at)
		out = append(out, s)
	}
	return out, rows.Err()
}

// SiteTextsVersion is a number that changes with every change of the
// texts (0 before the first).
func (t *Tx) SiteTextsVersion(ctx context.Context) (int64, error) {
	var v int64
	_, err := t.LoadSetting(ctx, textsVersionKey, &v)
	return v, err
}

// PutSiteText stores a text, or removes it when body is "" (the default
// applies again), and bumps the version.
func (t *Tx) PutSiteText(ctx context.Context, key, lang, body, by string, at time.Time) error {
	var err error
	if body == "" {
		_, err = t.exec(ctx, `DELETE FROM site_texts WHERE key = $1 AND lang = $2`, key, lang)
	} else {
		_, err = t.exec(ctx, `INSERT INTO site_texts (key, lang, body, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (key, lang) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			key, lang, body, millis(at), by)
	}
	if err != nil {
		return translate(err)
	}
	if err := t.InitSetting(ctx, textsVersionKey, 0, at); err != nil {
		return err
	}
	// One statement, so two saves at once never both write the same number.
	_, err = t.exec(ctx, `UPDATE settings SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT), updated_at = $2, updated_by = $3
		WHERE key = $1`, textsVersionKey, millis(at), by)
	return translate(err)
}
