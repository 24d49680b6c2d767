package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/document/documenttest"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

// insertBooking stores a pickup booking of one card.
func insertBooking(t *testing.T, db *store.DB, code string, cardID int64) int64 {
	t.Helper()
	at := time.Date(2025, 6, 10, 1, 0, 0, 0, time.UTC)
	b := store.Booking{Code: code, TokenHash: "h-" + code, Service: "pickup", Place: "honcho", Start: at, End: at.Add(30 * time.Minute),
		Date: "2025-06-10", Channel: "phone", Seats: 1, Status: store.BookingBooked, CreatedAt: at, CreatedBy: "test"}
	err := db.Update(t.Context(), func(tx *store.Tx) error {
		if _, err := tx.InsertBooking(t.Context(), &b); err != nil {
			return err
		}
		return tx.InsertBookingPerson(t.Context(), &store.BookingPerson{BookingID: b.ID, Seq: 1, Service: "pickup", CardID: cardID,
			PersonKey: "card:" + code, Status: store.PersonActive})
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.ID
}

func uploadTo(t *testing.T, h http.Handler, path, name string, content []byte, kind string) *httptest.ResponseRecorder {
	t.Helper()
	body, ct := multipartBody(t, name, content, kind, "予約の窓口で受領", true)
	req := httptest.NewRequest("POST", path, body)
	req.Header.Set("Content-Type", ct)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// A file sent to a booking answers 201 as one sent to a card, with the
// booking (and the booking's only card); the disguised files, an unknown
// kind, an unknown booking and a viewer's upload are refused; viewers
// list.
func TestBookingDocumentsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1})
		b := strconv.FormatInt(insertBooking(t, db, "DOCBOOK1", c.ID), 10)
		h, authn := documentServer(t, db)
		path := "/api/v1/bookings/" + b + "/documents"
		for _, f := range []struct {
			name, format string
			content      []byte
		}{
			{"a.pdf", "PDF", documenttest.PDF(testScan(1), testScan(2))},
			{"a.tif", "TIFF", documenttest.TIFF(testScan(3))},
			{"a.jpg", "JPEG", documenttest.JPEG(testScan(4))},
			{"a.png", "PNG", documenttest.PNG(testScan(5))},
		} {
			rec := uploadTo(t, h, path, f.name, f.content, "proxy")
			if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"booking_id":`+b) ||
				!strings.Contains(rec.Body.String(), `"card_id":`+strconv.FormatInt(c.ID, 10)) || !strings.Contains(rec.Body.String(), `"format":"`+f.format+`"`) {
				t.Errorf("%s: %d %s", f.name, rec.Code, rec.Body)
			}
		}
		for name, content := range documenttest.Disguised() {
			if rec := uploadTo(t, h, path, name, content, "other"); rec.Code != http.StatusUnprocessableEntity ||
				!strings.Contains(rec.Body.String(), `"code":"document_unsupported"`) {
				t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
			}
		}
		jpg := documenttest.JPEG(testScan(6))
		if rec := uploadTo(t, h, path, "x.jpg", jpg, "passport"); !strings.Contains(rec.Body.String(), `"code":"document_kind"`) {
			t.Errorf("unknown kind: %d %s", rec.Code, rec.Body)
		}
		if rec := uploadTo(t, h, "/api/v1/bookings/999/documents", "x.jpg", jpg, "other"); rec.Code != http.StatusNotFound {
			t.Errorf("unknown booking: %d %s", rec.Code, rec.Body)
		}
		authn.as(wfViewer)
		if rec := uploadTo(t, h, path, "x.jpg", jpg, "other"); rec.Code != http.StatusForbidden {
			t.Errorf("viewer uploads: %d", rec.Code)
		}
		runAPICase(t, h, apiCase{"list", "GET", path, "", 200, []string{`"file_name":"a.pdf"`, `"file_name":"a.png"`, `"note":"予約の窓口で受領"`}})
		runAPICase(t, h, apiCase{"unknown booking", "GET", "/api/v1/bookings/999/documents", "", 404, nil})
		runAPICase(t, h, apiCase{"the card lists them too", "GET", "/api/v1/cards/" + strconv.FormatInt(c.ID, 10) + "/documents", "", 200,
			[]string{`"file_name":"a.tif"`}})
	})
}

// insertStack writes a stack's row as ScanStack does before splitting,
// an hour ago, and nothing more: a process killed at that point.
func insertStack(t *testing.T, db *store.DB, name string, content []byte) int64 {
	t.Helper()
	d := store.DocumentRecord{FileName: name, Source: "inbox", Kind: "other", Review: store.DocumentReviewStack, ReviewReason: "取り込み中",
		CreatedAt: time.Date(2025, 6, 2, 0, 30, 0, 0, time.UTC), CreatedBy: "suzuki"}
	err := db.Update(t.Context(), func(tx *store.Tx) error {
		return tx.InsertDocument(t.Context(), &d, bytes.NewReader(content), func(io.ReaderAt, int64) (string, int, error) { return "PDF", 1, nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// Stacks interrupted before their splitting are listed with the review
// queue, resumed by staff and discarded by admins with a reason.
func TestInterruptedStacksAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "A1B-000001"})
		first := strconv.FormatInt(insertStack(t, db, "止まった束.pdf", documenttest.PDF(documenttest.Page(1, "A1B-000001"))), 10)
		second := strconv.FormatInt(insertStack(t, db, "二つ目.pdf", documenttest.PDF(documenttest.Page(2))), 10)
		h, authn := documentServer(t, db)
		authn.as(wfViewer)
		runAPICase(t, h, apiCase{"listed", "GET", "/api/v1/documents/review", "", 200,
			[]string{`"interrupted":[{"id":` + first + `,"file_name":"止まった束.pdf","pages":1,"pages_done":0`, `"id":` + second}})
		runAPICase(t, h, apiCase{"viewer resumes", "POST", "/api/v1/documents/" + first + "/resume", "", 403, nil})
		authn.as(wfStaff1)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/v1/documents/"+first+"/resume", nil))
		var res struct {
			Filed int `json:"filed"`
			Pages []struct {
				CardID int64 `json:"card_id"`
			} `json:"pages"`
		}
		if json.Unmarshal(rec.Body.Bytes(), &res); rec.Code != 200 || res.Filed != 1 || len(res.Pages) != 1 || res.Pages[0].CardID != 1 {
			t.Errorf("resume: %d %s", rec.Code, rec.Body)
		}
		runAPICase(t, h, apiCase{"resumed twice", "POST", "/api/v1/documents/" + first + "/resume", "", 404, nil})
		runAPICase(t, h, apiCase{"staff discards", "POST", "/api/v1/documents/" + second + "/discard", `{"reason":"重複"}`, 403, nil})
		authn.as(wfAdmin)
		runAPICase(t, h, apiCase{"no reason", "POST", "/api/v1/documents/" + second + "/discard", `{"reason":""}`, 422,
			[]string{`"code":"document_reason_required"`}})
		runAPICase(t, h, apiCase{"discard", "POST", "/api/v1/documents/" + second + "/discard", `{"reason":"重複"}`, 200, []string{`"discarded":true`}})
		runAPICase(t, h, apiCase{"none left", "GET", "/api/v1/documents/review", "", 200, []string{`"interrupted":[]`}})
	})
}
