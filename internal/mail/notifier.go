package mail

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/sitetext"
	"github.com/kofu-oss/kofu/internal/store"
)

// ManagePath is the page of the citizen site where a resident looks at,
// changes or cancels a booking; links carry the code only.
const ManagePath = "/booking/manage"

// Notifier queues the mails of booking events; it is the reserve.Mailer
// of the server. Each mail carries one booking's data only.
type Notifier struct {
	baseURL string
}

var _ reserve.Mailer = (*Notifier)(nil)

// NewNotifier returns a notifier whose links start with baseURL (the
// public URL of the citizen site, config.Config.BaseURL).
func NewNotifier(baseURL string) *Notifier {
	return &Notifier{baseURL: strings.TrimRight(baseURL, "/")}
}

// Booked queues the confirmation and the reminder.
func (n *Notifier) Booked(ctx context.Context, tx *store.Tx, b reserve.Booking, now time.Time) error {
	st, ok, err := n.settingsFor(ctx, tx, b)
	if err != nil || !ok {
		return err
	}
	if err := n.queue(ctx, tx, st, KindConfirmation, b, nil, now); err != nil {
		return err
	}
	return n.queueReminder(ctx, tx, st, b, now)
}

// Changed queues the change mail and replaces the pending reminder with
// one for the new start.
func (n *Notifier) Changed(ctx context.Context, tx *store.Tx, before, after reserve.Booking, now time.Time) error {
	if _, err := tx.CancelPendingMail(ctx, after.ID, string(KindReminder), now); err != nil {
		return err
	}
	st, ok, err := n.settingsFor(ctx, tx, after)
	if err != nil || !ok {
		return err
	}
	if err := n.queue(ctx, tx, st, KindChange, after, &before, now); err != nil {
		return err
	}
	return n.queueReminder(ctx, tx, st, after, now)
}

// Cancelled cancels the pending reminder and queues the cancellation.
func (n *Notifier) Cancelled(ctx context.Context, tx *store.Tx, b reserve.Booking, now time.Time) error {
	if _, err := tx.CancelPendingMail(ctx, b.ID, string(KindReminder), now); err != nil {
		return err
	}
	st, ok, err := n.settingsFor(ctx, tx, b)
	if err != nil || !ok {
		return err
	}
	return n.queue(ctx, tx, st, KindCancellation, b, nil, now)
}

// mailContext is what a booking's mails are rendered with.
type mailContext struct {
	Settings
	contactPhone string
	texts        sitetext.Set     // the citizen site's wording of the help line
	bookings     booking.Settings // the names of places and services per language
}

// settingsFor loads the settings and reports whether the booking gets
// mails: mail is enabled and the booking has an address.
func (n *Notifier) settingsFor(ctx context.Context, tx *store.Tx, b reserve.Booking) (mailContext, bool, error) {
	if b.Email == "" {
		return mailContext{}, false, nil
	}
	st, err := LoadSettings(ctx, tx)
	if err != nil || !st.Enabled {
		return mailContext{}, false, err
	}
	var bs booking.Settings
	if _, err := tx.LoadSetting(ctx, booking.SettingsKey, &bs); err != nil {
		return mailContext{}, false, err
	}
	texts, err := sitetext.Load(ctx, tx)
	if err != nil {
		return mailContext{}, false, err
	}
	return mailContext{Settings: st, contactPhone: bs.ContactPhone, texts: texts, bookings: bs}, true, nil
}

// queueReminder queues the reminder, once per booking and start, unless
// reminders are off or its time is no longer ahead.
func (n *Notifier) queueReminder(ctx context.Context, tx *store.Tx, st mailContext, b reserve.Booking, now time.Time) error {
	at, ok := st.Reminder.reminderAt(b.Start, b.Location)
	if !ok || !at.After(now) || !at.Before(b.Start) {
		return nil
	}
	msg := n.message(st, KindReminder, b, nil, now)
	msg.NotBefore = at
	msg.DedupeKey = "reminder:" + strconv.FormatInt(b.ID, 10) + ":" + strconv.FormatInt(b.Start.UnixMilli(), 10)
	_, err := Enqueue(ctx, tx, msg)
	return err
}

func (n *Notifier) queue(ctx context.Context, tx *store.Tx, st mailContext, k Kind, b reserve.Booking, before *reserve.Booking, now time.Time) error {
	_, err := Enqueue(ctx, tx, n.message(st, k, b, before, now))
	return err
}

// message renders one mail of a booking.
func (n *Notifier) message(st mailContext, k Kind, b reserve.Booking, before *reserve.Booking, now time.Time) Message {
	d := n.data(st, b, before)
	templates := st.Templates
	if b.Lang == "en" {
		templates = DefaultTemplatesEN()
	}
	subject, body := renderKind(templates, k, d)
	return Message{Kind: k, BookingID: b.ID, BookingCode: b.Code, To: b.Email, Subject: subject, Body: body,
		ICS: n.event(st, k, b, d, now).ics(), CreatedAt: now}
}

// data is the template data of a booking: its own code, time, place,
// people count and items, never names or birth dates.
// It is written in the booking's language: the names of the place and
// the service, dates and the help line.
func (n *Notifier) data(st mailContext, b reserve.Booking, before *reserve.Booking) Data {
	loc := location(b)
	lang := langOf(b)
	date := japaneseDate
	if lang == "en" {
		date = englishDate
	}
	d := Data{Code: reserve.FormatCode(b.Code), Service: b.ServiceName, Place: b.PlaceName,
		Date: date(b.Start.In(loc)), Time: b.Start.In(loc).Format("15:04"), EndTime: b.End.In(loc).Format("15:04"),
		People: b.Seats, Items: b.ItemsToBring, ManageURL: n.manageURL(b.Code), ContactPhone: st.contactPhone}
	if svc, ok := st.bookings.Service(b.Service); ok {
		d.Service = svc.NameIn(lang)
	}
	if pl, ok := st.bookings.Place(b.Place); ok {
		d.Place = pl.NameIn(lang)
	}
	d.ContactOffice, _ = st.texts.Get("help.office", lang)
	d.ContactHours, _ = st.texts.Get("help.hours", lang)
	if !b.ChangeClosesAt.IsZero() {
		// The last minute the engine accepts a change (ChangeClosesAt).
		last := b.ChangeClosesAt.Add(-time.Minute).In(loc)
		d.ChangeDeadline = date(last) + " " + last.Format("15:04")
	}
	if before != nil && !before.Start.Equal(b.Start) {
		d.OldDate, d.OldTime = date(before.Start.In(loc)), before.Start.In(loc).Format("15:04")
	}
	return d
}

// langOf is the booking's language: "en" or "ja".
func langOf(b reserve.Booking) string {
	if b.Lang == "en" {
		return "en"
	}
	return "ja"
}

// manageURL links to the manage page with the booking code only. The
// manage token is never put in a mail: it exists in clear text only in the
// answer to the booking request, a link would leave it in mail servers,
// the outbox and access logs, and change or reminder mails could not
// carry it anyway. The page asks for it (the resident noted it from the
// completion screen).
func (n *Notifier) manageURL(code string) string {
	if n.baseURL == "" {
		return ""
	}
	return n.baseURL + ManagePath + "?code=" + url.QueryEscape(reserve.FormatCode(code))
}

// event is the calendar entry: the same UID for every mail of a booking,
// so calendars update or remove the entry they hold.
func (n *Notifier) event(st mailContext, k Kind, b reserve.Booking, d Data, now time.Time) event {
	w := icsWords[langOf(b)]
	desc := fmt.Sprintf(w.code+"\n"+w.people, d.Code, d.People)
	if len(d.Items) > 0 {
		desc += "\n" + w.items + strings.Join(d.Items, w.sep)
	}
	if d.ManageURL != "" {
		desc += "\n" + w.manage + d.ManageURL
	}
	return event{UID: b.Code + "@" + n.uidDomain(st), Sequence: b.Version, Stamp: now, Start: b.Start, End: b.End,
		Summary: fmt.Sprintf(w.summary, d.Service, d.Code), Location: d.Place, Description: desc,
		URL: d.ManageURL, Cancelled: k == KindCancellation}
}

// uidDomain is the host of the public URL, which does not change with
// the mail settings, or else the sender's domain.
func (n *Notifier) uidDomain(st mailContext) string {
	if u, err := url.Parse(n.baseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return domainOf(st.FromAddress)
}

func location(b reserve.Booking) *time.Location {
	if b.Location != nil {
		return b.Location
	}
	return time.UTC
}

// icsWords are the words of the calendar entry per language.
var icsWords = map[string]struct{ code, people, items, sep, manage, summary string }{
	"ja": {"予約番号: %s", "人数: %d人", "持ち物: ", "、", "確認・変更・取り消し: ", "%s（予約番号 %s）"},
	"en": {"Booking code: %s", "People: %d", "What to bring: ", ", ", "View, change or cancel: ", "%s (booking code %s)"},
}

// englishDate formats t as Tue 1 Dec 2026.
func englishDate(t time.Time) string { return t.Format("Mon 2 Jan 2006") }

// japaneseDate formats t as 2026年12月1日（火）.
func japaneseDate(t time.Time) string {
	weekday := []rune("日月火水木金土")[t.Weekday()]
	return fmt.Sprintf("%d年%d月%d日（%c）", t.Year(), int(t.Month()), t.Day(), weekday)
}
