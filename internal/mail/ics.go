package mail

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// event is the calendar entry of a booking (RFC 5545).
type event struct {
	UID         string // booking code + "@" + domain: stable across changes
	Sequence    int    // grows with every change of the booking
	Stamp       time.Time
	Start, End  time.Time
	Summary     string
	Location    string
	Description string
	URL         string
	Cancelled   bool
}

// ics renders the event as a calendar object: CRLF line endings, lines
// folded at 75 octets, times in UTC. The method is always PUBLISH (RFC
// 5546 3.2.1): a cancellation publishes the same UID with a higher
// SEQUENCE and STATUS:CANCELLED, which needs no ORGANIZER, unlike CANCEL.
func (e event) ics() string {
	status := "CONFIRMED"
	if e.Cancelled {
		status = "CANCELLED"
	}
	lines := []string{
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//Kofu//Booking//JA",
		"CALSCALE:GREGORIAN",
		"METHOD:PUBLISH",
		"BEGIN:VEVENT",
		"UID:" + escapeText(e.UID),
		"SEQUENCE:" + strconv.Itoa(e.Sequence),
		"DTSTAMP:" + icsTime(e.Stamp),
		"DTSTART:" + icsTime(e.Start),
		"DTEND:" + icsTime(e.End),
		"SUMMARY:" + escapeText(e.Summary),
		"LOCATION:" + escapeText(e.Location),
		"DESCRIPTION:" + escapeText(e.Description),
		"STATUS:" + status,
		"TRANSP:OPAQUE",
	}
	if e.URL != "" {
		lines = append(lines, "URL:"+e.URL)
	}
	lines = append(lines, "END:VEVENT", "END:VCALENDAR")
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(fold(l))
		b.WriteString("\r\n")
	}
	return b.String()
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// escapeText escapes a TEXT value (RFC 5545 3.3.11).
func escapeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", "").Replace(s)
}

// fold splits a content line into lines of at most 75 octets, never
// inside a UTF-8 sequence; continuation lines start with a space, which
// counts towards their 75 octets (RFC 5545 3.1).
func fold(line string) string {
	const limit = 75
	var b strings.Builder
	n := 0
	for _, r := range line {
		size := utf8.RuneLen(r)
		if n+size > limit {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += size
	}
	return b.String()
}
