package counter_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/counter"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestDesksCallInOrderRecallMarkAbsentAndFinish(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 0)
		f.settings(t, func(s *counter.Settings) { s.WalkIns = true })
		f.at(t, "2026-12-01 09:00")
		for range 3 {
			if _, err := f.svc.WalkIn(t.Context(), clerk, "main"); err != nil {
				t.Fatal(err)
			}
		}
		call := func(desk string) counter.Call {
			t.Helper()
			c, err := f.svc.CallNext(t.Context(), clerk, "main", desk)
			if err != nil {
				t.Fatalf("call at desk %s: %v", desk, err)
			}
			return c
		}
		if c := call("1"); c.Ticket != "B001" || c.Desk != "1" {
			t.Fatalf("desk 1 called %+v", c)
		}
		if c := call("2"); c.Ticket != "B002" {
			t.Fatalf("desk 2 called %+v", c)
		}
		if c, err := f.svc.Recall(t.Context(), clerk, "main", "1"); err != nil || c.Ticket != "B001" || c.Calls != 2 {
			t.Fatalf("recall: %+v %v", c, err)
		}
		board, err := f.svc.Board(t.Context(), "main")
		if err != nil || len(board.Calling) != 2 || board.Calling[0].Ticket != "B001" || board.Waiting != 1 {
			t.Fatalf("board after recall: %+v %v", board, err)
		}
		if _, err := f.svc.Absent(t.Context(), clerk, "main", "2"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Finish(t.Context(), clerk, "main", "1"); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Finish(t.Context(), clerk, "main", "1")
		wantCode(t, err, counter.CodeNoTicket)
		if c := call("1"); c.Ticket != "B003" {
			t.Fatalf("third call %+v", c)
		}
		board, _ = f.svc.Board(t.Context(), "main")
		if len(board.Calling) != 1 || len(board.Recent) != 2 || board.Recent[0].Ticket != "B001" {
			t.Fatalf("board: %+v", board)
		}
		_, err = f.svc.CallNext(t.Context(), clerk, "main", "2")
		wantCode(t, err, counter.CodeQueueEmpty)
		_, err = f.svc.CallNext(t.Context(), clerk, "main", "")
		wantCode(t, err, apperr.Invalid)
	})
}

// TestConcurrentCallsOnTwoInstancesNeverRepeatNorSkip calls from many
// desks through two database handles (two instances) at once: every
// ticket is called exactly once.
func TestConcurrentCallsOnTwoInstancesNeverRepeatNorSkip(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			dsn := storetest.MustDSN(t, e)
			one := openHandle(t, dsn)
			two := openHandle(t, dsn)
			f := newFixture(t, one, 0)
			f.settings(t, func(s *counter.Settings) { s.WalkIns = true })
			f.at(t, "2026-12-01 09:00")
			svc2 := counter.New(counter.Deps{DB: two, Clock: f.clock, Bookings: f.res.Settings, Key: []byte("test key")})
			const tickets, desks = 60, 12
			for range tickets {
				if _, err := f.svc.WalkIn(t.Context(), clerk, "main"); err != nil {
					t.Fatal(err)
				}
			}
			var mu sync.Mutex
			var called []string
			var wg sync.WaitGroup
			for d := range desks {
				svc := f.svc
				if d%2 == 1 {
					svc = svc2
				}
				wg.Go(func() {
					for {
						c, err := svc.CallNext(context.Background(), clerk, "main", fmt.Sprint(d+1))
						if apperr.Is(err, counter.CodeQueueEmpty) {
							return
						}
						if err != nil {
							t.Errorf("desk %d: %v", d+1, err)
							return
						}
						mu.Lock()
						called = append(called, c.Ticket)
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			slices.Sort(called)
			if len(called) != tickets || len(slices.Compact(slices.Clone(called))) != tickets {
				t.Fatalf("called %d tickets (%d distinct), want each of %d once: %v", len(called), len(slices.Compact(slices.Clone(called))), tickets, called)
			}
		})
	}
}

func openHandle(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.UseKeys(storetest.Keys())
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}
