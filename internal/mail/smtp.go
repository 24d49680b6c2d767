package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// conn is one SMTP connection that sends messages one after another.
type conn struct {
	c    *smtp.Client
	stop func() bool // stops closing the connection when ctx ends
}

// dial connects, protects the connection as the settings say, and logs
// in when a username is set. Every command times out after timeout, and
// the connection is closed when ctx ends.
func dial(ctx context.Context, st Settings, timeout time.Duration) (*conn, error) {
	d := net.Dialer{Timeout: timeout}
	nc, err := d.DialContext(ctx, "tcp", st.Addr())
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	c, err := newClient(nc, st)
	if err == nil && st.Username != "" {
		c.CommandTimeout = timeout
		err = c.Auth(sasl.NewPlainClient("", st.Username, st.Password))
	}
	if err != nil {
		stop()
		nc.Close()
		return nil, err
	}
	c.CommandTimeout, c.SubmissionTimeout = timeout, timeout
	return &conn{c: c, stop: stop}, nil
}

func newClient(nc net.Conn, st Settings) (*smtp.Client, error) {
	cfg := &tls.Config{ServerName: st.Host, MinVersion: tls.VersionTLS12}
	switch st.Security {
	case SecurityTLS:
		return smtp.NewClient(tls.Client(nc, cfg)), nil
	case SecuritySTARTTLS:
		return smtp.NewClientStartTLS(nc, cfg)
	}
	return smtp.NewClient(nc), nil
}

// send delivers one message to one recipient.
func (c *conn) send(from, to string, raw []byte) error {
	return c.c.SendMail(from, []string{to}, bytes.NewReader(raw))
}

// close ends the session politely, or just drops it.
func (c *conn) close() {
	c.stop()
	if c.c.Quit() != nil {
		c.c.Close()
	}
}

// permanent reports whether an error will not go away by retrying: the
// server refused the recipient's address (enhanced status 5.1.x), or
// the message cannot be built. Anything else (a server down, a 4xx, a
// login refused until an admin fixes the password) is retried.
func permanent(err error) bool {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code >= 500 && se.EnhancedCode[0] == 5 && se.EnhancedCode[1] == 1
	}
	var ce composeError
	return errors.As(err, &ce)
}

// composeError is a message that cannot be built.
type composeError struct{ err error }

func (e composeError) Error() string { return "compose: " + e.err.Error() }
func (e composeError) Unwrap() error { return e.err }
