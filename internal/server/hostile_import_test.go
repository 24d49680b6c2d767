package server

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/hostile"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// allocated runs fn and returns the bytes the process allocated meanwhile
// (all of them, freed or not: what a request costs the heap).
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// tempEntries lists what is left in the temporary folder.
func tempEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func multipartFile(name string, content []byte) (string, []byte) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	return mw.FormDataContentType(), body.Bytes()
}

// The files of issue #14 that took the server down are answered at once
// with a Japanese message naming the cell or the limit and a stable code,
// allocate a few megabytes, and leave nothing in the temporary folder.
// (Before: the 5,000 wide rows grew the server past 6 GB, the 1 GiB sheet
// left a 1 GiB excelize-* file behind.)
func TestHostileFilesRefusedInBoundedMemory(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	h := newClockHarness(t, storetest.MustOpen(t, store.SQLite), afterSample())
	staff := h.login("staff1")
	send := func(path, contentType string, body []byte) (int, map[string]any) {
		req, _ := http.NewRequest("POST", h.ts.URL+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.AddCookie(staff)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	var wide, bomb, flood bytes.Buffer
	if err := hostile.WideRows(&wide, 5000); err != nil {
		t.Fatal(err)
	}
	if err := hostile.Bomb(&bomb, 1<<30); err != nil {
		t.Fatal(err)
	}
	floodType, err := hostile.FieldFlood(&flood, 200_000, wide.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	wideType, wideBody := multipartFile("wide.xlsx", wide.Bytes())
	bombType, bombBody := multipartFile("bomb.xlsx", bomb.Bytes())
	for _, c := range []struct {
		name, contentType string
		body              []byte
		reason, message   string
	}{
		{"5,000 rows with a cell in column XFD", wideType, wideBody, "xlsx_too_many_columns", "XFD122: 取り込めるのは 256 列目（IV 列）まで"},
		{"a sheet that unzips to 1 GiB", bombType, bombBody, "xlsx_unzipped_too_large", "展開すると 160 MB を超えます"},
		{"200,000 form fields before the file", floodType, flood.Bytes(), "form_too_many_fields", "ファイルの前に送られた項目が多すぎます"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var status int
			var out map[string]any
			heap := allocated(func() { status, out = send("/api/v1/imports/ledger?dry_run=true", c.contentType, c.body) })
			e, _ := out["error"].(map[string]any)
			if status != http.StatusUnprocessableEntity || e["code"] != "invalid" || !strings.Contains(e["message"].(string), c.message) {
				t.Fatalf("answer %d %v", status, out)
			}
			if reason, _ := e["reason"].(string); reason != c.reason {
				t.Errorf("reason %q, want %q", reason, c.reason)
			}
			t.Logf("%d bytes sent, %d KB allocated", len(c.body), heap>>10)
			if limit := uint64(len(c.body))*4 + 32<<20; heap > limit {
				t.Errorf("the request allocated %d MB (limit %d MB)", heap>>20, limit>>20)
			}
			if left := tempEntries(t, tmp); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}

	t.Run("the upload page names the cell", func(t *testing.T) {
		b := newBrowser(t, h)
		b.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
		var status int
		var body string
		heap := allocated(func() { status, _, body = b.upload("/staff/imports/ledger/preview", "wide.xlsx", wide.Bytes(), nil) })
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "XFD122") {
			t.Fatalf("preview: %d %s", status, body)
		}
		if heap > 64<<20 {
			t.Errorf("the preview allocated %d MB", heap>>20)
		}
	})

	// A dry run of a CSV whose every line is refused lists the first 1,000
	// rejections and counts them all by code.
	t.Run("a CSV of 5,000 refused lines", func(t *testing.T) {
		var csv bytes.Buffer
		hostile.RejectCSV(&csv, 5000)
		ct, body := multipartFile("reject.csv", csv.Bytes())
		var status int
		var out map[string]any
		heap := allocated(func() { status, out = send("/api/v1/imports/jlis?dry_run=true", ct, body) })
		rejected, _ := out["rejected"].([]any)
		sum, _ := out["rejected_summary"].(map[string]any)
		byCode, _ := sum["by_code"].(map[string]any)
		if status != 200 || len(rejected) != 1000 || sum["total"] != 5000.0 || sum["rows"] != 5000.0 || sum["cut"] != true || byCode["birth_date_format"] != 5000.0 {
			t.Fatalf("answer %d: %d listed, summary %v", status, len(rejected), sum)
		}
		if heap > 256<<20 {
			t.Errorf("the dry run allocated %d MB", heap>>20)
		}
		if left := tempEntries(t, tmp); len(left) > 0 {
			t.Errorf("temporary files left: %v", left)
		}
	})
}
