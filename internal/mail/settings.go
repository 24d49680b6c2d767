package mail

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/store"
)

// SettingsKey is where the mail settings live in the settings table.
const SettingsKey = "mail"

// PasswordMask stands for the stored SMTP password in answers; saving
// it back keeps the stored password.
const PasswordMask = "********"

// Security is how the SMTP connection is protected.
type Security string

// The connection securities.
const (
	SecurityNone     Security = "none"     // plain SMTP, e.g. a relay inside LGWAN
	SecuritySTARTTLS Security = "starttls" // upgrade on the submission port (587)
	SecurityTLS      Security = "tls"      // implicit TLS (465)
)

// Settings are the city's mail settings, one JSON document that admins
// edit. Password is a secret: it is stored as given (the settings table is
// as protected as the rest of the database, and backups carry it) and
// masked in every answer and audit entry.
type Settings struct {
	// Enabled turns booking mails on. While off nothing is queued.
	Enabled     bool     `json:"enabled"`
	Host        string   `json:"host"`
	Port        int      `json:"port"`
	Security    Security `json:"security"`
	Username    string   `json:"username"`
	Password    string   `json:"password"`
	FromAddress string   `json:"from_address"`
	FromName    string   `json:"from_name"`
	// Reminder says when the reminder goes out.
	Reminder Reminder `json:"reminder"`
	// Templates are the texts per kind; an empty subject or body uses
	// the default text.
	Templates Templates `json:"templates"`
}

// Reminder is sent DaysBefore days before the booking's day at At
// ("HH:MM") in the booking time zone, unless that moment has already
// passed when the booking is made or changed.
type Reminder struct {
	Enabled    bool   `json:"enabled"`
	DaysBefore int    `json:"days_before"`
	At         string `json:"at"`
}

// Templates holds a text per kind of mail.
type Templates struct {
	Confirmation Template `json:"confirmation"`
	Change       Template `json:"change"`
	Cancellation Template `json:"cancellation"`
	Reminder     Template `json:"reminder"`
}

// Template is a subject and a body in text/template syntax; Data lists
// the fields they may use.
type Template struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// DefaultSettings are the settings before an admin saves any: mail off,
// the submission port with STARTTLS, a reminder the day before at noon.
func DefaultSettings() Settings {
	return Settings{
		Port:      587,
		Security:  SecuritySTARTTLS,
		Reminder:  Reminder{Enabled: true, DaysBefore: 1, At: "12:00"},
		Templates: DefaultTemplates(),
	}
}

// LoadSettings reads the mail settings in tx: the defaults when none are
// stored, and the default text for every template left empty.
func LoadSettings(ctx context.Context, tx *store.Tx) (Settings, error) {
	var st Settings
	found, err := tx.LoadSetting(ctx, SettingsKey, &st)
	if err != nil || !found {
		return DefaultSettings(), err
	}
	st.Templates = st.Templates.withDefaults()
	return st, nil
}

// Masked returns the settings as answers show them: the password, when
// one is stored, replaced by PasswordMask.
func (s Settings) Masked() Settings {
	if s.Password != "" {
		s.Password = PasswordMask
	}
	return s
}

// Ready reports whether mails can be sent with these settings.
func (s Settings) Ready() bool { return s.Enabled && s.Host != "" && s.FromAddress != "" }

// Addr is the SMTP server's host:port.
func (s Settings) Addr() string { return fmt.Sprintf("%s:%d", s.Host, s.Port) }

// reminderAt returns when the reminder of a booking starting at start goes
// out, in loc.
func (r Reminder) reminderAt(start time.Time, loc *time.Location) (time.Time, bool) {
	hm, err := time.Parse("15:04", r.At)
	if !r.Enabled || err != nil {
		return time.Time{}, false
	}
	s := start.In(loc)
	return time.Date(s.Year(), s.Month(), s.Day()-r.DaysBefore, hm.Hour(), hm.Minute(), 0, 0, loc), true
}

// Validate reports every wrong field, in Japanese. The SMTP server and
// sender are required only while mail is enabled.
func (s Settings) Validate() error {
	var fe apperr.Fields
	check := func(ok bool, field, msg string) {
		if !ok {
			fe.Add(field, msg)
		}
	}
	s.checkServer(check)
	s.checkSender(check)
	_, err := time.Parse("15:04", s.Reminder.At)
	check(err == nil && len(s.Reminder.At) == 5, "reminder.at", "送信時刻は HH:MM（例 12:00）で指定してください。")
	check(s.Reminder.DaysBefore >= 0 && s.Reminder.DaysBefore <= 14, "reminder.days_before", "0 以上 14 以下で指定してください。")
	fe = append(fe, s.Templates.check()...)
	if len(fe) > 0 {
		return apperr.WithFields("メール設定に誤りがあります。", fe)
	}
	return nil
}

func (s Settings) checkServer(check func(bool, string, string)) {
	check(!s.Enabled || strings.TrimSpace(s.Host) != "", "host", "SMTP サーバーを入力してください。")
	check(!strings.ContainsAny(s.Host, " \t\r\n/:@"), "host", "SMTP サーバーはホスト名か IP アドレスで入力してください（ポートは別の欄です）。")
	check(s.Port >= 1 && s.Port <= 65535, "port", "ポート番号は 1 以上 65535 以下で指定してください。")
	switch s.Security {
	case SecurityNone, SecuritySTARTTLS, SecurityTLS:
	default:
		check(false, "security", "接続の保護は none・starttls・tls のいずれかを指定してください。")
	}
	// A password must never cross the network in clear text.
	check(s.Username == "" || s.Security != SecurityNone, "security", "認証を使う場合は starttls か tls を選んでください。")
	check(s.Username != "" || s.Password == "" || s.Password == PasswordMask, "username", "パスワードを使う場合はユーザー名も入力してください。")
	check(utf8.RuneCountInString(s.Username) <= 256 && len(s.Password) <= 256, "password", "ユーザー名とパスワードは 256 文字以内で入力してください。")
	check(!strings.ContainsAny(s.Username+s.Password, "\r\n"), "password", "ユーザー名とパスワードに改行は使えません。")
}

func (s Settings) checkSender(check func(bool, string, string)) {
	check(!s.Enabled || s.FromAddress != "", "from_address", "送信元のメールアドレスを入力してください。")
	if s.FromAddress != "" {
		a, err := mail.ParseAddress(s.FromAddress)
		check(err == nil && a.Name == "" && a.Address == s.FromAddress, "from_address", "送信元のメールアドレスの形式が正しくありません（例 yoyaku@city.example.lg.jp）。")
	}
	check(!strings.ContainsAny(s.FromName, "\r\n\"<>"), "from_name", "送信者名に改行や \" < > は使えません。")
	check(utf8.RuneCountInString(s.FromName) <= 64, "from_name", "送信者名は 64 文字以内で入力してください。")
}
