package server

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/fixture"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestJukiExtractProposalConfirmedFromThePage(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	h := newHarness(t, db)
	dead := fixture.Dead()
	c := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Resident: dead.ResidentNumber, Name: dead.Name, Birth: dead.Birth, Status: card.StatusNoticeSent})
	staff := newBrowser(t, h)
	staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
	status, _, body := staff.upload("/staff/juki/import", "residents.csv", sampleFile(t, fixture.Register), nil)
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
	first := fixture.First()
	_, _, found := staff.get("/staff/juki?q=" + url.QueryEscape(first.FamilyName))
	if !strings.Contains(found, first.ResidentNumber) {
		t.Fatal("the lookup finds register residents by name")
	}
}

// The proposals list names the holder (外字 kept, marked when the city's
// table does not know it) and the card's notice number, and its reading
// is audited with the cards shown.
func TestJukiProposalsShowNameAndNoticeNumber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		name := "\ue003﨑　凛"
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Resident: "1310307518", Notice: "JUK-000001", Name: name, Kana: "ヤマサキ　リン",
			Birth: "1934-08-10", Gaiji: true, Status: card.StatusNoticeSent})
		extract := "宛名番号,氏名,氏名カナ,生年月日,性別,住所,住基カード,住民状態,異動日\n" +
			"1310307518,山﨑　凛,ヤマサキ　リン,1934-08-10,女,兵庫県三田市三輪2丁目1番1号,無,死亡,2025-05-01\n"
		staff := newBrowser(t, h)
		staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
		if status, _, _ := staff.upload("/staff/juki/import", "residents.csv", []byte(extract), nil); status != 200 {
			t.Fatalf("import: %d", status)
		}
		_, _, body := staff.get("/staff/juki")
		if !strings.Contains(body, name) || !strings.Contains(body, ">JUK-000001</a>") || !strings.Contains(body, "外字未登録") ||
			!strings.Contains(body, "ヤマサキ　リン") {
			t.Fatalf("proposals:\n%s", body)
		}
		res := h.do("GET", "/api/v1/cancellation-proposals", h.login("viewer1"), "")
		if b := readAll(t, res); res.StatusCode != 200 || !strings.Contains(b, `"name":"`+name+`"`) || !strings.Contains(b, `"notice_number":"JUK-000001"`) {
			t.Fatalf("API: %d %s", res.StatusCode, b)
		}
		var details []string
		db.View(ctx, func(tx *store.Tx) error {
			_, err := tx.SearchAudit(ctx, store.AuditFilter{Action: "juki.proposals_listed"}, func(e audit.Entry) error {
				details = append(details, e.Detail)
				return nil
			})
			return err
		})
		if len(details) < 2 || !strings.Contains(details[len(details)-1], `"card_ids":[`) {
			t.Fatalf("audit: %v", details)
		}
	})
}
