package surface_test

import (
	"context"
	"slices"
	"strings"
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
	"github.com/kofu-oss/kofu/internal/surface"
)

var ctx = context.Background()

func staff() auth.Principal {
	return auth.Principal{UserID: 7, Username: "tanaka", Role: auth.RoleStaff}
}
func staff2() auth.Principal {
	return auth.Principal{UserID: 8, Username: "suzuki", Role: auth.RoleStaff}
}
func meta() auth.Meta { return auth.Meta{IP: "10.0.0.5", RequestID: "req-1"} }

// The clock stands at 2025-06-02 19:30 in Tokyo (10:30 UTC).
func newService(db *store.DB) *surface.Service {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	return surface.New(db, clock.NewFixed(time.Date(2025, 6, 2, 10, 30, 0, 0, time.UTC)), tokyo)
}

func cardOf(t *testing.T, db *store.DB, id int64) store.CardRecord {
	t.Helper()
	var rec store.CardRecord
	err := db.View(ctx, func(tx *store.Tx) (err error) { rec, err = tx.CardByID(ctx, id); return err })
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func auditCount(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	n := 0
	err := db.View(ctx, func(tx *store.Tx) error {
		_, err := tx.SearchAudit(ctx, store.AuditFilter{Action: action}, func(audit.Entry) error { n++; return nil })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func flagged(rec store.CardRecord) bool { return slices.Contains(rec.Flags, card.FlagSurfacePending) }

func TestPendingUpdateFlagsTheCardUntilDone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "AAA-000001", Status: card.StatusNoticeSent,
			Flags: []string{card.FlagGaiji}})
		u, err := svc.Register(ctx, staff(), meta(), rec.ID, surface.Input{Kind: "address",
			NewValue: " 兵庫県三田市けやき台1丁目2番3号 ", Date: "2025-06-01", Pending: true, Note: "転居届"})
		if err != nil {
			t.Fatal(err)
		}
		if u.State != store.SurfacePending || u.OldValue != "兵庫県三田市三輪2丁目1番1号" || u.NewValue != "兵庫県三田市けやき台1丁目2番3号" ||
			u.RequestedDate != "2025-06-01" || u.DoneDate != "" || u.Registrar != "tanaka" {
			t.Fatalf("pending update: %+v", u)
		}
		got := cardOf(t, db, rec.ID)
		if !flagged(got) || !slices.Contains(got.Flags, card.FlagGaiji) || got.Resident.Address != rec.Resident.Address {
			t.Fatalf("after registering: flags %v, address %q", got.Flags, got.Resident.Address)
		}
		flags := ledger.Flags(got, time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC))
		if !slices.ContainsFunc(flags, func(f ledger.Flag) bool {
			return f.Code == card.FlagSurfacePending && f.Label == "券面更新待ち" && f.Strong()
		}) {
			t.Errorf("flags shown to staff: %+v", flags)
		}
		// A second pending change of another kind keeps the flag after the first is done.
		name, err := svc.Register(ctx, staff(), meta(), rec.ID, surface.Input{Kind: "name", NewValue: "見本\ue000花子", Pending: true})
		if err != nil {
			t.Fatal(err)
		}
		done, err := svc.Complete(ctx, staff2(), meta(), u.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if done.State != store.SurfaceDone || done.DoneDate != "2025-06-02" || done.Closer != "suzuki" {
			t.Fatalf("done: %+v", done)
		}
		got = cardOf(t, db, rec.ID)
		if !flagged(got) || got.Resident.Address != "兵庫県三田市けやき台1丁目2番3号" {
			t.Fatalf("after the address: flags %v, address %q", got.Flags, got.Resident.Address)
		}
		if _, err := svc.Complete(ctx, staff(), meta(), name.ID, "2025-06-02"); err != nil {
			t.Fatal(err)
		}
		got = cardOf(t, db, rec.ID)
		if flagged(got) || !slices.Contains(got.Flags, card.FlagGaiji) || got.Resident.Name != "見本\ue000花子" || !got.Resident.HasGaiji {
			t.Fatalf("after the name: flags %v, name %q gaiji %v", got.Flags, got.Resident.Name, got.Resident.HasGaiji)
		}
		if _, err := svc.Complete(ctx, staff(), meta(), name.ID, ""); apperr.CodeOf(err) != surface.CodeNotPending {
			t.Errorf("completing twice: %v", err)
		}
		if n := auditCount(t, db, "surface.registered"); n != 2 {
			t.Errorf("registered entries: %d", n)
		}
		if n := auditCount(t, db, "surface.done"); n != 2 {
			t.Errorf("done entries: %d", n)
		}
	})
}

func TestDoneAtOnceChangesTheLedgerAndHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "AAA-000001", Status: card.StatusIssued})
		u, err := svc.Register(ctx, staff(), meta(), rec.ID, surface.Input{Kind: "expiry", NewValue: "令和17年3月31日"})
		if err != nil {
			t.Fatal(err)
		}
		if u.State != store.SurfaceDone || u.NewValue != "2035-03-31" || u.DoneDate != "2025-06-02" || u.Closer != "tanaka" {
			t.Fatalf("update: %+v", u)
		}
		got := cardOf(t, db, rec.ID)
		if got.ExpiryDate != "2035-03-31" || flagged(got) {
			t.Fatalf("card: expiry %q flags %v", got.ExpiryDate, got.Flags)
		}
		cu, err := svc.ForCard(ctx, staff(), meta(), rec.ID)
		if err != nil || len(cu.Updates) != 1 || len(cu.Pending()) != 0 {
			t.Fatalf("for card: %+v %v", cu.Updates, err)
		}
		var events []store.CardEvent
		db.View(ctx, func(tx *store.Tx) (err error) { events, err = tx.CardEvents(ctx, rec.ID); return err })
		last := events[len(events)-1]
		if last.Field != "expiry_date" || last.NewValue != "2035-03-31" || last.Reason != "券面更新" || last.Actor != "tanaka" {
			t.Errorf("history: %+v", last)
		}
		if auditCount(t, db, "surface.viewed") != 1 {
			t.Error("reading a card's updates must be audited")
		}
	})
}

func TestWithdrawClearsTheFlagAndKeepsTheLedger(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "AAA-000001"})
		u, err := svc.Register(ctx, staff(), meta(), rec.ID, surface.Input{Kind: "address", NewValue: "新住所", Pending: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Withdraw(ctx, staff(), meta(), u.ID); err != nil {
			t.Fatal(err)
		}
		got := cardOf(t, db, rec.ID)
		if flagged(got) || got.Resident.Address != rec.Resident.Address {
			t.Fatalf("after withdrawing: %v %q", got.Flags, got.Resident.Address)
		}
		if _, err := svc.Withdraw(ctx, staff(), meta(), u.ID); apperr.CodeOf(err) != surface.CodeNotPending {
			t.Errorf("withdrawing twice: %v", err)
		}
		if _, err := svc.Withdraw(ctx, staff(), meta(), 999); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("unknown update: %v", err)
		}
	})
}

func TestBadInputHasCodesAndChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "AAA-000001"})
		void := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Notice: "AAA-000002", Status: card.StatusDisposed})
		tests := []struct {
			name  string
			id    int64
			in    surface.Input
			code  apperr.Code
			field string
			msg   string
		}{
			{"unknown kind", rec.ID, surface.Input{Kind: "birth", NewValue: "x"}, surface.CodeKindInvalid, "kind", "変更の種類"},
			{"empty value", rec.ID, surface.Input{Kind: "name", NewValue: "　"}, surface.CodeValueRequired, "new_value", "変更後の氏名を入力"},
			{"long address", rec.ID, surface.Input{Kind: "address", NewValue: strings.Repeat("あ", 201)}, surface.CodeValueTooLong, "new_value", "200文字以内"},
			{"bad expiry", rec.ID, surface.Input{Kind: "expiry", NewValue: "来年"}, surface.CodeDateInvalid, "new_value", "有効期限は日付"},
			{"future date", rec.ID, surface.Input{Kind: "address", NewValue: "x", Date: "2025-06-03"}, surface.CodeDateInvalid, "date", "今日より後"},
			{"same value", rec.ID, surface.Input{Kind: "address", NewValue: "兵庫県三田市三輪2丁目1番1号"}, surface.CodeValueUnchanged, "new_value", "今の値と同じ"},
			{"void card", void.ID, surface.Input{Kind: "address", NewValue: "x"}, surface.CodeCardVoid, "", "「廃棄済」のカード"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := svc.Register(ctx, staff(), meta(), tt.id, tt.in)
				if apperr.CodeOf(err) != tt.code || !strings.Contains(apperr.MessageOf(err), tt.msg) {
					t.Fatalf("err = %v, want %s with %q", err, tt.code, tt.msg)
				}
				if fs := apperr.FieldsOf(err); tt.field != "" && (len(fs) != 1 || fs[0].Field != tt.field) {
					t.Errorf("fields %+v", fs)
				}
			})
		}
		if _, err := svc.Register(ctx, staff(), meta(), rec.ID, surface.Input{Kind: "address", NewValue: "新住所", Pending: true}); err != nil {
			t.Fatal(err)
		}
		_, err := svc.Register(ctx, staff(), meta(), rec.ID, surface.Input{Kind: "address", NewValue: "別の住所"})
		if apperr.CodeOf(err) != surface.CodeAlreadyPending {
			t.Errorf("second address change while one is pending: %v", err)
		}
		if n := auditCount(t, db, "surface.registered"); n != 1 {
			t.Errorf("refused input left %d entries", n)
		}
		l, err := svc.List(ctx, staff(), meta(), surface.Query{})
		if err != nil || l.Total != 1 {
			t.Errorf("refused input was stored: %d %v", l.Total, err)
		}
	})
}

func TestListFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		a := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "AAA-000001", Name: "髙橋\ue001　一郎"})
		b := ledgertest.MustCard(t, db, ledgertest.Seed{App: 2, Notice: "BBB-000002", Status: card.StatusIssued})
		mustRegister(t, svc, staff(), a.ID, surface.Input{Kind: "address", NewValue: "けやき台1-2-3", Date: "2025-05-01"})
		mustRegister(t, svc, staff2(), b.ID, surface.Input{Kind: "name", NewValue: "新姓　太郎", Date: "2025-05-20", Pending: true})
		mustRegister(t, svc, staff(), b.ID, surface.Input{Kind: "expiry", NewValue: "2030-01-01", Date: "2025-06-01"})
		tests := []struct {
			name string
			q    surface.Query
			want []string // new values, newest day first
		}{
			{"all", surface.Query{}, []string{"2030-01-01", "新姓　太郎", "けやき台1-2-3"}},
			{"kind", surface.Query{Kind: "name"}, []string{"新姓　太郎"}},
			{"state", surface.Query{State: "done"}, []string{"2030-01-01", "けやき台1-2-3"}},
			{"from", surface.Query{From: "2025/05/20"}, []string{"2030-01-01", "新姓　太郎"}},
			{"range", surface.Query{From: "2025-05-01", To: "R7.5.19"}, []string{"けやき台1-2-3"}},
			{"staff", surface.Query{Staff: "suzuki"}, []string{"新姓　太郎"}},
			{"text in value", surface.Query{Text: "けやき"}, []string{"けやき台1-2-3"}},
			{"text in notice", surface.Query{Text: "BBB"}, []string{"2030-01-01", "新姓　太郎"}},
			{"text in a name with 外字", surface.Query{Text: "\ue001"}, []string{"けやき台1-2-3"}},
			{"paged", surface.Query{Limit: 1, Offset: 1}, []string{"新姓　太郎"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				l, err := svc.List(ctx, staff(), meta(), tt.q)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range l.Rows {
					got = append(got, r.NewValue)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("got %v, want %v", got, tt.want)
				}
			})
		}
		l, _ := svc.List(ctx, staff(), meta(), surface.Query{Text: "\ue001"})
		if len(l.Rows) != 1 || l.Rows[0].Card.Resident.Name != "髙橋\ue001　一郎" || l.Rows[0].Card.NoticeNumber != "AAA-000001" {
			t.Errorf("row's card: %+v", l.Rows)
		}
		if n := auditCount(t, db, "surface.listed"); n != len(tests)+1 {
			t.Errorf("list reads audited %d times", n)
		}
		for _, q := range []surface.Query{{Kind: "x"}, {State: "open"}, {From: "yesterday"}, {From: "2025-06-01", To: "2025-05-01"}, {Limit: 501}} {
			if _, err := svc.List(ctx, staff(), meta(), q); apperr.CodeOf(err) != surface.CodeFilterInvalid || len(apperr.FieldsOf(err)) != 1 {
				t.Errorf("%+v: %v", q, err)
			}
		}
	})
}

func mustRegister(t *testing.T, svc *surface.Service, p auth.Principal, id int64, in surface.Input) store.SurfaceUpdate {
	t.Helper()
	u, err := svc.Register(ctx, p, meta(), id, in)
	if err != nil {
		t.Fatalf("register %+v: %v", in, err)
	}
	return u
}

func TestDetailsGoWithAddressAndName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := newService(db)
		rec := ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Notice: "AAA-000001", Status: card.StatusIssued})
		u := mustRegister(t, svc, staff(), rec.ID, surface.Input{Kind: "address", NewValue: "兵庫県三田市けやき台1-2-3", NewDetail: "６６９１３２１"})
		if u.OldDetail != "669-1595" || u.NewDetail != "669-1321" {
			t.Fatalf("address details: %+v", u)
		}
		u = mustRegister(t, svc, staff(), rec.ID, surface.Input{Kind: "name", NewValue: "新姓　太郎", NewDetail: "ｼﾝｾｲ ﾀﾛｳ"})
		if u.OldDetail != "ミホン　タロウ" || u.NewDetail != "シンセイ　タロウ" {
			t.Fatalf("name details: %+v", u)
		}
		// Only the postal code changes: still a change.
		u = mustRegister(t, svc, staff(), rec.ID, surface.Input{Kind: "address", NewValue: "兵庫県三田市けやき台1-2-3", NewDetail: "669-1322", Pending: true})
		if u.OldValue != u.NewValue || u.NewDetail != "669-1322" {
			t.Fatalf("postal code only: %+v", u)
		}
		got := cardOf(t, db, rec.ID)
		if got.Resident.PostalCode != "669-1321" || got.Resident.NameKana != "シンセイ　タロウ" || got.Resident.Name != "新姓　太郎" {
			t.Fatalf("ledger: %+v", got.Resident)
		}
		var events []store.CardEvent
		db.View(ctx, func(tx *store.Tx) (err error) { events, err = tx.CardEvents(ctx, rec.ID); return err })
		var fields []string
		for _, e := range events {
			fields = append(fields, e.Field)
		}
		if !slices.Equal(fields, []string{"address", "postal_code", "name", "name_kana", "postal_code"}) {
			t.Errorf("history fields: %v", fields)
		}
		_, err := svc.Register(ctx, staff(), meta(), rec.ID, surface.Input{Kind: "name", NewValue: "別　太郎", NewDetail: strings.Repeat("ア", 101)})
		if apperr.CodeOf(err) != surface.CodeDetailInvalid {
			t.Errorf("long kana: %v", err)
		}
		_, err = svc.Register(ctx, staff(), meta(), rec.ID, surface.Input{Kind: "name", NewValue: "別　太郎", NewDetail: "ｱ\ue000"})
		if err != nil {
			t.Errorf("kana with 外字: %v", err)
		}
		_, err = svc.Register(ctx, staff(), meta(), rec.ID, surface.Input{Kind: "expiry", NewValue: "2040-01-01", NewDetail: "x"})
		if err != nil {
			t.Errorf("an expiry has no detail and ignores one: %v", err)
		}
		_, err = svc.Register(ctx, staff(), meta(), rec.ID, surface.Input{Kind: "address", NewValue: "x", NewDetail: "12-34"})
		if apperr.CodeOf(err) != surface.CodeDetailInvalid || apperr.FieldsOf(err)[0].Field != "new_detail" {
			t.Errorf("bad postal code: %v", err)
		}
	})
}
