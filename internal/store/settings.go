package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
)

// LoadSetting decodes the JSON document stored under key into v. It
// reports false (and leaves v alone) when nothing is stored.
func (t *Tx) LoadSetting(ctx context.Context, key string, v any) (bool, error) {
	raw, found, err := t.LoadSettingText(ctx, key)
	if err != nil || !found {
		return false, err
	}
	return true, json.Unmarshal([]byte(raw), v)
}

// LoadSettingText returns the JSON text stored under key, for a caller
// that keeps the decoded document and decodes again only when the text
// changes. It reports false when nothing is stored.
func (t *Tx) LoadSettingText(ctx context.Context, key string) (string, bool, error) {
	var raw string
	err := t.queryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&raw)
	if err := translate(err); apperr.Is(err, apperr.NotFound) {
		return "", false, nil
	} else if err != nil {
		return "", false, err
	}
	return raw, true, nil
}

// SaveSetting stores v as JSON under key.
func (t *Tx) SaveSetting(ctx context.Context, key string, v any, by string, at time.Time) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		key, string(b), millis(at), by)
	return err
}

// InitSetting stores v under key unless something is stored there already,
// so several processes that start at once agree on one value.
func (t *Tx) InitSetting(ctx context.Context, key string, v any, at time.Time) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, 'system')
		ON CONFLICT (key) DO NOTHING`, key, string(b), millis(at))
	return err
}
