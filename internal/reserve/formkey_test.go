package reserve_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/kofu-oss/kofu/internal/clock"
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
	})
}
