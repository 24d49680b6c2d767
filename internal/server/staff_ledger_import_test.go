package server

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/legacy/legacytest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// afterSample is a clock after every date of the sample ledger (its
// hand-over dates run into December 2026).
func afterSample() clock.Clock { return clock.NewFixed(time.Date(2026, 12, 31, 9, 0, 0, 0, time.UTC)) }

func TestLedgerImportPreviewConfirmAndReimport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newClockHarness(t, db, afterSample())
		staff := newBrowser(t, h)
		staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
		file := legacytest.Sample(t)

		status, _, body := staff.upload("/staff/imports/ledger/preview", "ledger.xlsx", file, nil)
		m := uploadID.FindStringSubmatch(body)
		if status != 200 || m == nil || !strings.Contains(body, "まだ取り込んでいません") || !strings.Contains(body, "O15") {
			t.Fatalf("preview: %d %s", status, body)
		}
		if n := cardCount(t, db); n != 0 {
			t.Fatalf("the preview wrote %d cards", n)
		}
		status, _, body = staff.post("/staff/imports/ledger/confirm", url.Values{"upload": {m[1]}})
		if status != 200 || !strings.Contains(body, "取り込みました") || cardCount(t, db) != 119 {
			t.Fatalf("confirm: %d %s", status, body)
		}
		created := cardCount(t, db)

		// The same file again: previewed, confirmed, and nothing changes.
		_, _, body = staff.upload("/staff/imports/ledger/preview", "ledger.xlsx", file, nil)
		if !strings.Contains(body, "取り込み済みです") {
			t.Fatalf("second preview does not say the file was imported: %s", body)
		}
		m = uploadID.FindStringSubmatch(body)
		_, _, body = staff.post("/staff/imports/ledger/confirm", url.Values{"upload": {m[1]}})
		if !strings.Contains(body, "台帳は変わっていません") || cardCount(t, db) != created {
			t.Fatalf("second confirm: %s", body)
		}
		status, _, body = staff.get("/staff/imports")
		link := regexp.MustCompile(`/staff/imports/ledger/\d+`).FindString(body)
		if status != 200 || link == "" {
			t.Fatalf("imports list: %d", status)
		}
		if status, _, body = staff.get(link); status != 200 || !strings.Contains(body, "行ごとの内容") || !strings.Contains(body, "キャビネット1-1段") {
			t.Fatalf("import record page: %d", status)
		}
	})
}

func cardCount(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	err := db.View(ctx, func(tx *store.Tx) (err error) { _, n, err = tx.SearchCards(ctx, store.CardFilter{Limit: 1}); return })
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLedgerImportAPIReportsRowAndColumn(t *testing.T) {
	h := newClockHarness(t, storetest.MustOpen(t, store.SQLite), afterSample())
	staff := h.login("staff1")
	post := func(query string, content []byte) (*http.Response, map[string]any) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "bad.xlsx")
		fw.Write(content)
		mw.Close()
		req, _ := http.NewRequest("POST", h.ts.URL+"/api/v1/imports/ledger"+query, &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.AddCookie(staff)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		json.NewDecoder(res.Body).Decode(&out)
		return res, out
	}
	res, out := post("?dry_run=true", legacytest.BadLedger(t))
	if res.StatusCode != 200 || out["dry_run"] != true || out["created"] != 3.0 {
		t.Fatalf("dry run: %d %v", res.StatusCode, out)
	}
	rejected, _ := out["rejected"].([]any)
	var got []string
	for _, r := range rejected {
		m := r.(map[string]any)
		got = append(got, m["column"].(string)+"/"+m["code"].(string))
		if m["line"] == nil || !strings.Contains(m["reason"].(string), ":") {
			t.Errorf("rejection without row or cell: %v", m)
		}
	}
	if strings.Join(got, ",") != "状態/status_unknown,生年月日/birth_date_invalid,備考/personal_number_suspected" {
		t.Errorf("rejections %v", got)
	}
	res, out = post("", []byte("申請書ID,氏名\n"))
	if res.StatusCode != http.StatusUnprocessableEntity || out["error"] == nil {
		t.Errorf("a CSV sent as a ledger: %d %v", res.StatusCode, out)
	}
}
