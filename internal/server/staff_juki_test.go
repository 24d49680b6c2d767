package server

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestJukiExtractProposalConfirmedFromThePage(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	h := newHarness(t, db)
	c := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Resident: "1310307518", Name: "鈴木　凛", Birth: "1934-08-10", Status: card.StatusNoticeSent})
	staff := newBrowser(t, h)
	staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
	status, _, body := staff.upload("/staff/juki/import", "residents.csv", sampleFile(t, "residents-utf8.csv"), nil)
	m := regexp.MustCompile(`/staff/juki/proposals/(\d+)/confirm`).FindStringSubmatch(body)
	if status != 200 || m == nil || !strings.Contains(body, "死亡") {
		t.Fatalf("import page: %d", status)
	}
	if _, loc, _ := staff.post("/staff/juki/proposals/"+m[1]+"/confirm", nil); loc != "/staff/juki?done=confirmed" {
		t.Fatalf("confirm: %q", loc)
	}
	var rec store.CardRecord
	db.View(ctx, func(tx *store.Tx) (err error) { rec, err = tx.CardByID(ctx, c.ID); return })
	if rec.Status != card.StatusCancelled || rec.CancelReason != card.ReasonDeath {
		t.Fatalf("card: %s %s", rec.Status, rec.CancelReason)
	}
	_, _, found := staff.get("/staff/juki?q=" + url.QueryEscape("三輪"))
	if !strings.Contains(found, "1799609893") {
		t.Fatal("the lookup finds register residents by name")
	}
}
