package filing

import (
	"bytes"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/document"
	"github.com/kofu-oss/kofu/internal/document/documenttest"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var (
	clerk  = auth.Principal{UserID: 3, Username: "suzuki", Role: auth.RoleStaff}
	reader = auth.Principal{UserID: 5, Username: "viewer", Role: auth.RoleViewer}
	admin  = auth.Principal{UserID: 1, Username: "admin", Role: auth.RoleAdmin}
)

// A process killed while splitting a stack leaves the stack's row (its
// content sealed) and the pages filed so far. The stack is simulated
// here: stored, its first page filed, then nothing more. While its claim
// is fresh it is being split; once the claim is old it shows as
// interrupted, and resuming it files the other pages without filing the
// first again. A second interrupted stack is discarded by an admin with a
// reason. Verification then finds nothing wrong.
func TestInterruptedStackComesBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c1 := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "A1B-000001"})
		c2 := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Notice: "A1B-000002"})
		tokyo, err := time.LoadLocation("Asia/Tokyo")
		if err != nil {
			t.Fatal(err)
		}
		clk := clock.NewFixed(time.Date(2025, 6, 2, 1, 30, 0, 0, time.UTC))
		svc := New(db, clk, tokyo, CodeRules())
		ctx := t.Context()
		first := documenttest.Page(1, "A1B-000001")
		stackFile := documenttest.PDF(first, documenttest.Page(2, "A1B-000002"), documenttest.Page(3))

		stack, err := svc.takeStack(ctx, clerk, "束.pdf", bytes.NewReader(stackFile))
		if err != nil {
			t.Fatal(err)
		}
		refs := []document.Ref{{Type: document.RefNotice, Value: "A1B-000001"}}
		pre, err := svc.filePage(ctx, clerk, stack, document.PageScan{Page: 1, Refs: refs, File: documenttest.PNG(first), Format: document.PNG})
		if err != nil || pre.CardID != c1.ID {
			t.Fatalf("the page filed before the crash: %+v, %v", pre, err)
		}
		// The process is gone here.

		if in, err := svc.Inbox(ctx, clerk, auth.Meta{}); err != nil || len(in.Interrupted) != 0 {
			t.Fatalf("a stack within its claim shows as interrupted: %+v, %v", in.Interrupted, err)
		}
		if _, err := svc.Resume(ctx, clerk, auth.Meta{}, stack.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a stack being split was resumed: %v", err)
		}
		clk.Advance(stackLease + time.Second)
		in, err := svc.Inbox(ctx, clerk, auth.Meta{})
		if err != nil || len(in.Interrupted) != 1 {
			t.Fatalf("interrupted stacks: %+v, %v", in.Interrupted, err)
		}
		if got := in.Interrupted[0]; got.ID != stack.ID || got.FileName != "束.pdf" || got.Pages != 3 || got.Filed != 1 {
			t.Errorf("interrupted stack: %+v", got)
		}
		if _, err := svc.Resume(ctx, reader, auth.Meta{}, stack.ID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a viewer resumed a stack: %v", err)
		}
		res, err := svc.Resume(ctx, clerk, auth.Meta{}, stack.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Pages) != 3 || res.Filed != 2 || res.ToReview != 1 || res.Pages[0].DocumentID != pre.DocumentID ||
			res.Pages[1].CardID != c2.ID || res.Pages[2].Review != document.ReviewNoCode {
			t.Errorf("resumed: %+v", res)
		}
		for _, c := range []int64{c1.ID, c2.ID} {
			if docs, err := svc.List(ctx, clerk, auth.Meta{}, c); err != nil || len(docs) != 1 {
				t.Errorf("card %d after resuming: %+v, %v", c, docs, err)
			}
		}
		if in, _ := svc.Inbox(ctx, clerk, auth.Meta{}); len(in.Interrupted) != 0 || len(in.Queue) != 1 {
			t.Errorf("after resuming: %+v", in)
		}
		if _, err := svc.Resume(ctx, clerk, auth.Meta{}, stack.ID); err == nil {
			t.Error("a stack split twice")
		}

		other, err := svc.takeStack(ctx, clerk, "二つ目.pdf", bytes.NewReader(documenttest.PDF(documenttest.Page(4))))
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(stackLease + time.Second)
		if err := svc.Discard(ctx, clerk, auth.Meta{}, other.ID, "重複"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("staff discarded a stack: %v", err)
		}
		if err := svc.Discard(ctx, admin, auth.Meta{}, other.ID, " "); !apperr.Is(err, CodeReasonRequired) {
			t.Errorf("a discard without its reason: %v", err)
		}
		if err := svc.Discard(ctx, admin, auth.Meta{}, other.ID, "同じ束をもう一度取り込んだため"); err != nil {
			t.Fatal(err)
		}
		if in, _ := svc.Inbox(ctx, clerk, auth.Meta{}); len(in.Interrupted) != 0 {
			t.Errorf("a discarded stack still shows: %+v", in.Interrupted)
		}
		report, err := db.VerifyDocuments(ctx, nil)
		if err != nil || len(report.Problems) != 0 || report.Checked != 3 {
			t.Errorf("verify after resuming and discarding: %+v, %v", report, err)
		}
		counts := map[string]int{}
		err = db.View(ctx, func(tx *store.Tx) error {
			return tx.EachAudit(ctx, func(e audit.Entry) error { counts[e.Action]++; return nil })
		})
		if err != nil || counts["document.inbox_resumed"] != 1 || counts["document.inbox_discarded"] != 1 || counts["document.inbox_scanned"] != 1 {
			t.Errorf("audit: %v, %v", counts, err)
		}
	})
}
