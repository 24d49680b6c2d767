package reserve_test

import (
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// The settings are kept decoded between requests: a change saved by
// another instance is still seen at once, and a caller changing its copy
// changes nobody else's.
func TestSettingsStayCurrentAndPrivate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, capacity(4))
		other := reserve.New(db, clock.NewFixed(f.clock.Now())) // a second server process
		admin := auth.Principal{UserID: 1, Username: "admin", Role: auth.RoleAdmin}
		mustSettings(t, f.svc)
		st := mustSettings(t, f.svc) // the second read comes from the decoded copy
		if st.Places[0].Capacity != 4 {
			t.Fatalf("capacity %d, want 4", st.Places[0].Capacity)
		}
		st.Places[0].Capacity = 9
		st.Places[0].Hours["sat"] = []string{"09:00-12:00"}
		if again := mustSettings(t, f.svc); again.Places[0].Capacity != 4 || len(again.Places[0].Hours["sat"]) != 0 {
			t.Fatalf("a caller's change leaked into the next read: %+v", again.Places[0])
		}
		if err := other.SaveSettings(t.Context(), admin, auth.Meta{}, st); err != nil {
			t.Fatal(err)
		}
		if got := mustSettings(t, f.svc); got.Places[0].Capacity != 9 || len(got.Places[0].Hours["sat"]) != 1 {
			t.Fatalf("the change saved by another instance is not seen: %+v", got.Places[0])
		}
	})
}

func mustSettings(t *testing.T, svc *reserve.Service) booking.Settings {
	t.Helper()
	st, err := svc.Settings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// The citizen pages read the settings from memory: a change saved on this
// instance shows at once, one saved on another within
// PublicSettingsMaxAge, and the pages cost no statement in between.
func TestPublicSettingsAreReadAtMostOncePerMaxAge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, capacity(4))
		other := reserve.New(db, clock.NewFixed(f.clock.Now())) // a second server process
		now := time.Now()
		reserve.SetPublicSettingsClock(f.svc, func() time.Time { return now })
		admin := auth.Principal{UserID: 1, Username: "admin", Role: auth.RoleAdmin}
		public := func() booking.Settings {
			t.Helper()
			st, err := f.svc.PublicSettings(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		st := public()
		before := db.Counts()
		st.Places[0].Capacity = 9 // a caller's change stays its own
		if got := public(); got.Places[0].Capacity != 4 {
			t.Fatalf("capacity %d, want 4", got.Places[0].Capacity)
		}
		if d := db.Counts().Sub(before); d.Statements != 0 || d.Transactions != 0 {
			t.Fatalf("a second read within the max age ran %+v", d)
		}
		if err := other.SaveSettings(t.Context(), admin, auth.Meta{}, st); err != nil {
			t.Fatal(err)
		}
		if got := public(); got.Places[0].Capacity != 4 {
			t.Fatalf("read the database again before the max age: capacity %d", got.Places[0].Capacity)
		}
		now = now.Add(reserve.PublicSettingsMaxAge)
		if got := public(); got.Places[0].Capacity != 9 {
			t.Fatalf("the change saved by another instance is not seen after the max age: capacity %d", got.Places[0].Capacity)
		}
		st.Places[0].Capacity = 7
		if err := f.svc.SaveSettings(t.Context(), admin, auth.Meta{}, st); err != nil {
			t.Fatal(err)
		}
		if got := public(); got.Places[0].Capacity != 7 {
			t.Fatalf("this instance's own change must show at once: capacity %d", got.Places[0].Capacity)
		}
	})
}
