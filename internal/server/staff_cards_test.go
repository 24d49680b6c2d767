package server

import (
	"bytes"
	"encoding/json"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kofu-oss/kofu/internal/moji"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func sampleFile(t *testing.T, name string) []byte {
	t.Helper()
	for _, dir := range []string{"../../../shared/samples", "../../shared/samples"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			return b
		}
	}
	t.Fatalf("sample %s not found", name)
	return nil
}

// upload posts a file as multipart field "file" like a browser form.
func (b *browser) upload(path, name string, content []byte, fields map[string]string) (int, string, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", b.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Location"), string(raw)
}

var uploadID = regexp.MustCompile(`name="upload" value="(\d+)"`)

// importSample previews and confirms the CP932 sample through the pages.
func importSample(t *testing.T, staff *browser) {
	t.Helper()
	status, _, body := staff.upload("/staff/imports/preview", "jlis-delivery-cp932.csv", sampleFile(t, "jlis-delivery-cp932.csv"), nil)
	m := uploadID.FindStringSubmatch(body)
	if status != 200 || m == nil || !strings.Contains(body, "237") || !strings.Contains(body, "申請書IDが23桁でない") {
		t.Fatalf("preview: %d", status)
	}
	status, _, body = staff.post("/staff/imports/confirm", url.Values{"upload": {m[1]}})
	if status != 200 || !strings.Contains(body, "取り込みました") {
		t.Fatalf("confirm: %d %s", status, body)
	}
	if status, _, body := staff.post("/staff/imports/confirm", url.Values{"upload": {m[1]}}); !strings.Contains(body, "見つかりません") {
		t.Fatalf("a confirmed upload is gone: %d", status)
	}
}

func TestImportSearchScanAndCardPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		staff := newBrowser(t, h)
		staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
		importSample(t, staff)

		// A kana fragment typed in half-width finds the full-width name.
		status, _, body := staff.get("/staff/cards?q=" + url.QueryEscape("ﾐﾜ"))
		if status != 200 || !strings.Contains(body, "三輪　隆") {
			t.Fatalf("half-width kana search: %d", status)
		}
		// The scanner types the notice number (here inside a URL) and Enter.
		_, loc, _ := staff.get("/staff/scan?code=" + url.QueryEscape("https://example.lg.jp/n/qu9-004816"))
		if !strings.HasPrefix(loc, "/staff/cards/") {
			t.Fatalf("scan must open the card, got %q", loc)
		}
		status, _, page := staff.get(loc)
		if status != 200 || !strings.Contains(page, "QU9-004816") || !strings.Contains(page, "交付前設定済にする") {
			t.Fatalf("card page: %d", status)
		}
		version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)[1]
		if _, l, _ := staff.post(loc+"/transition", url.Values{"to": {"setup_done"}, "version": {version}}); l != loc+"?done=status" {
			t.Fatalf("transition: %q", l)
		}
		status, _, page = staff.post(loc+"/transition", url.Values{"to": {"issued"}})
		if status != 409 || !strings.Contains(page, "交付前設定済") {
			t.Fatalf("an illegal move is refused naming the current status: %d", status)
		}
		if status, _, _ := staff.get("/staff/scan?code=ZZZ-999999"); status != 404 {
			t.Fatalf("unknown notice: %d", status)
		}
	})
}

func TestCardExportKeepsEveryCharacter(t *testing.T) {
	h := newHarness(t, storetest.MustOpen(t, store.SQLite))
	staff := newBrowser(t, h)
	staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
	staff.upload("/staff/imports/preview", "x.csv", sampleFile(t, "jlis-delivery-utf8bom.csv"), nil)
	// The API imports directly.
	admin := h.login("admin1")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "utf8.csv")
	fw.Write(sampleFile(t, "jlis-delivery-utf8bom.csv"))
	mw.Close()
	req, _ := http.NewRequest("POST", h.ts.URL+"/api/v1/imports/jlis", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(admin)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var result struct{ Created int }
	json.NewDecoder(res.Body).Decode(&result)
	res.Body.Close()
	if res.StatusCode != 200 || result.Created == 0 {
		t.Fatalf("API import: %d %+v", res.StatusCode, result)
	}
	_, _, csvText := staff.get("/staff/cards/export.csv?q=" + url.QueryEscape("城"))
	if !strings.HasPrefix(csvText, moji.BOM) || !strings.Contains(csvText, "葛\U000E0100城") {
		t.Fatalf("UTF-8 export must keep the IVS: %q", csvText)
	}
	_, _, sjis := staff.get("/staff/cards/export.csv?encoding=cp932&q=" + url.QueryEscape("城"))
	text, _, err := moji.DecodeCP932([]byte(sjis))
	if err != nil || !strings.Contains(text, "葛城") || strings.Contains(text, "?") {
		t.Fatalf("CP932 export: %v %q", err, text)
	}
}

func TestScanModeKeepsGoingAfterAnError(t *testing.T) {
	h := newHarness(t, storetest.MustOpen(t, store.SQLite))
	staff := newBrowser(t, h)
	staff.post("/staff/login", url.Values{"username": {"staff1"}, "password": {password}})
	importSample(t, staff)
	status, loc, body := staff.post("/staff/scan-mode", url.Values{"action": {"setup_done"}, "code": {"RGA062802"}})
	if !strings.Contains(body, "RGA-062802") || !strings.Contains(body, "交付前設定済") {
		t.Fatalf("first scan: %d %s %s", status, loc, body)
	}
	log := regexp.MustCompile(`name="log" value="([^"]*)"`).FindAllStringSubmatch(body, -1)
	form := url.Values{"action": {"setup_done"}, "code": {"ZZZ-000000"}}
	for _, l := range log {
		form.Add("log", html.UnescapeString(l[1]))
	}
	_, _, body = staff.post("/staff/scan-mode", form)
	if !strings.Contains(body, "台帳にありません") || !strings.Contains(body, "RGA-062802") {
		t.Fatalf("the error must be shown and the batch kept: %s", body)
	}
	_, _, body = staff.post("/staff/scan-mode", url.Values{"action": {"setup_done"}, "code": {"RGA-062802"}})
	if !strings.Contains(body, "すでに") {
		t.Fatalf("scanning the same card twice reports it: %s", body)
	}
}
