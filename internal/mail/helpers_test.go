package mail_test

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/mail"
	"github.com/kofu-oss/kofu/internal/mail/smtptest"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/store"
)

// mustParse takes a received mail apart or fails the test.
func mustParse(t *testing.T, r smtptest.Received) smtptest.Mail {
	t.Helper()
	m, err := smtptest.Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// icsProp returns the value of a property of an unfolded calendar object.
func icsProp(t *testing.T, ics, name string) string {
	t.Helper()
	if !strings.HasPrefix(ics, "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(ics, "END:VCALENDAR\r\n") {
		t.Fatalf("not a calendar object: %q", ics)
	}
	for line := range strings.SplitSeq(strings.ReplaceAll(ics, "\r\n ", ""), "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	t.Fatalf("no %s in %q", name, ics)
	return ""
}

// env is a booking service that queues mails, a worker and a sink, at
// Friday 2026-11-20 10:00 in Tokyo with cards 1..9 waiting.
type env struct {
	db     *store.DB
	clock  *clock.Fixed
	svc    *reserve.Service
	admin  *mail.Admin
	worker *mail.Worker
	sink   *smtptest.Sink
	tokyo  *time.Location
	meta   auth.Meta
}

var admin = auth.Principal{UserID: 1, Username: "admin", Role: auth.RoleAdmin}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, clock: clock.NewFixed(time.Date(2026, 11, 20, 10, 0, 0, 0, tokyo)), tokyo: tokyo, sink: smtptest.New(t),
		meta: auth.Meta{IP: "192.0.2.1"}}
	e.svc = reserve.New(db, e.clock)
	e.svc.SetMailer(mail.NewNotifier("https://yoyaku.example.lg.jp/"))
	st := booking.DefaultSettings()
	st.PublicRateLimitPerMinute = 10000
	st.ContactPhone = "000-111-2222"
	if err := e.svc.SaveSettings(t.Context(), admin, auth.Meta{}, st); err != nil {
		t.Fatal(err)
	}
	e.admin = mail.NewAdmin(db, e.clock)
	if _, err := e.admin.SaveSettings(t.Context(), admin, auth.Meta{}, e.mailSettings()); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 9; i++ {
		ledgertest.MustCard(t, db, ledgertest.Seed{App: i, Notice: notice(i), Birth: birth(i), Status: card.StatusNoticeSent,
			Name: fmt.Sprintf("秘密　太郎%d", i), Kana: "ヒミツ", Storage: "A棚"})
	}
	e.worker = e.newWorker(db)
	return e
}

func (e *env) mailSettings() mail.Settings {
	st := mail.DefaultSettings()
	st.Enabled, st.Host, st.Port, st.Security = true, "127.0.0.1", e.sink.Port, mail.SecurityNone
	st.FromAddress, st.FromName = "yoyaku@city.example.lg.jp", "架空市 市民課"
	return st
}

func (e *env) newWorker(db *store.DB) *mail.Worker {
	w := mail.NewWorker(db, e.clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.SendTimeout = 5 * time.Second
	return w
}

func notice(i int) string { return fmt.Sprintf("ABC-%06d", i) }
func birth(i int) string  { return fmt.Sprintf("1980-01-%02d", i) }

func (e *env) at(t *testing.T, s string) {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", s, e.tokyo)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(at.Sub(e.clock.Now()))
}

func (e *env) jst(t *testing.T, s string) string {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", s, e.tokyo)
	if err != nil {
		t.Fatal(err)
	}
	return at.Format(time.RFC3339)
}

func (e *env) book(t *testing.T, start string, cards ...int) (reserve.Booking, string) {
	t.Helper()
	req := reserve.CreateRequest{Service: "pickup", Place: "main", Start: e.jst(t, start), Email: "taro@example.jp"}
	for _, i := range cards {
		req.People = append(req.People, reserve.PersonInput{NoticeNumber: notice(i), BirthDate: birth(i)})
	}
	b, token, err := e.svc.Book(t.Context(), e.meta, req)
	if err != nil {
		t.Fatalf("book: %v", err)
	}
	return b, token
}

// run runs the worker once and checks what it did.
func (e *env) run(t *testing.T, want mail.Report) {
	t.Helper()
	got, err := e.worker.RunOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("run: %+v, want %+v", got, want)
	}
}

// outbox lists the outbox rows of a status, oldest first.
func (e *env) outbox(t *testing.T, status string) []store.MailMessage {
	t.Helper()
	var ms []store.MailMessage
	err := e.db.View(t.Context(), func(tx *store.Tx) (err error) {
		ms, err = tx.ListMail(t.Context(), store.MailFilter{Status: status, Limit: 1000})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(ms)-1; i < j; i, j = i+1, j-1 {
		ms[i], ms[j] = ms[j], ms[i]
	}
	return ms
}

func kinds(ms []store.MailMessage) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Kind)
	}
	return strings.Join(out, ",")
}

func itoa(n int) string { return strconv.Itoa(n) }
