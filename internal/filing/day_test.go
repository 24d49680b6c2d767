package filing_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/document/documenttest"
	"github.com/kofu-oss/kofu/internal/filing"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// The day's size limit counts each byte taken in once: a stack counts
// with its size, the pages split from it do not count again, whether the
// stack was split whole or kept for review beside its pages.
func TestDayLimitCountsAStackOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "A1B-000001"})
		svc := newService(t, db)
		whole := documenttest.PDF(documenttest.Page(1, "A1B-000001"), documenttest.Page(2))
		kept := documenttest.PDF(documenttest.Page(3, "A1B-000001"), nil) // its second page is unreadable
		n := int64(len(whole) + len(kept))
		set := filing.DefaultSettings()
		set.Limits = document.DefaultLimits
		set.Limits.MaxDayBytes = n + int64(len(kept))/2 // room for both stacks, not for their pages again
		if err := svc.SaveSettings(t.Context(), admin, auth.Meta{}, set); err != nil {
			t.Fatal(err)
		}
		for name, stack := range map[string][]byte{"whole.pdf": whole, "kept.pdf": kept} {
			if _, err := svc.ScanStack(t.Context(), staff, auth.Meta{}, name, bytes.NewReader(stack)); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		var used int64
		err := db.View(t.Context(), func(tx *store.Tx) (err error) {
			used, err = tx.DocumentBytesSince(t.Context(), time.Time{})
			return err
		})
		if err != nil || used != n {
			t.Errorf("counted %d bytes, want the stacks' %d: %v", used, n, err)
		}
		_, err = svc.ScanStack(t.Context(), staff, auth.Meta{}, "third.pdf", bytes.NewReader(kept))
		if !apperr.Is(err, document.CodeDayLimit) {
			t.Errorf("a stack over the day's limit: %v", err)
		}
	})
}
