package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/store"
)

// compose builds the RFC 5322 message of an outbox row: UTF-8 text in
// base64, and the calendar entry as a text/calendar attachment when the
// row has one. Lines end in CRLF.
func compose(st Settings, m store.MailMessage, now time.Time) ([]byte, error) {
	if strings.ContainsAny(m.To, "\r\n") {
		return nil, errors.New("mail: line break in the recipient address")
	}
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", fromHeader(st))
	header("To", m.To)
	header("Subject", encodeHeader(m.Subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", messageID(m.ID, domainOf(st.FromAddress)))
	header("MIME-Version", "1.0")
	header("Auto-Submitted", "auto-generated") // RFC 3834: no auto-replies
	if m.ICS == "" {
		header("Content-Type", "text/plain; charset=UTF-8")
		header("Content-Transfer-Encoding", "base64")
		b.WriteString("\r\n")
		b.WriteString(base64Lines([]byte(crlf(m.Body))))
		return b.Bytes(), nil
	}
	mw := multipart.NewWriter(&b)
	header("Content-Type", `multipart/mixed; boundary="`+mw.Boundary()+`"`)
	b.WriteString("\r\n")
	if err := writePart(mw, "text/plain; charset=UTF-8", "", crlf(m.Body)); err != nil {
		return nil, err
	}
	cal := `text/calendar; charset=UTF-8; method=PUBLISH; name="yoyaku.ics"`
	if err := writePart(mw, cal, `attachment; filename="yoyaku.ics"`, m.ICS); err != nil {
		return nil, err
	}
	return b.Bytes(), mw.Close()
}

func writePart(mw *multipart.Writer, contentType, disposition, content string) error {
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", contentType)
	h.Set("Content-Transfer-Encoding", "base64")
	if disposition != "" {
		h.Set("Content-Disposition", disposition)
	}
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	_, err = w.Write([]byte(base64Lines([]byte(content))))
	return err
}

// fromHeader is the From header: the sender's name encoded per RFC 2047
// when it is not ASCII.
func fromHeader(st Settings) string {
	if st.FromName == "" {
		return st.FromAddress
	}
	if isASCII(st.FromName) {
		return (&mail.Address{Name: st.FromName, Address: st.FromAddress}).String()
	}
	return encodeHeader(st.FromName) + "\r\n <" + st.FromAddress + ">"
}

// encodeHeader encodes a header value as RFC 2047 B encoded-words of at
// most 60 characters, one per folded line, so that with the header's name
// no line grows past 76 characters (RFC 2047 2) and no character is split.
func encodeHeader(s string) string {
	if isASCII(s) && len(s) < 900 {
		return s
	}
	const chunk = 36 // octets of UTF-8 per word: 48 characters of base64
	var words []string
	start := 0
	for i, r := range s {
		if i-start+utf8.RuneLen(r) > chunk {
			words = append(words, mime.BEncoding.Encode("UTF-8", s[start:i]))
			start = i
		}
	}
	words = append(words, mime.BEncoding.Encode("UTF-8", s[start:]))
	return strings.Join(words, "\r\n ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] < 0x20 {
			return false
		}
	}
	return true
}

// base64Lines encodes b in lines of 76 characters ending in CRLF.
func base64Lines(b []byte) string {
	enc := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(enc) > 76 {
		out.WriteString(enc[:76])
		out.WriteString("\r\n")
		enc = enc[76:]
	}
	out.WriteString(enc)
	out.WriteString("\r\n")
	return out.String()
}

// crlf turns the line ends of a text into CRLF.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

func messageID(id int64, domain string) string {
	var r [8]byte
	rand.Read(r[:])
	return fmt.Sprintf("<kofu.%d.%s@%s>", id, hex.EncodeToString(r[:]), domain)
}

// domainOf returns the domain of an address, or "localhost".
func domainOf(addr string) string {
	if _, d, ok := strings.Cut(addr, "@"); ok && d != "" {
		return d
	}
	return "localhost"
}
