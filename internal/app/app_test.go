package app_test

import (
	"bytes"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/app"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/fieldcrypt"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func build(t *testing.T, db *store.DB) *app.City {
	t.Helper()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	c := clock.System{}
	city, err := app.New(t.Context(), app.Deps{Config: &config.Config{Location: tokyo, Sites: "all"}, DB: db,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Auth: auth.NewService(db, c, secret.TestParams(), "Kofu"), Clock: c})
	if err != nil {
		t.Fatal(err)
	}
	return city
}

// openWithOwnKey opens a fresh database sealed with a key of its own, as
// each city's is.
func openWithOwnKey(t *testing.T, e store.Engine) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), storetest.MustDSN(t, e))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	key, err := fieldcrypt.ParseKey(fieldcrypt.Generate())
	if err != nil {
		t.Fatal(err)
	}
	db.UseKeys(fieldcrypt.NewKeyring(key))
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestTwoCitiesInOneProcessStayApart builds the whole set of services for
// two databases side by side, as platform mode will: each city finds only
// its own cards and derives its own keys.
func TestTwoCitiesInOneProcessStayApart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbA *store.DB) {
		dbB := openWithOwnKey(t, dbA.Engine)
		a, b := build(t, dbA), build(t, dbB)
		ledgertest.MustCard(t, dbA, ledgertest.Seed{App: 1, Notice: "A1B-000001", Status: card.StatusNoticeSent, Name: "甲市　一郎"})
		ledgertest.MustCard(t, dbB, ledgertest.Seed{App: 2, Notice: "B2C-000002", Status: card.StatusNoticeSent, Name: "乙市　二郎"})
		staff := auth.Principal{UserID: 1, Username: "staff", Role: auth.RoleStaff}
		for _, tc := range []struct {
			city  *app.City
			mine  string
			other string
		}{{a, "A1B-000001", "B2C-000002"}, {b, "B2C-000002", "A1B-000001"}} {
			if res, err := tc.city.Ledger.Search(t.Context(), staff, auth.Meta{}, ledger.Query{NoticeNumber: tc.mine}); err != nil || res.Total != 1 {
				t.Fatalf("own card %s: %d found, err %v", tc.mine, res.Total, err)
			}
			if res, err := tc.city.Ledger.Search(t.Context(), staff, auth.Meta{}, ledger.Query{NoticeNumber: tc.other}); err != nil || res.Total != 0 {
				t.Fatalf("the other city's card %s: %d found, err %v", tc.other, res.Total, err)
			}
		}
		if bytes.Equal(a.Key("ticket follow"), b.Key("ticket follow")) {
			t.Fatal("two cities derive the same ticket key")
		}
		if !bytes.Equal(a.Key("ticket follow"), build(t, dbA).Key("ticket follow")) {
			t.Fatal("a city's keys change when its services are built again (a second instance)")
		}
	})
}
