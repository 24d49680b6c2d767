package mail

import (
	"strings"
	"testing"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/store"
)

func TestICSLinesAreFoldedAt75Octets(t *testing.T) {
	long := strings.Repeat("マイナンバーカード、受け取り;", 12)
	ev := event{UID: "ABCDEFGH@example.jp", Stamp: time.Unix(0, 0), Start: time.Unix(3600, 0), End: time.Unix(5400, 0),
		Summary: long, Location: "本庁", Description: "一行目\n二行目"}
	ics := ev.ics()
	for _, line := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Fatalf("line of %d octets: %q", len(line), line)
		}
		if strings.ContainsAny(line, "\r\n") {
			t.Fatalf("bare line break in %q", line)
		}
	}
	unfolded := strings.ReplaceAll(ics, "\r\n ", "")
	if !strings.Contains(unfolded, "SUMMARY:"+strings.NewReplacer(",", `\,`, ";", `\;`).Replace(long)+"\r\n") ||
		!strings.Contains(unfolded, `DESCRIPTION:一行目\n二行目`) || !strings.Contains(unfolded, "DTSTART:19700101T010000Z") {
		t.Fatalf("unfolded:\n%s", unfolded)
	}
}

func TestSubjectIsEncodedAndFolded(t *testing.T) {
	st := Settings{FromAddress: "yoyaku@city.example.lg.jp", FromName: "架空市役所 市民課 マイナンバーカード交付窓口"}
	subject := strings.Repeat("【予約完了】マイナンバーカードの受け取り", 3)
	raw, err := compose(st, store.MailMessage{ID: 1, To: "taro@example.jp", Subject: subject, Body: "本文\n二行目"}, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n") {
		if len(line) > 78 {
			t.Fatalf("header line of %d characters: %q", len(line), line)
		}
		if !isASCII(line) {
			t.Fatalf("raw 8-bit header: %q", line)
		}
	}
	if !strings.Contains(head, "Subject: =?UTF-8?b?") || !strings.Contains(head, "From: =?UTF-8?b?") ||
		!strings.Contains(head, "Content-Type: text/plain; charset=UTF-8") {
		t.Fatalf("header:\n%s", head)
	}
}

func TestComposeRefusesHeaderInjection(t *testing.T) {
	_, err := compose(Settings{FromAddress: "a@example.jp"}, store.MailMessage{To: "a@example.jp\r\nBcc: x@example.jp"}, time.Now())
	if err == nil {
		t.Fatal("line break in the address was accepted")
	}
}

func TestBackoffDoublesUpToTwoHours(t *testing.T) {
	for attempts, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 4: 8 * time.Minute, 8: 2 * time.Hour, 30: 2 * time.Hour} {
		if got := backoff(attempts); got != want {
			t.Errorf("backoff(%d) = %v, want %v", attempts, got, want)
		}
	}
}

func TestReminderTime(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, tokyo)
	at, ok := Reminder{Enabled: true, DaysBefore: 1, At: "12:00"}.reminderAt(start, tokyo)
	if !ok || !at.Equal(time.Date(2026, 11, 30, 12, 0, 0, 0, tokyo)) {
		t.Fatalf("reminder at %v", at)
	}
	if _, ok := (Reminder{DaysBefore: 1, At: "12:00"}).reminderAt(start, tokyo); ok {
		t.Fatal("a disabled reminder has a time")
	}
}

func TestSettingsValidation(t *testing.T) {
	if err := DefaultSettings().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	st := DefaultSettings()
	st.Enabled, st.Security, st.Username, st.Port = true, SecurityNone, "user", 0
	st.FromAddress, st.Reminder.At = "not an address", "25:00"
	st.Templates.Confirmation.Body = "{{.Nope}}"
	st.Templates.Reminder.Subject = "{{if}}"
	fields := map[string]bool{}
	for _, f := range apperr.FieldsOf(st.Validate()) {
		fields[f.Field] = true
	}
	for _, want := range []string{"host", "port", "security", "from_address", "reminder.at", "templates.confirmation.body", "templates.reminder.subject"} {
		if !fields[want] {
			t.Errorf("no message for %s; got %v", want, fields)
		}
	}
}

func TestBrokenTemplateFallsBackToTheDefault(t *testing.T) {
	tp := DefaultTemplates()
	tp.Confirmation.Body = "{{.Code}} {{index .Items 99}}"
	subject, body := renderKind(tp, KindConfirmation, sampleData())
	if !strings.Contains(subject, "ABCD-EFGH") || !strings.Contains(body, "ご予約を承りました") {
		t.Fatalf("%q\n%s", subject, body)
	}
}

func TestMaskedHidesThePassword(t *testing.T) {
	st := Settings{Password: "s3cret"}
	if st.Masked().Password != PasswordMask || (Settings{}).Masked().Password != "" {
		t.Fatal("password not masked")
	}
}
