package reserve

import (
	"context"
	"crypto/rand"

	"github.com/kofu-oss/kofu/internal/store"
)

// formKeySetting holds the key that seals the public site's multi-step
// forms. It is drawn once and shared by every process; it never appears in
// a settings page or answer.
const formKeySetting = "public_form_key"

// FormKey returns the key that seals the public booking forms, drawing it
// on first use.
func (s *Service) FormKey(ctx context.Context) ([]byte, error) {
	var key []byte
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		fresh := make([]byte, 32)
		rand.Read(fresh)
		if err := tx.InitSetting(ctx, formKeySetting, fresh, s.clock.Now()); err != nil {
			return err
		}
		_, err := tx.LoadSetting(ctx, formKeySetting, &key)
		return err
	})
	return key, err
}
