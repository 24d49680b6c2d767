package e2e

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/app"
	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/mail"
	"github.com/kofu-oss/kofu/internal/mail/smtptest"
	"github.com/kofu-oss/kofu/internal/server"
	"github.com/kofu-oss/kofu/internal/store"
)

// helpPhone is the city's phone number; refusals after the cut-off name it.
const helpPhone = "079-559-5000"

// site is a running server with cards waiting for pickup, mail going to
// an SMTP sink on loopback, and a clock the tests move.
type site struct {
	t      *testing.T
	db     *store.DB
	city   *app.City
	srv    *server.Server
	url    string
	clock  *clock.Fixed
	tokyo  *time.Location
	sink   *smtptest.Sink
	worker *mail.Worker
}

var admin = auth.Principal{UserID: 1, Username: "admin", Role: auth.RoleAdmin}

// newSite starts the server on db. Bookings open 7 days ahead and close for
// online changes 3 days before, so a test can pass the cut-off by moving
// the clock.
func newSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, db: db, clock: clock.NewFixed(time.Now()), tokyo: tokyo, sink: smtptest.New(t)}
	cfg := &config.Config{Location: tokyo, Sites: "all", BaseURL: "https://yoyaku.example.lg.jp/"}
	a := auth.NewService(db, s.clock, secret.TestParams(), "Kofu")
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if s.city, err = app.New(t.Context(), app.Deps{Config: cfg, DB: db, Log: quiet, Auth: a, Clock: s.clock}); err != nil {
		t.Fatal(err)
	}
	if s.srv, err = server.New(s.city, server.Options{}); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.srv)
	t.Cleanup(ts.Close)
	s.url = ts.URL
	s.configure()
	s.worker = mail.NewWorker(db, s.clock, quiet)
	s.worker.SendTimeout = 5 * time.Second
	return s
}

// configure saves booking and mail settings and seeds the cards.
func (s *site) configure() {
	t := s.t
	st := booking.DefaultSettings()
	st.MinDaysAhead, st.MaxDaysAhead, st.ChangeCutoffDays = 7, 60, 2
	st.PublicRateLimitPerMinute = 10000
	st.ContactPhone = helpPhone
	st.Places[0].Capacity = 5
	// A second place puts the place step into every flow.
	day := []string{"09:00-12:00"}
	st.Places = append(st.Places, booking.Place{ID: "north", Name: "北部支所", SlotMinutes: 30, Capacity: 2,
		Hours: map[string][]string{"tue": day, "thu": day}})
	for i := range st.Services {
		st.Services[i].Places = []string{"main", "north"}
	}
	if err := s.city.Reserve.SaveSettings(t.Context(), admin, auth.Meta{}, st); err != nil {
		t.Fatal(err)
	}
	s.switchMail(t, true)
	for i := 1; i <= 20; i++ {
		ledgertest.MustCard(t, s.db, ledgertest.Seed{App: i, Notice: notice(i), Birth: birth(i),
			Status: card.StatusNoticeSent, Name: fmt.Sprintf("試験　太郎%d", i), Kana: "シケン", Storage: "A棚"})
	}
}

// switchMail saves the mail settings (to the sink) with mail on or off.
func (s *site) switchMail(t *testing.T, on bool) {
	t.Helper()
	ms := mail.DefaultSettings()
	ms.Enabled, ms.Host, ms.Port, ms.Security = on, "127.0.0.1", s.sink.Port, mail.SecurityNone
	ms.FromAddress, ms.FromName = "yoyaku@city.example.lg.jp", "架空市 市民課"
	if _, err := mail.NewAdmin(s.db, s.clock).SaveSettings(t.Context(), admin, auth.Meta{}, ms); err != nil {
		t.Fatal(err)
	}
}

// A resident of the tests: card i has notice ABC-00000i, born 1980-01-i;
// cards 3 and 10, the second person of the family flows, are children
// born 2016-05-i, who come with their legal representative.
func notice(i int) string { return fmt.Sprintf("ABC-%06d", i) }
func birth(i int) string {
	if i == 3 || i == 10 {
		return fmt.Sprintf("2016-05-%02d", i)
	}
	return fmt.Sprintf("1980-01-%02d", i)
}

// sendMail runs the mail worker once: everything queued goes to the sink.
func (s *site) sendMail() {
	s.t.Helper()
	if _, err := s.worker.RunOnce(s.t.Context()); err != nil {
		s.t.Fatal(err)
	}
}

// parseMail takes a received mail apart or fails the test.
func parseMail(t *testing.T, r smtptest.Received) smtptest.Mail {
	t.Helper()
	m, err := smtptest.Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
