package reserve_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestFormKeyIsSharedAndStable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := reserve.New(db, clock.System{})
		b := reserve.New(db, clock.System{}) // another process
		k1, err := a.FormKey(context.Background())
		if err != nil || len(k1) != 32 {
			t.Fatalf("key: %d bytes, %v", len(k1), err)
		}
		k2, err := b.FormKey(context.Background())
		if err != nil || !bytes.Equal(k1, k2) {
			t.Fatal("every process must get the same key")
		}
		// The key comes from the data key: the database holds none (the
		// setting where it was kept in the clear is gone), and another data
		// key gives another form key.
		err = db.View(context.Background(), func(tx *store.Tx) error {
			if _, found, err := tx.LoadSettingText(context.Background(), "public_form_key"); err != nil || found {
				t.Errorf("public_form_key stored: %v %v", found, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		other, err := fieldcrypt.ParseKey(fieldcrypt.Generate())
		if err != nil {
			t.Fatal(err)
		}
		db.UseKeys(fieldcrypt.NewKeyring(other))
		defer db.UseKeys(storetest.Keys())
		if k3, err := a.FormKey(context.Background()); err != nil || bytes.Equal(k1, k3) {
			t.Fatalf("the form key does not follow the data key: %v", err)
		}
	})
}
