package filing_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/document/documenttest"
	"github.com/kofu-oss/kofu/internal/filing"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var (
	staff2 = auth.Principal{UserID: 4, Username: "ito", Role: auth.RoleStaff}
	admin  = auth.Principal{UserID: 1, Username: "admin", Role: auth.RoleAdmin}
)

// A 委任状 kept 3 years after hand-over is due on a card handed over
// three years and a day ago, not on one handed over a year ago, nor while
// its kind has no retention; deleting it takes two staff members.
func TestRetentionTakesTwoStaff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(t, db) // the clock stands at 2025-06-02 10:30 in Tokyo
		old := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusIssued})
		recent := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Status: card.StatusIssued})
		for id, at := range map[int64]time.Time{old.ID: time.Date(2022, 6, 1, 0, 0, 0, 0, time.UTC), recent.ID: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)} {
			err := db.Update(t.Context(), func(tx *store.Tx) error {
				return tx.InsertCardEvent(t.Context(), &store.CardEvent{CardID: id, At: at, Actor: "suzuki", Kind: store.EventStatus,
					FromStatus: card.StatusReserved, ToStatus: card.StatusIssued})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		var ids []int64
		for _, id := range []int64{old.ID, recent.ID} {
			d, err := svc.Upload(t.Context(), staff, auth.Meta{}, id, filing.Upload{Kind: "proxy", FileName: "p.png",
				Content: bytes.NewReader(documenttest.PNG(documenttest.Page(int(id))))})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, d.ID)
		}
		if due, err := svc.RetentionDue(t.Context()); err != nil || len(due) != 0 {
			t.Fatalf("due without a retention: %+v, %v", due, err)
		}
		set := filing.DefaultSettings()
		set.Retention["proxy"] = 3
		if err := svc.SaveSettings(t.Context(), admin, auth.Meta{}, set); err != nil {
			t.Fatal(err)
		}
		due, err := svc.RetentionDue(t.Context())
		if err != nil || len(due) != 1 || due[0].ID != ids[0] || due[0].DueAt.Format(time.DateOnly) != "2025-06-01" {
			t.Fatalf("due: %+v, %v", due, err)
		}
		if err := svc.ProposeDisposal(t.Context(), staff, auth.Meta{}, []int64{ids[1]}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a document not due: %v", err)
		}
		if err := svc.ConfirmDisposal(t.Context(), staff, auth.Meta{}, []int64{ids[0]}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("confirm before a proposal: %v", err)
		}
		if err := svc.ProposeDisposal(t.Context(), staff, auth.Meta{}, []int64{ids[0]}); err != nil {
			t.Fatal(err)
		}
		if err := svc.ConfirmDisposal(t.Context(), staff, auth.Meta{}, []int64{ids[0]}); apperr.CodeOf(err) != filing.CodeSameStaff {
			t.Errorf("the proposer confirms: %v", err)
		}
		if err := svc.ConfirmDisposal(t.Context(), staff2, auth.Meta{}, []int64{ids[0]}); err != nil {
			t.Fatal(err)
		}
		if due, _ := svc.RetentionDue(t.Context()); len(due) != 0 {
			t.Errorf("still due after deletion: %+v", due)
		}
		err = db.View(t.Context(), func(tx *store.Tx) error {
			d, err := tx.DocumentByID(t.Context(), ids[0])
			if err == nil && (!d.Deleted() || d.DeletedBy != "ito" || d.DeleteReason == "") {
				t.Errorf("the deletion's record: %+v", d)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
