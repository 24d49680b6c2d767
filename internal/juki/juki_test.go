package juki_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/fixture"
	"github.com/kofu-oss/kofu/internal/juki"
	"github.com/kofu-oss/kofu/internal/ledger"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

var ctx = context.Background()

var staff = auth.Principal{UserID: 2, Username: "staff", Role: auth.RoleStaff}

// extract is the generated register extract (package fixture).
func extract() []byte { return fixture.File(fixture.Register) }

func newService(db *store.DB) *juki.Service {
	c := clock.NewFixed(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	return juki.New(db, c, ledger.New(db, c))
}

func TestExtractProposesCancellationsStaffDecide(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// Cards of two people who died / moved out (linked by 宛名番号), one of
		// a resident still living, and one of the deceased already issued.
		seed := func(app int, r fixture.Resident, status card.Status) store.CardRecord {
			return ledgertest.MustCard(t, db, ledgertest.Seed{App: app, Resident: r.ResidentNumber, Name: r.Name, Birth: r.Birth, Status: status})
		}
		dead := seed(1, fixture.Dead(), card.StatusNoticeSent)
		moved := seed(2, fixture.Moved(), card.StatusArrived)
		seed(3, fixture.First(), card.StatusNoticeSent)
		seed(4, fixture.DeadIssued(), card.StatusIssued)
		svc := newService(db)
		res, err := svc.Import(ctx, staff, auth.Meta{}, bytes.NewReader(extract()))
		if err != nil || res.Rows != fixture.RegisterRows || res.Proposed != 2 || len(res.Rejected) != 0 {
			t.Fatalf("import: %+v %v", res, err)
		}
		again, err := svc.Import(ctx, staff, auth.Meta{}, bytes.NewReader(extract()))
		if err != nil || again.Changed != 0 || again.Proposed != 0 {
			t.Fatalf("re-import must change nothing: %+v %v", again, err)
		}
		props, _ := svc.Proposals(ctx, staff, auth.Meta{})
		if len(props) != 2 {
			t.Fatalf("proposals: %+v", props)
		}
		for _, p := range props {
			if p.CardID == dead.ID && p.Reason == string(card.ReasonDeath) {
				if err := svc.Confirm(ctx, staff, auth.Meta{}, p.ID); err != nil {
					t.Fatal(err)
				}
			}
			if p.CardID == moved.ID {
				if err := svc.Dismiss(ctx, staff, auth.Meta{}, p.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		var gotDead, gotMoved store.CardRecord
		db.View(ctx, func(tx *store.Tx) (err error) {
			if gotDead, err = tx.CardByID(ctx, dead.ID); err != nil {
				return err
			}
			gotMoved, err = tx.CardByID(ctx, moved.ID)
			return err
		})
		if gotDead.Status != card.StatusCancelled || gotDead.CancelReason != card.ReasonDeath || gotMoved.Status != card.StatusArrived {
			t.Fatalf("decisions: dead %s/%s, moved %s", gotDead.Status, gotDead.CancelReason, gotMoved.Status)
		}
		if left, _ := svc.Proposals(ctx, staff, auth.Meta{}); len(left) != 0 {
			t.Fatalf("decided proposals leave the list: %+v", left)
		}
	})
}

func TestSameNameAndBirthIsNeverLinkedByAttributes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// A ledger applicant without 宛名番号 who matches a deceased person by
		// name, birth, sex and address, while a second register person
		// shares the name and birth date.
		ledgertest.MustCard(t, db, ledgertest.Seed{App: 1, Name: "山本　一", Birth: "1940-01-01", Sex: "male",
			Address: "三田市A町1", Status: card.StatusNoticeSent})
		file := "宛名番号,氏名,氏名カナ,生年月日,性別,住所,住基カード,住民状態,異動日\n" +
			"100,山本　一,ヤマモト　ハジメ,1940-01-01,男,三田市A町1,無,死亡,2026-10-01\n" +
			"200,山本　一,ヤマモト　ハジメ,1940-01-01,男,三田市B町2,無,住民,\n"
		res, err := newService(db).Import(ctx, staff, auth.Meta{}, strings.NewReader(file))
		if err != nil || res.Proposed != 0 || len(res.Ambiguous) != 1 || res.Ambiguous[0] != "100" {
			t.Fatalf("ambiguous people must not be linked: %+v %v", res, err)
		}
		single := "宛名番号,氏名,氏名カナ,生年月日,性別,住所,住基カード,住民状態,異動日\n" +
			"100,山本　一,ヤマモト　ハジメ,1940-01-01,男,三田市A町1,無,死亡,2026-10-01\n"
		db2 := storetest.MustOpen(t, db.Engine)
		ledgertest.MustCard(t, db2, ledgertest.Seed{App: 1, Name: "山本　一", Birth: "1940-01-01", Sex: "male",
			Address: "三田市A町1", Status: card.StatusNoticeSent})
		res, err = newService(db2).Import(ctx, staff, auth.Meta{}, strings.NewReader(single))
		if err != nil || res.Proposed != 1 {
			t.Fatalf("a unique match on every attribute is linked: %+v %v", res, err)
		}
	})
}

func TestBadExtractLineRefusesTheFile(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	file := "宛名番号,氏名,氏名カナ,生年月日,性別,住所,住基カード,住民状態,異動日\n" +
		"100,甲,コウ,1940-01-01,男,A,無,住民,\n" +
		"abc,乙,オツ,1940-02-30,女,B,無,住民,\n"
	res, err := newService(db).Import(ctx, staff, auth.Meta{}, strings.NewReader(file))
	if !apperr.Is(err, apperr.Invalid) || len(res.Rejected) != 1 || res.Rejected[0].Line != 3 {
		t.Fatalf("want line 3 rejected and nothing imported: %+v %v", res, err)
	}
	found, _ := newService(db).Lookup(ctx, staff, auth.Meta{}, "甲", "")
	if len(found) != 0 {
		t.Fatal("a refused file must import nothing")
	}
}
