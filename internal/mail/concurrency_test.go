package mail_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/mail"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// mustOpenTwice opens one fresh database through two handles, as two
// server processes would.
func mustOpenTwice(t *testing.T, e store.Engine) (*store.DB, *store.DB) {
	t.Helper()
	dsn := storetest.MustDSN(t, e)
	var dbs [2]*store.DB
	for i := range dbs {
		db, err := store.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		db.UseKeys(storetest.Keys())
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		dbs[i] = db
	}
	return dbs[0], dbs[1]
}

func TestTwoWorkersDeliverEachMessageOnce(t *testing.T) {
	const n = 60
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			db1, db2 := mustOpenTwice(t, engine)
			e := newEnv(t, db1)
			e.sink.SetDelay(2 * time.Millisecond) // let the workers overlap
			err := db1.Update(t.Context(), func(tx *store.Tx) error {
				for i := range n {
					_, err := mail.Enqueue(t.Context(), tx, mail.Message{Kind: mail.KindConfirmation, BookingCode: fmt.Sprint(i),
						To: fmt.Sprintf("r%d@example.jp", i), Subject: fmt.Sprintf("件名 %d", i), Body: "本文", CreatedAt: e.clock.Now()})
					if err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			workers := []*mail.Worker{e.newWorker(db1), e.newWorker(db2)}
			var wg sync.WaitGroup
			reports := make([]mail.Report, len(workers))
			for i, w := range workers {
				w.Batch = 4
				wg.Go(func() { reports[i] = drain(t, w, e) })
			}
			wg.Wait()

			seen := map[string]int{}
			for _, r := range e.sink.Messages() {
				seen[r.To]++
			}
			for i := range n {
				if c := seen[fmt.Sprintf("r%d@example.jp", i)]; c != 1 {
					t.Errorf("message %d delivered %d times", i, c)
				}
			}
			if reports[0].Sent+reports[1].Sent != n || reports[0].Lost+reports[1].Lost != 0 {
				t.Fatalf("reports %+v", reports)
			}
			if reports[0].Sent == 0 || reports[1].Sent == 0 {
				t.Logf("one worker did all the work: %+v", reports) // allowed, but the race was not exercised
			}
		})
	}
}

// drain runs w until a run finds nothing to send, and adds up its reports.
func drain(t *testing.T, w *mail.Worker, e *env) mail.Report {
	var total mail.Report
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	for idle := 0; idle < 3; {
		r, err := w.RunOnce(ctx)
		if err != nil {
			t.Error(err)
			return total
		}
		if r == (mail.Report{}) {
			idle++
			time.Sleep(5 * time.Millisecond)
			continue
		}
		idle = 0
		total.Sent += r.Sent
		total.Lost += r.Lost
		total.Retried += r.Retried
		total.Failed += r.Failed
	}
	return total
}
