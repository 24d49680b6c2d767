package server

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
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

// A large ledger is imported in the background: the API answers 202 with
// the job at once, its URL reports progress and then the report, the very
// one a small file gets in the answer (rejections and all).
func TestLedgerImportAPIJobPollsToTheSameReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newClockHarness(t, db, afterSample())
		staff := h.login("staff1")
		send := func(method, path string, content []byte) (*http.Response, map[string]any) {
			t.Helper()
			var body bytes.Buffer
			req, _ := http.NewRequest(method, h.ts.URL+path, &body)
			if content != nil {
				mw := multipart.NewWriter(&body)
				fw, _ := mw.CreateFormFile("file", "bad.xlsx")
				fw.Write(content)
				mw.Close()
				req, _ = http.NewRequest(method, h.ts.URL+path, &body)
				req.Header.Set("Content-Type", mw.FormDataContentType())
			}
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
		res, want := send("POST", "/api/v1/imports/ledger?dry_run=true", legacytest.BadLedger(t))
		if res.StatusCode != 200 {
			t.Fatalf("small file: %d %v", res.StatusCode, want)
		}
		h.srv.city.Intake.SetJobBytes(-1)
		res, job := send("POST", "/api/v1/imports/ledger?dry_run=true", legacytest.BadLedger(t))
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusAccepted || job["status"] != "running" || job["job_id"] == nil || loc == "" || job["url"] != loc {
			t.Fatalf("large file: %d %v (Location %q)", res.StatusCode, job, loc)
		}
		deadline := time.Now().Add(time.Minute)
		for job["status"] == "running" && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			if res, job = send("GET", loc, nil); res.StatusCode != 200 {
				t.Fatalf("poll: %d %v", res.StatusCode, job)
			}
		}
		if job["status"] != "done" || job["rows_done"] != want["rows"] || job["rows_total"] != want["rows"] {
			t.Fatalf("job %v", job)
		}
		got, _ := json.Marshal(job["result"])
		exp, _ := json.Marshal(want)
		if string(got) != string(exp) {
			t.Errorf("job report\n%s\nwant the synchronous answer\n%s", got, exp)
		}
		if res, out := send("GET", "/api/v1/imports/jobs/424242", nil); res.StatusCode != 404 {
			t.Errorf("unknown job: %d %v", res.StatusCode, out)
		}
	})
}

// On the staff pages a large ledger's preview and import run as jobs: the
// page shows the rows done and reloads itself while the job runs (Refresh
// header, no JavaScript), then shows the report with the confirmation
// button, and after the confirmation the import's result.
func TestLedgerImportPagesRunLargeFilesAsJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newClockHarness(t, db, afterSample())
		staff := newBrowser(t, h)
		staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})

		// A job running (here: one recorded as running by another process).
		other := store.ImportJob{Kind: "ledger", FileName: "big.xlsx", Actor: "staff1", StartedAt: time.Now()}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.InsertImportJob(ctx, &other) }); err != nil {
			t.Fatal(err)
		}
		res, err := staff.client.Get(staff.base + "/staff/imports/ledger/jobs/" + strconv.FormatInt(other.ID, 10))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Refresh") == "" || !strings.Contains(string(raw), "処理した行") || !strings.Contains(string(raw), "自動で更新") {
			t.Fatalf("running job page: %d %v %s", res.StatusCode, res.Header, raw)
		}
		h.srv.city.Intake.SetJobBytes(-1)
		status, _, body := staff.upload("/staff/imports/ledger/preview", "ledger.xlsx", legacytest.Sample(t), nil)
		if status != http.StatusConflict || !strings.Contains(body, "実行中") {
			t.Fatalf("a second job: %d %s", status, body)
		}
		if err := h.srv.city.Intake.FailInterruptedJobs(ctx); err != nil {
			t.Fatal(err)
		}

		status, loc, _ := staff.upload("/staff/imports/ledger/preview", "ledger.xlsx", legacytest.Sample(t), nil)
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/staff/imports/ledger/jobs/") {
			t.Fatalf("preview: %d %q", status, loc)
		}
		h.srv.city.Intake.WaitJobs()
		status, _, body = staff.get(loc)
		m := uploadID.FindStringSubmatch(body)
		if status != 200 || m == nil || !strings.Contains(body, "まだ取り込んでいません") || !strings.Contains(body, "O15") {
			t.Fatalf("preview done: %d %s", status, body)
		}
		if n := cardCount(t, db); n != 0 {
			t.Fatalf("the preview wrote %d cards", n)
		}
		status, loc, _ = staff.post("/staff/imports/ledger/confirm", url.Values{"upload": {m[1]}})
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/staff/imports/ledger/jobs/") {
			t.Fatalf("confirm: %d %q", status, loc)
		}
		h.srv.city.Intake.WaitJobs()
		status, _, body = staff.get(loc)
		if status != 200 || !strings.Contains(body, "取り込みました") || cardCount(t, db) != 119 {
			t.Fatalf("confirm done: %d %s", status, body)
		}
	})
}
