package server

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// At handover the counter and issue screens show what the clerk needs:
// who the booking said would come (here a voluntary proxy, preselected)
// and the person's old card to collect, besides the 注意 flags computed
// as the card search computes them (here: no certificate on the card).
func TestHandoverShowsWhoComesAndOldCards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(jstTime(t, "2026-11-20 10:00"))
		h := newClockHarness(t, db, clk)
		old := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Resident: "5001", Notice: "OLD-000001", Birth: "1960-03-03",
			Name: "更新　太郎", Kana: "コウシン　タロウ", Status: card.StatusIssued})
		renewal := ledgertest.Seed{App: 2, Resident: "5001", Notice: "NEW-000001", Birth: "1960-03-03",
			Name: "更新　太郎", Kana: "コウシン　タロウ", Status: card.StatusNoticeSent, Storage: "B棚-1"}.Record()
		renewal.Resident.ID = old.Resident.ID
		noCert := false
		renewal.Certificate = &noCert // the card search's 注意 says so; the counter too
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.InsertCardRecord(ctx, &renewal) }); err != nil {
			t.Fatal(err)
		}
		b, _, err := h.srv.city.Reserve.StaffBook(ctx, auth.Principal{UserID: 1, Username: "admin1", Role: auth.RoleAdmin}, auth.Meta{},
			booking.ChannelPhone, reserve.CreateRequest{Service: "pickup", Place: "main",
				Start:  jstTime(t, "2026-12-01 09:00").Format(time.RFC3339),
				People: []reserve.PersonInput{{NoticeNumber: "NEW-000001", BirthDate: "1960-03-03", Comes: string(reserve.AttendanceProxy)}}})
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(jstTime(t, "2026-12-01 09:05").Sub(clk.Now()))
		staff := newBrowser(t, h)
		staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})

		status, _, body := staff.get("/staff/counter?date=2026-12-01&place=main")
		if status != 200 || !strings.Contains(body, "来庁予定: 任意代理人") || !strings.Contains(body, "旧カード回収 1枚") {
			t.Fatalf("the counter list: %d\n%s", status, body)
		}
		status, _, body = staff.get("/staff/bookings/" + strconv.FormatInt(b.ID, 10) + "/issue")
		for _, want := range []string{"予約時の回答（来庁する方）", "任意代理人が来庁する予定です", "交付済のカードが 1 枚あります",
			`name="attendance" value="proxy" checked`, "18歳以上", "電子証明書なし"} {
			if !strings.Contains(body, want) {
				t.Errorf("the issue screen lacks %q", want)
			}
		}
		if status != 200 || t.Failed() {
			t.Fatalf("issue screen: %d\n%s", status, body)
		}
	})
}
