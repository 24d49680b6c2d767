package mail_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/mail"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
	"github.com/kofu-oss/kofu/internal/store/storetest"
)

func TestBookingChangeCancelMailsArrive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b, token := e.book(t, "2026-12-01 10:00", 1, 2)
		code := reserve.FormatCode(b.Code)
		e.run(t, mail.Report{Sent: 1}) // the reminder is not due yet

		got := e.sink.Messages()
		if len(got) != 1 || got[0].To != "taro@example.jp" || got[0].From != "yoyaku@city.example.lg.jp" {
			t.Fatalf("received %+v", got)
		}
		conf := mustParse(t, got[0])
		if !strings.Contains(conf.Subject, "予約完了") || !strings.Contains(conf.Subject, code) {
			t.Fatalf("subject %q", conf.Subject)
		}
		for _, want := range []string{code, "2026年12月1日（火） 10:00〜10:30", "市役所本庁 市民課", "人数: 2人",
			"交付通知書（はがき）", "https://yoyaku.example.lg.jp/booking/manage?code=" + code, "2026年11月28日（土）", "000-111-2222"} {
			if !strings.Contains(conf.Body, want) {
				t.Errorf("confirmation body lacks %q:\n%s", want, conf.Body)
			}
		}
		for _, secret := range []string{token, "秘密", birth(1), notice(1)} {
			if strings.Contains(string(got[0].Data), secret) || strings.Contains(conf.Body+conf.ICS, secret) {
				t.Errorf("mail carries %q", secret)
			}
		}
		if from, _ := conf.Header.AddressList("From"); len(from) != 1 || from[0].Name != "架空市 市民課" {
			t.Errorf("from %v", conf.Header.Get("From"))
		}
		uid := icsProp(t, conf.ICS, "UID")
		if uid != b.Code+"@yoyaku.example.lg.jp" || icsProp(t, conf.ICS, "DTSTART") != "20261201T010000Z" ||
			icsProp(t, conf.ICS, "DTEND") != "20261201T013000Z" || icsProp(t, conf.ICS, "LOCATION") != "市役所本庁 市民課" {
			t.Fatalf("ics:\n%s", conf.ICS)
		}

		newStart := e.jst(t, "2026-12-02 11:00")
		if _, err := e.svc.Change(t.Context(), e.meta, b.Code, token, reserve.ChangeRequest{Start: &newStart}); err != nil {
			t.Fatal(err)
		}
		e.run(t, mail.Report{Sent: 1})
		chg := mustParse(t, e.sink.Messages()[1])
		if !strings.Contains(chg.Subject, "予約変更") || !strings.Contains(chg.Body, "2026年12月2日（水） 11:00") ||
			!strings.Contains(chg.Body, "変更前の日時: 2026年12月1日（火） 10:00") {
			t.Fatalf("change mail %q:\n%s", chg.Subject, chg.Body)
		}
		if icsProp(t, chg.ICS, "UID") != uid || icsProp(t, chg.ICS, "DTSTART") != "20261202T020000Z" ||
			seq(t, chg.ICS) <= seq(t, conf.ICS) {
			t.Fatalf("change ics:\n%s", chg.ICS)
		}

		if _, err := e.svc.Cancel(t.Context(), e.meta, b.Code, token); err != nil {
			t.Fatal(err)
		}
		e.run(t, mail.Report{Sent: 1})
		cxl := mustParse(t, e.sink.Messages()[2])
		if !strings.Contains(cxl.Subject, "予約取消") || !strings.Contains(cxl.Body, code) ||
			icsProp(t, cxl.ICS, "UID") != uid || icsProp(t, cxl.ICS, "STATUS") != "CANCELLED" || seq(t, cxl.ICS) <= seq(t, chg.ICS) {
			t.Fatalf("cancellation %q:\n%s\n%s", cxl.Subject, cxl.Body, cxl.ICS)
		}

		// Both reminders (for each start) were cancelled: none goes out.
		e.at(t, "2026-12-01 12:00")
		e.run(t, mail.Report{})
		if k := kinds(e.outbox(t, store.MailCancelled)); k != "reminder,reminder" {
			t.Fatalf("cancelled: %s", k)
		}
		if k := kinds(e.outbox(t, store.MailSent)); k != "confirmation,change,cancellation" {
			t.Fatalf("sent: %s", k)
		}
	})
}

func seq(t *testing.T, ics string) int {
	t.Helper()
	n, err := strconv.Atoi(icsProp(t, ics, "SEQUENCE"))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestReminderGoesOutWhenDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b, _ := e.book(t, "2026-12-01 10:00", 1)
		e.run(t, mail.Report{Sent: 1})

		e.at(t, "2026-11-30 11:59")
		e.run(t, mail.Report{})
		e.at(t, "2026-11-30 12:00")
		e.run(t, mail.Report{Sent: 1})
		e.run(t, mail.Report{})

		got := e.sink.Messages()
		rem := mustParse(t, got[len(got)-1])
		if !strings.Contains(rem.Subject, "2026年12月1日（火） 10:00") || !strings.Contains(rem.Body, reserve.FormatCode(b.Code)) ||
			icsProp(t, rem.ICS, "DTSTART") != "20261201T010000Z" {
			t.Fatalf("reminder %q:\n%s", rem.Subject, rem.Body)
		}
	})
}

func TestNoReminderWhenItsTimeHasPassed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.at(t, "2026-11-30 13:00") // after noon the day before
		e.book(t, "2026-12-01 10:00", 1)
		if k := kinds(e.outbox(t, "")); k != "confirmation" {
			t.Fatalf("queued %s", k)
		}
	})
}

func TestStaffChangeReplacesTheReminder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b, _ := e.book(t, "2026-12-01 10:00", 1)
		// Same start, other people: the reminder is replaced, not doubled.
		people := []reserve.PersonInput{{NoticeNumber: notice(1), BirthDate: birth(1)}, {NoticeNumber: notice(2), BirthDate: birth(2)}}
		if _, err := e.svc.StaffChange(t.Context(), admin, e.meta, b.ID, reserve.ChangeRequest{People: people}, reserve.Override{}); err != nil {
			t.Fatal(err)
		}
		pending := e.outbox(t, store.MailPending)
		if k := kinds(pending); k != "confirmation,change,reminder" {
			t.Fatalf("pending %s", k)
		}
		if k := kinds(e.outbox(t, store.MailCancelled)); k != "reminder" {
			t.Fatalf("cancelled %s", k)
		}
		if !strings.Contains(pending[2].Body, "人数: 2人") || pending[2].NotBefore.In(e.tokyo).Format("2006-01-02 15:04") != "2026-11-30 12:00" {
			t.Fatalf("new reminder %v:\n%s", pending[2].NotBefore, pending[2].Body)
		}
	})
}

func TestNothingQueuedWhileMailIsOff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		st := e.mailSettings()
		st.Enabled = false
		if _, err := e.admin.SaveSettings(t.Context(), admin, e.meta, st); err != nil {
			t.Fatal(err)
		}
		e.book(t, "2026-12-01 10:00", 1)
		if ms := e.outbox(t, ""); len(ms) != 0 {
			t.Fatalf("queued %s", kinds(ms))
		}
	})
}

func TestRetryAfterTheServerRefusesOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.book(t, "2026-12-01 10:00", 1)
		e.sink.RefuseNext(1)
		e.run(t, mail.Report{Retried: 1})
		m := e.outbox(t, store.MailPending)[0]
		if m.Attempts != 1 || !strings.Contains(m.LastError, "451") || !m.NotBefore.Equal(e.clock.Now().Add(time.Minute)) {
			t.Fatalf("after refusal %+v", m)
		}
		e.run(t, mail.Report{}) // not due before the backoff
		e.clock.Advance(time.Minute)
		e.run(t, mail.Report{Sent: 1})
		if len(e.sink.Messages()) != 1 {
			t.Fatalf("received %d", len(e.sink.Messages()))
		}
		if sent := e.outbox(t, store.MailSent); len(sent) != 1 || sent[0].Attempts != 2 || sent[0].LastError != "" {
			t.Fatalf("sent %+v", sent)
		}
	})
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.worker.MaxAttempts = 3
		e.book(t, "2026-12-01 10:00", 1)
		e.sink.RefuseNext(100)
		e.run(t, mail.Report{Retried: 1})
		e.clock.Advance(time.Minute)
		e.run(t, mail.Report{Retried: 1})
		e.clock.Advance(2 * time.Minute)
		e.run(t, mail.Report{Failed: 1})
		e.clock.Advance(time.Hour)
		e.run(t, mail.Report{})
		failed, err := e.admin.Outbox(t.Context(), store.MailFailed, 10)
		if err != nil || len(failed) != 1 || failed[0].Attempts != 3 || !strings.Contains(failed[0].LastError, "try again later") {
			t.Fatalf("failed %+v, %v", failed, err)
		}
		// An admin sends it again once the server is back.
		e.sink.RefuseNext(0)
		if err := e.admin.Retry(t.Context(), admin, e.meta, failed[0].ID); err != nil {
			t.Fatal(err)
		}
		e.run(t, mail.Report{Sent: 1})
	})
}

func TestRefusedAddressFailsAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		err := db.Update(t.Context(), func(tx *store.Tx) error {
			_, err := mail.Enqueue(t.Context(), tx, mail.Message{Kind: mail.KindConfirmation, To: "unknown@example.jp",
				Subject: "件名", Body: "本文", CreatedAt: e.clock.Now()})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		e.run(t, mail.Report{Failed: 1})
	})
}

func TestExpiredLeaseIsTakenOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.book(t, "2026-12-01 10:00", 1)
		// A worker claims the message and dies before marking it.
		err := db.Update(t.Context(), func(tx *store.Tx) error {
			ms, err := tx.ClaimMail(t.Context(), "dead-worker", e.clock.Now(), e.clock.Now().Add(5*time.Minute), 10)
			if len(ms) != 1 {
				t.Fatalf("claimed %d", len(ms))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		e.run(t, mail.Report{})
		e.clock.Advance(5 * time.Minute)
		e.run(t, mail.Report{Sent: 1})
		// The dead worker's late mark changes nothing.
		err = db.Update(t.Context(), func(tx *store.Tx) error {
			ok, err := tx.MarkMailSent(t.Context(), e.outbox(t, store.MailSent)[0].ID, "dead-worker", e.clock.Now())
			if ok {
				t.Error("a stale claim marked the message")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
