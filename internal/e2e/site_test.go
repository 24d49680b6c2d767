package e2e

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http/httptest"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/kofu-oss/kofu/internal/auth"
	"github.com/kofu-oss/kofu/internal/auth/secret"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/card"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/config"
	"github.com/kofu-oss/kofu/internal/ledger/ledgertest"
	"github.com/kofu-oss/kofu/internal/mail"
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
	srv    *server.Server
	url    string
	clock  *clock.Fixed
	tokyo  *time.Location
	sink   *sink
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
	s := &site{t: t, db: db, clock: clock.NewFixed(time.Now()), tokyo: tokyo, sink: mustSink(t)}
	cfg := &config.Config{Location: tokyo, Sites: "all", BaseURL: "https://yoyaku.example.lg.jp/"}
	a := auth.NewService(db, s.clock, secret.TestParams(), "Kofu")
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if s.srv, err = server.New(server.Deps{Config: cfg, DB: db, Log: quiet, Auth: a, Clock: s.clock}); err != nil {
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
	if err := s.srv.Reserve().SaveSettings(t.Context(), admin, auth.Meta{}, st); err != nil {
		t.Fatal(err)
	}
	ms := mail.DefaultSettings()
	ms.Enabled, ms.Host, ms.Port, ms.Security = true, "127.0.0.1", s.sink.port, mail.SecurityNone
	ms.FromAddress, ms.FromName = "yoyaku@city.example.lg.jp", "架空市 市民課"
	if _, err := mail.NewAdmin(s.db, s.clock).SaveSettings(t.Context(), admin, auth.Meta{}, ms); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 20; i++ {
		ledgertest.MustCard(t, s.db, ledgertest.Seed{App: i, Notice: notice(i), Birth: birth(i),
			Status: card.StatusNoticeSent, Name: fmt.Sprintf("試験　太郎%d", i), Kana: "シケン", Storage: "A棚"})
	}
}

// A resident of the tests: card i has notice ABC-00000i, born 1980-01-i.
func notice(i int) string { return fmt.Sprintf("ABC-%06d", i) }
func birth(i int) string  { return fmt.Sprintf("1980-01-%02d", i) }

// sendMail runs the mail worker once: everything queued goes to the sink.
func (s *site) sendMail() {
	s.t.Helper()
	if _, err := s.worker.RunOnce(s.t.Context()); err != nil {
		s.t.Fatal(err)
	}
}

// sink is an SMTP server on loopback that keeps what it receives, as the
// mail package's tests have it.
type sink struct {
	mu   sync.Mutex
	got  []received
	port int
}

type received struct {
	To   string
	Data []byte
}

func mustSink(t *testing.T) *sink {
	t.Helper()
	s := &sink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *sink) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

type session struct {
	s  *sink
	to string
}

func (ss *session) Reset()                                    {}
func (ss *session) Logout() error                             { return nil }
func (ss *session) Mail(string, *smtp.MailOptions) error      { return nil }
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error { ss.to = to; return nil }
func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	ss.s.got = append(ss.s.got, received{To: ss.to, Data: b})
	ss.s.mu.Unlock()
	return nil
}

// parsedMail is a received mail taken apart: subject, text and calendar.
type parsedMail struct {
	To, Subject, Body, ICS string
}

func parseMail(t *testing.T, r received) parsedMail {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		t.Fatal(err)
	}
	p := parsedMail{To: r.To}
	if p.Subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextRawPart()
		if err != nil {
			break
		}
		raw, _ := io.ReadAll(part)
		dec, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(raw), "\r\n", ""))
		if err != nil {
			t.Fatalf("mail part not base64: %v", err)
		}
		switch ct := part.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/plain"):
			p.Body = string(dec)
		case strings.HasPrefix(ct, "text/calendar"):
			p.ICS = string(dec)
		}
	}
	return p
}
