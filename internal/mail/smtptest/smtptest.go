// Package smtptest is a real SMTP server on loopback for tests: it keeps
// what it receives, can refuse or slow down deliveries, and takes the
// received mails apart.
package smtptest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Sink is an SMTP server on 127.0.0.1. Recipients starting with
// "unknown@" are refused permanently.
type Sink struct {
	Port int

	mu      sync.Mutex
	got     []Received
	refuse  int // DATA commands still to refuse
	delay   time.Duration
	refused int
}

// Received is one mail as it arrived.
type Received struct {
	From, To string
	Data     []byte
}

// New starts a sink that stops with the test.
func New(t testing.TB) *Sink {
	t.Helper()
	s := &Sink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Port = l.Addr().(*net.TCPAddr).Port
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

// RefuseNext answers the next n deliveries with a temporary error.
func (s *Sink) RefuseNext(n int) {
	s.mu.Lock()
	s.refuse = n
	s.mu.Unlock()
}

// SetDelay slows every delivery down by d.
func (s *Sink) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// Messages returns what arrived so far, oldest first.
func (s *Sink) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.got...)
}

func (s *Sink) deliver(r Received) error {
	s.mu.Lock()
	delay := s.delay
	if s.refuse > 0 {
		s.refuse--
		s.refused++
		s.mu.Unlock()
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.mu.Unlock()
	time.Sleep(delay)
	s.mu.Lock()
	s.got = append(s.got, r)
	s.mu.Unlock()
	return nil
}

type session struct {
	s        *Sink
	from, to string
}

func (ss *session) Reset()        { ss.from, ss.to = "", "" }
func (ss *session) Logout() error { return nil }
func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "unknown@") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	ss.to = to
	return nil
}
func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return ss.s.deliver(Received{From: ss.from, To: ss.to, Data: b})
}

// Mail is a received mail taken apart: Kofu's mails are multipart/mixed
// with a base64 text part and, for bookings, a calendar part.
type Mail struct {
	To      string
	Subject string
	Body    string
	ICS     string
	Header  netmail.Header
}

// Parse takes r apart and fails on anything Kofu does not send.
func Parse(r Received) (Mail, error) {
	m, err := netmail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		return Mail{}, err
	}
	p := Mail{To: r.To, Header: m.Header}
	if p.Subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		return p, err
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err == nil && mt == "text/plain" && params["charset"] == "UTF-8" && m.Header.Get("Content-Transfer-Encoding") == "base64" {
		// A mail without a calendar entry (the turn coming near).
		raw, _ := io.ReadAll(m.Body)
		dec, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(raw), "\r\n", ""))
		p.Body = string(dec)
		return p, err
	}
	if err != nil || mt != "multipart/mixed" {
		return p, fmt.Errorf("content type %q: %v", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			return p, nil
		}
		if err != nil {
			return p, err
		}
		raw, _ := io.ReadAll(part)
		dec, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(raw), "\r\n", ""))
		if err != nil {
			return p, fmt.Errorf("part not base64: %w", err)
		}
		switch ct := part.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/plain; charset=UTF-8"):
			p.Body = string(dec)
		case strings.HasPrefix(ct, "text/calendar; charset=UTF-8; method=PUBLISH"):
			p.ICS = string(dec)
		default:
			return p, fmt.Errorf("unexpected part %q", ct)
		}
	}
}
