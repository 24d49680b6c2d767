package platform_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/municipality"
	"github.com/kofu-oss/kofu/internal/platform"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// newPlatform opens a fresh catalog on the engine, with a data folder.
func newPlatform(t *testing.T, e store.Engine) (*platform.Service, string) {
	t.Helper()
	cat, err := store.OpenCatalog(t.Context(), storetest.MustDSN(t, e))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	dir := t.TempDir()
	return platform.New(cat, dir, clock.System{}), dir
}

func eachEngine(t *testing.T, fn func(t *testing.T, e store.Engine)) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) { fn(t, e) })
	}
}

func TestAddCityGivesItsOwnKeyAndDatabase(t *testing.T) {
	eachEngine(t, func(t *testing.T, e store.Engine) {
		p, _ := newPlatform(t, e)
		in := platform.CityInput{Code: "282197", Slug: "sanda", Name: "三田市"}
		if e == store.Postgres {
			in.DB = storetest.MustDSN(t, e) // the city's database on the cluster
		}
		sanda, err := p.Add(t.Context(), "op1", in)
		if err != nil {
			t.Fatal(err)
		}
		sabae, err := p.Add(t.Context(), "op1", platform.CityInput{Code: "182079", Slug: "sabae", Name: "鯖江市"})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []store.CityRow{sanda, sabae} {
			if fi, err := os.Stat(c.KeyFile); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("%s key file %s: %v %v", c.Name, c.KeyFile, fi, err)
			}
		}
		a, _ := os.ReadFile(sanda.KeyFile)
		b, _ := os.ReadFile(sabae.KeyFile)
		if string(a) == string(b) {
			t.Fatal("two cities share a data key")
		}
		db, err := platform.OpenCity(t.Context(), sanda)
		if err != nil {
			t.Fatal(err)
		}
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "A1B-000001", Status: card.StatusNoticeSent})
		db.Close()
		// The city's database refuses the other city's key.
		if _, err := platform.OpenCity(t.Context(), store.CityRow{DB: sanda.DB, KeyFile: sabae.KeyFile}); err == nil {
			t.Fatal("a city's database opened with another city's key")
		}
		list, err := p.Cities(t.Context())
		if err != nil || len(list) != 2 || list[0].Code != "182079" || list[1].Slug != "sanda" || list[1].Status != store.CityActive {
			t.Fatalf("cities %+v, %v", list, err)
		}
	})
}

func TestBadOrDuplicateCityIsRefusedAndLeavesNothing(t *testing.T) {
	eachEngine(t, func(t *testing.T, e store.Engine) {
		p, dir := newPlatform(t, e)
		if _, err := p.Add(t.Context(), "op1", platform.CityInput{Code: "282197", Slug: "sanda", Name: "三田市"}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			in   platform.CityInput
			code string
		}{
			{platform.CityInput{Code: "282198", Slug: "x-city", Name: "検査数字違い"}, municipality.CodeBadCode},
			{platform.CityInput{Code: "182079", Slug: "Sabae", Name: "鯖江市"}, municipality.CodeBadSlug},
			{platform.CityInput{Code: "182079", Slug: "sabae", Name: " "}, apperr.Invalid},
			{platform.CityInput{Code: "182079", Slug: "sabae", Name: "鯖江市", DB: "/tmp/x.db"}, apperr.Invalid},
			{platform.CityInput{Code: "282197", Slug: "sanda2", Name: "三田市"}, apperr.Conflict},
			{platform.CityInput{Code: "182079", Slug: "sanda", Name: "鯖江市"}, apperr.Conflict},
		} {
			if _, err := p.Add(t.Context(), "op1", tc.in); !apperr.Is(err, tc.code) {
				t.Errorf("%+v: want %s, got %v", tc.in, tc.code, err)
			}
		}
		entries, _ := os.ReadDir(filepath.Join(dir, "cities"))
		if len(entries) != 1 || entries[0].Name() != "282197" {
			t.Fatalf("refused cities left folders: %v", entries)
		}
	})
}

func TestRemovingACityDeletesItsKeyAndData(t *testing.T) {
	eachEngine(t, func(t *testing.T, e store.Engine) {
		p, _ := newPlatform(t, e)
		c, err := p.Add(t.Context(), "op1", platform.CityInput{Code: "282197", Slug: "sanda", Name: "三田市"})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Remove(t.Context(), "op1", "sanda"); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("an active city was removed: %v", err)
		}
		if err := p.Suspend(t.Context(), "op1", "282197"); err != nil {
			t.Fatal(err)
		}
		if err := p.Remove(t.Context(), "op2", "sanda"); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{c.KeyFile, c.DB} {
			if _, err := os.Stat(f); !os.IsNotExist(err) {
				t.Errorf("%s is still there after removal (%v)", f, err)
			}
		}
		if _, err := p.City(t.Context(), "sanda"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("removed city still found: %v", err)
		}
		evs, err := p.Events(t.Context(), 10)
		if err != nil || len(evs) != 3 || evs[0].Action != "city.removed" || evs[0].Actor != "op2" ||
			evs[1].Action != "city.suspended" || evs[2].Action != "city.added" || evs[2].CityCode != "282197" {
			t.Fatalf("events %+v, %v", evs, err)
		}
	})
}
