package counter_test

import (
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/counter"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestHubSendsCallsToDisplaysAndBoundsConnections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 0)
		f.settings(t, func(s *counter.Settings) { s.WalkIns = true })
		f.at(t, "2026-12-01 09:00")
		if _, err := f.svc.WalkIn(t.Context(), clerk, "main"); err != nil {
			t.Fatal(err)
		}
		hub := counter.NewHub(f.svc)
		ch, leave, err := hub.Subscribe("main", "device:1")
		if err != nil {
			t.Fatal(err)
		}
		var leaves []func()
		for range 3 {
			_, l, err := hub.Subscribe("main", "device:1")
			if err != nil {
				t.Fatal(err)
			}
			leaves = append(leaves, l)
		}
		_, _, err = hub.Subscribe("main", "device:1")
		wantCode(t, err, apperr.RateLimited)
		if _, err := f.svc.CallNext(t.Context(), clerk, "main", "3"); err != nil {
			t.Fatal(err)
		}
		timeout := time.After(3 * time.Second)
		for seen := false; !seen; {
			select {
			case b := <-ch:
				seen = len(b.Calling) == 1 && b.Calling[0].Ticket == "B001" && b.Calling[0].Desk == "3"
			case <-timeout:
				t.Fatal("the call never reached the display")
			}
		}
		leave()
		leave()
		for _, l := range leaves {
			l()
		}
		if n := hub.Open(); n != 0 {
			t.Fatalf("%d connections left open", n)
		}
		// Stopping the server ends the streams and takes no new one.
		ch, leave, err = hub.Subscribe("main", "device:2")
		if err != nil {
			t.Fatal(err)
		}
		hub.Close()
		for range ch { // drains, then ends as the channel closes
		}
		leave()
		if _, _, err := hub.Subscribe("main", "device:2"); err == nil || hub.Open() != 0 {
			t.Fatalf("after Close: subscribe %v, %d open", err, hub.Open())
		}
	})
}
