package ledger_test

import (
	"slices"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/store"
)

func tokyo(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// wfAt returns the workflows with a clock stopped at 10:00 in Tokyo on day.
func wfAt(t testing.TB, db *store.DB, day string) *ledger.Workflows {
	t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, day, tokyo(t))
	if err != nil {
		t.Fatal(err)
	}
	return ledger.NewWorkflows(ledger.New(db, clock.NewFixed(d.Add(10*time.Hour))), tokyo(t))
}

// staff2 is a second staff member, for the two-person rule.
func staff2() auth.Principal {
	return auth.Principal{UserID: 8, Username: "sato", Role: auth.RoleStaff}
}

// mustRecord inserts a record built by hand (fields Seed does not cover).
func mustRecord(t testing.TB, db *store.DB, rec store.CardRecord) store.CardRecord {
	t.Helper()
	err := db.Update(t.Context(), func(tx *store.Tx) error { return tx.InsertCardRecord(t.Context(), &rec) })
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func itemIDs(l ledger.ItemList) []int64 {
	out := []int64{}
	for _, it := range l.Items {
		out = append(out, it.Card.ID)
	}
	return out
}

func flagCodes(fs []ledger.Flag) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func mustSend(t *testing.T, wf *ledger.Workflows, date string, ids ...int64) {
	t.Helper()
	res, err := wf.SendNotices(ctx, staff(), meta(), ids, date)
	if err != nil || len(res.Failed) != 0 || !slices.Equal(res.Done, ids) {
		t.Fatalf("send notices %v on %s: %+v %v", ids, date, res, err)
	}
}

func mustCardWorkflow(t *testing.T, wf *ledger.Workflows, id int64) ledger.CardWorkflow {
	t.Helper()
	cw, err := wf.Card(ctx, staff(), meta(), id)
	if err != nil {
		t.Fatal(err)
	}
	return cw
}

func due(t *testing.T, wf *ledger.Workflows, list string) []int64 {
	t.Helper()
	var l ledger.ItemList
	var err error
	switch list {
	case "renotice":
		l, err = wf.RenoticesDue(ctx, staff(), meta(), ledger.ListQuery{})
	case "disposal":
		l, err = wf.DisposalsDue(ctx, staff(), meta(), ledger.ListQuery{})
	case "held":
		l, err = wf.DisposalsHeld(ctx, staff(), meta(), ledger.ListQuery{})
	case "pending":
		l, err = wf.DisposalsPending(ctx, staff(), meta(), ledger.ListQuery{})
	case "returns":
		l, err = wf.Returns(ctx, staff(), meta(), ledger.ListQuery{})
	}
	if err != nil {
		t.Fatal(err)
	}
	return itemIDs(l)
}
