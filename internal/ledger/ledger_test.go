package ledger_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/audit"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var ctx = context.Background()

func staff() auth.Principal {
	return auth.Principal{UserID: 7, Username: "tanaka", Role: auth.RoleStaff}
}

func meta() auth.Meta { return auth.Meta{IP: "10.0.0.5", RequestID: "req-1"} }

func now() time.Time { return time.Date(2025, 6, 2, 10, 30, 0, 0, time.UTC) }

func newService(db *store.DB) *ledger.Service { return ledger.New(db, clock.NewFixed(now())) }

// auditEntries returns the entries whose action starts with prefix, oldest first.
func auditEntries(t *testing.T, db *store.DB, prefix string) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	err := db.View(ctx, func(tx *store.Tx) error {
		_, err := tx.SearchAudit(ctx, store.AuditFilter{Action: prefix}, func(e audit.Entry) error {
			out = append([]audit.Entry{e}, out...)
			return nil
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func detailOf(t *testing.T, e audit.Entry) map[string]any {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal([]byte(e.Detail), &d); err != nil {
		t.Fatalf("detail %q: %v", e.Detail, err)
	}
	return d
}

func mustGet(t *testing.T, db *store.DB, id int64) ledger.Detail {
	t.Helper()
	d, err := newService(db).Get(ctx, staff(), meta(), id)
	if err != nil {
		t.Fatalf("get %d: %v", id, err)
	}
	return d
}

func TestGetRecordsTheView(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Name: "三輪　直美"})
		d := mustGet(t, db, rec.ID)
		if d.Card.Resident.Name != "三輪　直美" || len(d.Events) != 0 {
			t.Errorf("detail %+v", d)
		}
		if want := []card.Status{card.StatusSetupDone, card.StatusDefective, card.StatusOnHold, card.StatusCancelled}; !equalStatuses(d.Next, want) {
			t.Errorf("next %v, want %v", d.Next, want)
		}
		views := auditEntries(t, db, "card.viewed")
		if len(views) != 1 || views[0].Target != "card:1" || views[0].Actor != "tanaka" || views[0].ActorID != 7 ||
			views[0].IP != "10.0.0.5" || views[0].RequestID != "req-1" || !views[0].At.Equal(now()) {
			t.Errorf("view entries %+v", views)
		}
		_, err := newService(db).Get(ctx, staff(), meta(), 99)
		if !apperr.Is(err, apperr.NotFound) || len(auditEntries(t, db, "card.viewed")) != 1 {
			t.Errorf("missing card: %v", err)
		}
	})
}

func equalStatuses(a, b []card.Status) bool {
	return strings.Join(statusStrings(a), ",") == strings.Join(statusStrings(b), ",")
}

func statusStrings(ss []card.Status) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

func TestTransitionWritesEventAndAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1})
		d, err := newService(db).Transition(ctx, staff(), meta(), rec.ID, card.StatusSetupDone, " IC確認済 ", "")
		if err != nil {
			t.Fatal(err)
		}
		if d.Card.Status != card.StatusSetupDone || d.Card.Version != 2 || !d.Card.UpdatedAt.Equal(now()) {
			t.Errorf("card %+v", d.Card.Card)
		}
		want := store.CardEvent{ID: d.Events[0].ID, CardID: rec.ID, At: d.Events[0].At, ActorID: 7, Actor: "tanaka",
			Kind: store.EventStatus, FromStatus: card.StatusArrived, ToStatus: card.StatusSetupDone, Reason: "IC確認済"}
		if len(d.Events) != 1 || d.Events[0] != want || !d.Events[0].At.Equal(now()) {
			t.Errorf("events %+v", d.Events)
		}
		entries := auditEntries(t, db, "card.status_changed")
		if len(entries) != 1 || entries[0].Target != "card:1" {
			t.Fatalf("audit %+v", entries)
		}
		if det := detailOf(t, entries[0]); det["from"] != "arrived" || det["to"] != "setup_done" || det["reason"] != "IC確認済" {
			t.Errorf("audit detail %v", det)
		}
		if got := mustGet(t, db, rec.ID); got.Card.Status != card.StatusSetupDone || len(got.Events) != 1 {
			t.Errorf("stored %s with %d events", got.Card.Status, len(got.Events))
		}
	})
}

func TestIllegalTransitionChangesNothing(t *testing.T) {
	tests := []struct {
		name    string
		seed    ledgertest.Seed
		to      card.Status
		code    apperr.Code
		message string
	}{
		{"final status", ledgertest.Seed{Status: card.StatusIssued}, card.StatusReserved,
			card.CodeIllegalTransition, "現在の状態「交付済」からは「予約済」に変更できません"},
		{"other method", ledgertest.Seed{Status: card.StatusSetupDone}, card.StatusMailed,
			card.CodeIllegalTransition, "現在の状態「交付前設定済」からは「郵送済」に変更できません（交付時来庁方式のカードのため）"},
		{"same status", ledgertest.Seed{Status: card.StatusArrived}, card.StatusArrived,
			card.CodeIllegalTransition, "すでに「入荷済」の状態です"},
		{"cancel without reason", ledgertest.Seed{Status: card.StatusArrived}, card.StatusCancelled,
			card.CodeCancelReasonRequired, "廃止理由"},
		{"unknown status", ledgertest.Seed{Status: card.StatusArrived}, "picked_up", apperr.Invalid, "picked_up"},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tt.seed.App = i + 1
				rec := ledgertest.MustCard(t, db, tt.seed)
				_, err := newService(db).Transition(ctx, staff(), meta(), rec.ID, tt.to, "", "")
				if apperr.CodeOf(err) != tt.code || !strings.Contains(apperr.MessageOf(err), tt.message) {
					t.Errorf("err %v, want %s containing %q", err, tt.code, tt.message)
				}
				got := mustGet(t, db, rec.ID)
				if got.Card.Status != tt.seed.Status || got.Card.Version != 1 || len(got.Events) != 0 {
					t.Errorf("card changed: %s v%d, %d events", got.Card.Status, got.Card.Version, len(got.Events))
				}
			})
		}
		if n := len(auditEntries(t, db, "card.status_changed")); n != 0 {
			t.Errorf("%d status audit entries for refused moves", n)
		}
	})
}

func TestCancelKeepsTheReason(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusNoticeSent})
		d, err := newService(db).Transition(ctx, staff(), meta(), rec.ID, card.StatusCancelled, "死亡届を受理", card.ReasonDeath)
		if err != nil {
			t.Fatal(err)
		}
		ev := d.Events[0]
		if d.Card.CancelReason != card.ReasonDeath || ev.Field != "cancel_reason" || ev.NewValue != "death" || ev.Reason != "死亡届を受理" {
			t.Errorf("card %s, event %+v", d.Card.CancelReason, ev)
		}
		if det := detailOf(t, auditEntries(t, db, "card.status_changed")[0]); det["cancel_reason"] != "death" {
			t.Errorf("audit detail %v", det)
		}
	})
}

func TestHoldResumesWhereTheCardWas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Status: card.StatusSetupDone})
		d, err := svc.Transition(ctx, staff(), meta(), rec.ID, card.StatusOnHold, "長期入院のため", "")
		if err != nil {
			t.Fatal(err)
		}
		if want := []card.Status{card.StatusSetupDone, card.StatusDisposalPending, card.StatusCancelled}; !equalStatuses(d.Next, want) {
			t.Errorf("next on hold %v, want %v", d.Next, want)
		}
		_, err = svc.Transition(ctx, staff(), meta(), rec.ID, card.StatusArrived, "", "")
		if apperr.CodeOf(err) != card.CodeIllegalTransition || !strings.Contains(apperr.MessageOf(err), "「保留」") ||
			!strings.Contains(apperr.MessageOf(err), "「交付前設定済」に戻して") {
			t.Errorf("resume elsewhere: %v", err)
		}
		d, err = svc.Transition(ctx, staff(), meta(), rec.ID, card.StatusSetupDone, "退院", "")
		if err != nil || d.Card.Status != card.StatusSetupDone || d.Card.HeldFrom != "" || len(d.Events) != 2 {
			t.Errorf("resume: %v, %+v", err, d.Card.Card)
		}
	})
}

func TestHeldBookingResumesAsNoticeSent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		// The booking service puts reserved cards on hold; the ledger only
		// resumes them.
		rec := ledgertest.Seed{App: 1, Status: card.StatusOnHold}.Record()
		rec.Card.HeldFrom = card.StatusReserved
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.InsertCardRecord(ctx, &rec) }); err != nil {
			t.Fatal(err)
		}
		d, err := svc.Transition(ctx, staff(), meta(), rec.ID, card.StatusNoticeSent, "", "")
		if err != nil || d.Card.Status != card.StatusNoticeSent {
			t.Errorf("resume: %v %s", err, d.Card.Status)
		}
	})
}

func TestWholeJourneyForEachMethod(t *testing.T) {
	journeys := map[card.Method][]card.Status{
		// reserved is reached only through a booking (package reserve); a
		// walk-in without one goes from notice_sent straight to issued.
		card.MethodCounter:       {card.StatusSetupDone, card.StatusNoticeSent, card.StatusIssued},
		card.MethodAtApplication: {card.StatusSetupDone, card.StatusMailed, card.StatusMailReturned, card.StatusMailed, card.StatusIssued},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		app := 0
		for method, steps := range journeys {
			app++
			rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: app, Method: method})
			var d ledger.Detail
			var err error
			for _, to := range steps {
				if d, err = newService(db).Transition(ctx, staff(), meta(), rec.ID, to, "", ""); err != nil {
					t.Fatalf("%s → %s: %v", method, to, err)
				}
			}
			if len(d.Events) != len(steps) || len(d.Next) != 0 || d.Card.Version != len(steps)+1 {
				t.Errorf("%s: %d events, next %v, v%d", method, len(d.Events), d.Next, d.Card.Version)
			}
		}
	})
}

// Staff at two counters press the same button at once: one change wins,
// the other is told the card is already there.
func TestConcurrentTransitionsApplyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1})
		svc := newService(db)
		errs := make([]error, 6)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() {
				_, errs[i] = svc.Transition(ctx, staff(), meta(), rec.ID, card.StatusSetupDone, "", "")
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case apperr.CodeOf(err) != card.CodeIllegalTransition:
				t.Errorf("loser got %v", err)
			}
		}
		if d := mustGet(t, db, rec.ID); ok != 1 || len(d.Events) != 1 {
			t.Errorf("%d succeeded, %d events", ok, len(d.Events))
		}
	})
}
