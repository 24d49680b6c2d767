package server

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestStoragePagesAndStocktake(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		admin, staff, viewer := newBrowser(t, h), newBrowser(t, h), newBrowser(t, h)
		for b, name := range map[*browser]string{admin: "admin1", staff: "staff1", viewer: "viewer1"} {
			if status, _, _ := b.post("/staff/login", url.Values{"username": {name}, "password": {password}}); status != 303 {
				t.Fatalf("login %s: %d", name, status)
			}
		}
		// The admin builds a cabinet with one box of two.
		if status, _, _ := admin.post("/staff/storage/places", url.Values{"name": {"キャビネットA"}, "kind": {"cabinet"}}); status != 303 {
			t.Fatalf("create cabinet: %d", status)
		}
		if status, _, _ := staff.post("/staff/storage/places", url.Values{"name": {"X"}, "kind": {"cabinet"}}); status != 403 {
			t.Fatalf("staff creating a place: %d", status)
		}
		_, _, body := admin.get("/staff/storage")
		cab := regexp.MustCompile(`<option value="(\d+)" >キャビネットA</option>`).FindStringSubmatch(body)
		if cab == nil {
			t.Fatalf("no cabinet option:\n%s", body)
		}
		if status, _, _ := admin.post("/staff/storage/places", url.Values{"parent_id": {cab[1]}, "name": {"05"}, "kind": {"box"}, "capacity": {"2"}}); status != 303 {
			t.Fatalf("create box: %d", status)
		}
		status, _, body := viewer.get("/staff/storage")
		box := regexp.MustCompile(`href="/staff/storage/places/(\d+)"><strong>キャビネットA-05</strong>`).FindStringSubmatch(body)
		if status != 200 || box == nil || !strings.Contains(body, "空き 2 枚") {
			t.Fatalf("places page for viewer: %d\n%s", status, body)
		}
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "AAA-000001"})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Notice: "AAA-000002"})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 3, Notice: "AAA-000003", Storage: "B"})
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 4, Notice: "AAA-000004", Status: card.StatusIssued, Storage: "キャビネットA-05"})
		placeURL := "/staff/storage/places/" + box[1]
		for _, code := range []string{"AAA000001", "aaa-000002"} {
			if status, _, body := staff.post(placeURL+"/move", url.Values{"code": {code}}); status != 200 || !strings.Contains(body, "に入れました") {
				t.Fatalf("move %s: %d\n%s", code, status, body)
			}
		}
		_, _, body = staff.post(placeURL+"/move", url.Values{"code": {"AAA-000003"}})
		if !strings.Contains(body, "満杯") || !strings.Contains(body, "autofocus") {
			t.Fatalf("move into a full box must report and keep the scan field:\n%s", body)
		}
		if _, _, body := viewer.get(placeURL); !strings.Contains(body, "AAA-000001") || !strings.Contains(body, "保管中のカード（2 枚）") {
			t.Fatalf("contents:\n%s", body)
		}

		// Stock-taking: card 1 is there, 2 is missing, 3 is misplaced and 4 was issued.
		status, loc, _ := staff.post("/staff/storage/stocktakes", url.Values{"place_id": {box[1]}})
		if status != 303 || !strings.HasPrefix(loc, "/staff/storage/stocktakes/") {
			t.Fatalf("start: %d %s", status, loc)
		}
		log := url.Values{}
		for _, code := range []string{"AAA-000001", "???", "AAA-000003", "AAA-000004"} {
			form := url.Values{"code": {code}, "log": log["log"]}
			status, _, body := staff.post(loc+"/scan", form)
			if status != 200 || !strings.Contains(body, `autofocus`) {
				t.Fatalf("scan %s: %d", code, status)
			}
			log["log"] = regexp.MustCompile(`name="log" value="([^"]*)"`).FindAllString(body, -1)
			for i, m := range log["log"] {
				log["log"][i] = strings.TrimSuffix(strings.TrimPrefix(m, `name="log" value="`), `"`)
			}
		}
		if len(log["log"]) != 4 {
			t.Errorf("scan log %q", log["log"])
		}
		res := h.do("GET", "/api/v1"+strings.TrimPrefix(loc, "/staff/storage"), h.login("viewer1"), "")
		var rep struct {
			Expected int `json:"expected"`
			Findings []struct {
				Kind         string `json:"kind"`
				NoticeNumber string `json:"notice_number"`
			} `json:"findings"`
		}
		json.NewDecoder(res.Body).Decode(&rep)
		res.Body.Close()
		got := map[string]string{}
		for _, f := range rep.Findings {
			got[f.NoticeNumber] = f.Kind
		}
		want := map[string]string{"AAA-000002": "missing", "AAA-000003": "misplaced", "AAA-000004": "not_on_hand"}
		if res.StatusCode != 200 || len(rep.Findings) != 3 || got["AAA-000002"] != want["AAA-000002"] ||
			got["AAA-000003"] != want["AAA-000003"] || got["AAA-000004"] != want["AAA-000004"] {
			t.Fatalf("API report %d: %+v", res.StatusCode, rep)
		}
		if status, loc2, _ := staff.post(loc+"/close", nil); status != 303 || loc2 != loc+"/report" {
			t.Fatalf("close: %d %s", status, loc2)
		}
		_, _, body = viewer.get(loc + "/report")
		if !strings.Contains(body, "場所違い") || !strings.Contains(body, "在庫外") || !strings.Contains(body, "未確認") {
			t.Fatalf("report page:\n%s", body)
		}
		status, _, body = viewer.get(loc + "/report.csv")
		if status != 200 || strings.Count(body, "\n") != 4 {
			t.Fatalf("csv %d:\n%s", status, body)
		}
	})
}
