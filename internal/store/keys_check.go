package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/kofu-oss/kofu/internal/fieldcrypt"
)

// CheckKeys refuses keys that cannot open the personal data already in the
// database, so a server never starts with the wrong key and writes rows
// under a second key that nobody kept. It looks at the oldest and the
// newest sealed resident.
func (db *DB) CheckKeys(ctx context.Context) error {
	return db.View(ctx, func(t *Tx) error {
		for _, dir := range []string{"ASC", "DESC"} {
			var v string
			err := t.queryRow(ctx, `SELECT name FROM residents WHERE name LIKE 'enc%' ORDER BY id `+dir+` LIMIT 1`).Scan(&v)
			if err != nil {
				return ignoreNotFound(translate(err))
			}
			if err := knownKey(db.keys, fieldcrypt.KeyOf(v)); err != nil {
				return err
			}
		}
		return nil
	})
}

func knownKey(keys *fieldcrypt.Keyring, id string) error {
	if keys == nil {
		return fmt.Errorf("このデータベースの個人情報は暗号化されています（鍵 ID %s）: %w", id, fieldcrypt.ErrNoKey)
	}
	ids := make([]string, len(keys.Keys()))
	for i, k := range keys.Keys() {
		ids[i] = k.ID()
	}
	if !slices.Contains(ids, id) {
		return fmt.Errorf("このデータベースの個人情報は鍵 ID %s で暗号化されていますが、指定された鍵は %v です。%w", id, ids, fieldcrypt.ErrUnknownKey)
	}
	return nil
}
