package store_test

import (
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func mustQueueMail(t *testing.T, db *store.DB, m store.MailMessage) (int64, bool) {
	t.Helper()
	var ok bool
	err := db.Update(ctx, func(tx *store.Tx) (err error) { ok, err = tx.InsertMail(ctx, &m); return err })
	if err != nil {
		t.Fatal(err)
	}
	return m.ID, ok
}

func TestMailDedupeKeyQueuesOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.UnixMilli(1_800_000_000_000)
		m := store.MailMessage{Kind: "reminder", BookingID: 7, To: "a@example.jp", Subject: "s", Body: "b",
			DedupeKey: "reminder:7:1", NotBefore: now, CreatedAt: now}
		if _, ok := mustQueueMail(t, db, m); !ok {
			t.Fatal("first insert dropped")
		}
		if _, ok := mustQueueMail(t, db, m); ok {
			t.Fatal("second insert with the same key queued")
		}
		// Rows without a key never clash.
		m.DedupeKey, m.Kind = "", "confirmation"
		mustQueueMail(t, db, m)
		if _, ok := mustQueueMail(t, db, m); !ok {
			t.Fatal("keyless insert dropped")
		}
		// Cancelling frees the key.
		err := db.Update(ctx, func(tx *store.Tx) error {
			n, err := tx.CancelPendingMail(ctx, 7, "reminder", now)
			if n != 1 {
				t.Errorf("cancelled %d", n)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		m.DedupeKey, m.Kind = "reminder:7:1", "reminder"
		if _, ok := mustQueueMail(t, db, m); !ok {
			t.Fatal("key not freed by the cancellation")
		}
	})
}

func TestMailClaimsAreDisjointAndLeased(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.UnixMilli(1_800_000_000_000)
		for range 3 {
			mustQueueMail(t, db, store.MailMessage{Kind: "confirmation", To: "a@example.jp", Subject: "s", Body: "b", NotBefore: now, CreatedAt: now})
		}
		mustQueueMail(t, db, store.MailMessage{Kind: "reminder", To: "a@example.jp", Subject: "s", Body: "b", NotBefore: now.Add(time.Hour), CreatedAt: now})
		claim := func(worker string, at time.Time) []store.MailMessage {
			var ms []store.MailMessage
			err := db.Update(ctx, func(tx *store.Tx) (err error) {
				ms, err = tx.ClaimMail(ctx, worker, at, at.Add(time.Minute), 2)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return ms
		}
		a, b, c := claim("a", now), claim("b", now), claim("c", now)
		if len(a) != 2 || len(b) != 1 || len(c) != 0 || a[0].ID == b[0].ID || a[1].ID == b[0].ID {
			t.Fatalf("claims a=%d b=%d c=%d", len(a), len(b), len(c))
		}
		err := db.Update(ctx, func(tx *store.Tx) error {
			if ok, err := tx.MarkMailSent(ctx, a[0].ID, "b", now); ok || err != nil {
				t.Errorf("b marked a's message: %v %v", ok, err)
			}
			ok, err := tx.MarkMailSent(ctx, a[0].ID, "a", now)
			if !ok {
				t.Error("a could not mark its message")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// After the lease a's second message is due again, and the reminder
		// once its time has come.
		d := claim("d", now.Add(time.Minute))
		if len(d) != 2 || d[0].ID != a[1].ID {
			t.Fatalf("after the lease: %+v", d)
		}
		err = db.Update(ctx, func(tx *store.Tx) error {
			for _, m := range d {
				if _, err := tx.MarkMailSent(ctx, m.ID, "d", now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if e := claim("e", now.Add(time.Hour)); len(e) != 1 || e[0].Kind != "reminder" {
			t.Fatalf("reminder: %+v", e)
		}
	})
}

// On PostgreSQL a claim passes over rows another open transaction holds.
func TestMailClaimSkipsLockedRows(t *testing.T) {
	db := storetest.MustOpen(t, store.Postgres)
	now := time.UnixMilli(1_800_000_000_000)
	for range 2 {
		mustQueueMail(t, db, store.MailMessage{Kind: "confirmation", To: "a@example.jp", Subject: "s", Body: "b", NotBefore: now, CreatedAt: now})
	}
	held := make(chan struct{})
	done := make(chan struct{})
	go func() {
		db.Update(ctx, func(tx *store.Tx) error {
			ms, err := tx.ClaimMail(ctx, "slow", now, now.Add(time.Minute), 1)
			if len(ms) != 1 {
				t.Errorf("slow claimed %d", len(ms))
			}
			close(held)
			<-done
			return err
		})
	}()
	<-held
	var ms []store.MailMessage
	err := db.Update(ctx, func(tx *store.Tx) (err error) {
		ms, err = tx.ClaimMail(ctx, "fast", now, now.Add(time.Minute), 2)
		return err
	})
	close(done)
	if err != nil || len(ms) != 1 {
		t.Fatalf("fast claimed %d: %v", len(ms), err)
	}
}
