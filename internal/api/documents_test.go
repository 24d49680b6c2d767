package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/api"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/document/documenttest"
	"github.com/kofu-oss/kofu/internal/filing"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// documentServer routes the documents API on db.
func documentServer(t *testing.T, db *store.DB) (http.Handler, *switchAuthn) {
	t.Helper()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	svc := filing.New(db, clock.NewFixed(time.Date(2025, 6, 2, 1, 30, 0, 0, time.UTC)), tokyo, filing.CodeRules())
	authn := &switchAuthn{p: wfStaff1}
	rt := route.New(authn, func(w http.ResponseWriter, r *http.Request, err error) { api.WriteError(w, r, err) })
	(&api.DocumentHandlers{Filing: svc}).Register(rt)
	return rt, authn
}

// multipartBody builds a form; fileFirst puts the file before kind and note.
func multipartBody(t *testing.T, name string, content []byte, kind, note string, fileFirst bool) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fields := func() {
		mw.WriteField("kind", kind)
		mw.WriteField("note", note)
	}
	if !fileFirst {
		fields()
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	if fileFirst {
		fields()
	}
	mw.Close()
	return &b, mw.FormDataContentType()
}

func uploadDocument(t *testing.T, h http.Handler, cardID, name string, content []byte, kind string, fileFirst bool) *httptest.ResponseRecorder {
	t.Helper()
	body, ct := multipartBody(t, name, content, kind, "窓口で受領　髙橋", fileFirst)
	req := httptest.NewRequest("POST", "/api/v1/cards/"+cardID+"/documents", body)
	req.Header.Set("Content-Type", ct)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestDocumentsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1})
		h, authn := documentServer(t, db)
		p1, p2 := testScan(1), testScan(2)
		files := []struct {
			name, kind string
			content    []byte
			format     string
			pages      int
		}{
			{"申請書.jpg", "application", documenttest.JPEG(p1), "JPEG", 1},
			{"委任状.PNG", "proxy", documenttest.PNG(p2), "PNG", 1},
			{"stack.pdf", "receipt", documenttest.PDF(p1, p2), "PDF", 2},
			{"stack.tif", "medical", documenttest.TIFF(p1, p2), "TIFF", 2},
		}
		var ids []string
		for i, f := range files {
			rec := uploadDocument(t, h, "1", f.name, f.content, f.kind, i%2 == 1)
			if rec.Code != http.StatusCreated {
				t.Fatalf("%s: %d %s", f.name, rec.Code, rec.Body)
			}
			var got struct {
				Document struct {
					ID     int64  `json:"id"`
					Kind   string `json:"kind"`
					Pages  int    `json:"pages"`
					SHA256 string `json:"sha256"`
					Format string `json:"format"`
					Note   string `json:"note"`
				} `json:"document"`
			}
			json.Unmarshal(rec.Body.Bytes(), &got)
			sum := sha256.Sum256(f.content)
			d := got.Document
			if d.Kind != f.kind || d.Pages != f.pages || d.Format != f.format || d.SHA256 != hex.EncodeToString(sum[:]) || d.Note != "窓口で受領　髙橋" {
				t.Errorf("%s: %+v", f.name, d)
			}
			ids = append(ids, strconv.FormatInt(d.ID, 10))
		}
		for name, content := range documenttest.Disguised() {
			rec := uploadDocument(t, h, "1", name, content, "other", false)
			if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `"code":"document_unsupported"`) ||
				!strings.Contains(rec.Body.String(), "PDF、JPEG、PNG、TIFF") {
				t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
			}
		}
		if rec := uploadDocument(t, h, "1", "x.jpg", files[0].content, "passport", false); !strings.Contains(rec.Body.String(), `"code":"document_kind"`) {
			t.Errorf("unknown kind: %d %s", rec.Code, rec.Body)
		}
		if rec := uploadDocument(t, h, "9", "x.jpg", files[0].content, "other", false); rec.Code != http.StatusNotFound {
			t.Errorf("unknown card: %d %s", rec.Code, rec.Body)
		}
		authn.as(wfViewer)
		if rec := uploadDocument(t, h, "1", "x.jpg", files[0].content, "other", false); rec.Code != http.StatusForbidden {
			t.Errorf("viewer uploads: %d", rec.Code)
		}
		runAPICase(t, h, apiCase{"list", "GET", "/api/v1/cards/1/documents", "", 200,
			[]string{`"kind_label":"申請書"`, `"kind_label":"交付受付確認票"`, `"file_name":"stack.tif"`, `"media_type":"image/tiff"`}})
		runAPICase(t, h, apiCase{"one document", "GET", "/api/v1/documents/" + ids[0], "", 200, []string{`"id":` + ids[0]}})
		for i, f := range files {
			req := httptest.NewRequest("GET", "/api/v1/documents/"+ids[i]+"/content", nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), f.content) || rec.Header().Get("Content-Type") != (map[string]string{
				"JPEG": "image/jpeg", "PNG": "image/png", "PDF": "application/pdf", "TIFF": "image/tiff"})[f.format] {
				t.Errorf("content of %s: %d %q, %d bytes", f.name, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len())
			}
		}
		authn.as(wfStaff1)
		runAPICase(t, h, apiCase{"staff deletes", "DELETE", "/api/v1/documents/" + ids[0], `{"reason":"誤って登録"}`, 403, nil})
		authn.as(wfAdmin)
		runAPICase(t, h, apiCase{"no reason", "DELETE", "/api/v1/documents/" + ids[0], `{"reason":" "}`, 422,
			[]string{`"code":"document_reason_required"`}})
		runAPICase(t, h, apiCase{"delete", "DELETE", "/api/v1/documents/" + ids[0], `{"reason":"誤って登録"}`, 200, []string{`"deleted":true`}})
		runAPICase(t, h, apiCase{"deleted content", "GET", "/api/v1/documents/" + ids[0] + "/content", "", 404, nil})
		counts := map[string]int{}
		err := db.View(t.Context(), func(tx *store.Tx) error {
			return tx.EachAudit(t.Context(), func(e audit.Entry) error { counts[e.Action]++; return nil })
		})
		if err != nil {
			t.Fatal(err)
		}
		if counts["document.uploaded"] != 4 || counts["document.downloaded"] != 4 || counts["document.deleted"] != 1 || counts["document.listed"] != 1 ||
			counts["document.viewed"] != 1 {
			t.Errorf("audit: %v", counts)
		}
	})
}

// TestDocumentsSealedAtRest uploads a JPEG to a SQLite database and looks
// for a run of its bytes in the database files: it must not be there.
func TestDocumentsSealedAtRest(t *testing.T) {
	dsn := storetest.MustDSN(t, store.SQLite)
	db, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.UseKeys(storetest.Keys())
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	ledgertest.MustCard(t, db, ledgertest.Seed{App: 1})
	h, _ := documentServer(t, db)
	content := documenttest.JPEG(testScan(7))
	if rec := uploadDocument(t, h, "1", "scan.jpg", content, "application", false); rec.Code != http.StatusCreated {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	run := content[len(content)/2 : len(content)/2+24]
	found := false
	for _, f := range []string{dsn, dsn + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		found = true
		if bytes.Contains(b, run) {
			t.Errorf("%s holds the image's bytes in clear", f)
		}
		if bytes.Contains(b, []byte("窓口で受領")) {
			t.Errorf("%s holds the note in clear", f)
		}
	}
	if !found {
		t.Fatal("no database file to look into")
	}
}

// testScan is a small page with a QR code of its own.
func testScan(seed int) *image.Gray { return documenttest.Page(seed, "KOFU-TEST-"+strconv.Itoa(seed)) }
