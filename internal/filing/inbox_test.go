package filing_test

import (
	"bytes"
	"image"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/document/documenttest"
	"github.com/kofu-oss/kofu/internal/filing"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var (
	staff  = auth.Principal{UserID: 3, Username: "suzuki", Role: auth.RoleStaff}
	viewer = auth.Principal{UserID: 5, Username: "viewer", Role: auth.RoleViewer}
)

func newService(t testing.TB, db *store.DB) *filing.Service {
	t.Helper()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	return filing.New(db, clock.NewFixed(time.Date(2025, 6, 2, 1, 30, 0, 0, time.UTC)), tokyo, filing.CodeRules())
}

// A generated stack whose pages carry notice-number QR codes (and Kofu's
// own form code) lands on the right cards; a page without a code, a page
// with two cards' codes and a page that cannot be read go to review, and
// staff then choose the card by scanning its notice number.
func TestScanStackFilesPagesByTheirCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c1 := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "A1B-000001"})
		c2 := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Notice: "A1B-000002"})
		svc := newService(t, db)
		pages := []*image.Gray{
			documenttest.Page(1, "A1B-000001"),
			documenttest.Page(2, document.FormCode(document.KindProxy, document.Ref{Type: document.RefNotice, Value: "A1B-000002"})),
			documenttest.Page(3),
			documenttest.Page(4, "A1B-000001", "A1B-000002"),
			nil,
			documenttest.Page(6, "Z9Z-999999"),
		}
		res, err := svc.ScanStack(t.Context(), staff, auth.Meta{}, "stack.pdf", bytes.NewReader(documenttest.PDF(pages...)))
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			card   int64
			kind   string
			review string
		}{
			{c1.ID, "other", ""},
			{c2.ID, "proxy", ""},
			{0, "other", document.ReviewNoCode},
			{0, "other", document.ReviewTwoCards},
			{0, "other", document.ReviewUnreadable},
			{0, "other", document.ReviewNotFound},
		}
		if len(res.Pages) != len(want) || res.Filed != 2 || res.ToReview != 4 {
			t.Fatalf("result %+v", res)
		}
		for i, w := range want {
			if pg := res.Pages[i]; pg.CardID != w.card || pg.Kind != w.kind || pg.Review != w.review {
				t.Errorf("page %d: %+v, want %+v", i+1, pg, w)
			}
		}
		queue, err := svc.ReviewQueue(t.Context(), staff, auth.Meta{})
		if err != nil || len(queue) != 4 {
			t.Fatalf("review queue: %d, %v", len(queue), err)
		}
		// The unreadable page keeps the whole stack for staff to look at.
		if res.Pages[4].DocumentID != queue[0].ID || queue[0].Pages != 6 {
			t.Errorf("the stack kept for review: %+v", queue[0])
		}
		card, err := svc.FindCard(t.Context(), "a1b000002")
		if err != nil || card != c2.ID {
			t.Fatalf("find card: %d, %v", card, err)
		}
		if err := svc.File(t.Context(), viewer, auth.Meta{}, res.Pages[2].DocumentID, card, "medical"); err == nil {
			t.Error("a viewer filed a page")
		}
		if err := svc.File(t.Context(), staff, auth.Meta{}, res.Pages[2].DocumentID, card, "medical"); err != nil {
			t.Fatal(err)
		}
		docs, err := svc.List(t.Context(), staff, auth.Meta{}, c2.ID)
		if err != nil || len(docs) != 2 || docs[1].Kind != "medical" || docs[0].Kind != "proxy" {
			t.Fatalf("card 2's documents: %+v, %v", docs, err)
		}
		if queue, _ := svc.ReviewQueue(t.Context(), staff, auth.Meta{}); len(queue) != 3 {
			t.Errorf("review queue after filing: %d", len(queue))
		}
	})
}
