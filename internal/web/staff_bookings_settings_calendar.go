package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
)

// settingsCalendar is one month of one place's days as bookings see them,
// for closing a day (休業日) or opening one (臨時開庁日) with a click.
type settingsCalendar struct {
	Place      option
	Month      string // "2026-12"
	Title      string // "2026年12月"
	Prev, Next string // links to the neighbouring months
	Weeks      [][]settingsDay
	Form       bookingForm // the form to open a day
}

// settingsDay is a day of the calendar; Day 0 pads the first and last week.
type settingsDay struct {
	Day     int
	Date    string
	Label   string // 12月3日（木）
	State   string // open, closed, closed-date, open-date
	Text    string // the hours, or why it is closed
	Action  string // the button's name: close, reopen or unopen
	Button  string // its words
	Weekend bool
}

// settingsCalendar builds the calendar of the place (the first place when
// none or an unknown one is asked for) for month "YYYY-MM" (this month in
// the settings' zone when empty or malformed).
func (ui *UI) settingsCalendar(st booking.Settings, placeID, month string) *settingsCalendar {
	if len(st.Places) == 0 {
		return nil
	}
	pl := st.Places[0]
	if i := slices.IndexFunc(st.Places, func(p booking.Place) bool { return p.ID == placeID }); i >= 0 {
		pl = st.Places[i]
	}
	loc, err := st.Location()
	if err != nil {
		loc = time.Local
	}
	first, err := time.ParseInLocation("2006-01", month, loc)
	if err != nil || !calendar.Supported(first.Year()) {
		now := ui.Clock.Now().In(loc)
		first = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	}
	c := &settingsCalendar{Place: option{pl.ID, pl.Name}, Month: first.Format("2006-01"),
		Title: first.Format("2006年1月"), Form: newBookingForm()}
	c.Prev, c.Next = calendarLink(pl.ID, first.AddDate(0, -1, 0)), calendarLink(pl.ID, first.AddDate(0, 1, 0))
	week := make([]settingsDay, int(first.Weekday()))
	for d := first; d.Month() == first.Month(); d = d.AddDate(0, 0, 1) {
		week = append(week, dayOf(st, pl, calendar.DateOf(d)))
		if len(week) == 7 {
			c.Weeks, week = append(c.Weeks, week), nil
		}
	}
	if len(week) > 0 {
		c.Weeks = append(c.Weeks, append(week, make([]settingsDay, 7-len(week))...))
	}
	return c
}

func calendarLink(placeID string, month time.Time) string {
	if !calendar.Supported(month.Year()) {
		return ""
	}
	return "/staff/settings/booking?" + url.Values{"place": {placeID}, "month": {month.Format("2006-01")}}.Encode() + "#calendar"
}

// dayOf tells what the place does on d, and what a click may change: a
// closed date can be reopened, a special opening undone, and an open day
// closed.
func dayOf(st booking.Settings, pl booking.Place, d calendar.Date) settingsDay {
	day := settingsDay{Day: d.Day, Date: d.String(), Label: japaneseDay(d),
		Weekend: d.Weekday() == time.Saturday || d.Weekday() == time.Sunday}
	hours, closed, err := st.DayHours(pl.ID, d)
	switch {
	case err != nil:
		day.State, day.Text = "closed", "（計算できません）"
	case slices.Contains(pl.ClosedDates, d.String()):
		day.State, day.Text, day.Action, day.Button = "closed-date", "休業日", "reopen", "休業日を取り消す"
	case pl.OpenDates[d.String()] != nil:
		day.State, day.Text, day.Action, day.Button = "open-date", "臨時開庁 "+strings.Join(hours, "、"), "unopen", "臨時開庁を取り消す"
	case closed != "":
		day.State, day.Text = "closed", closed
	default:
		day.State, day.Text, day.Action, day.Button = "open", strings.Join(hours, "、"), "close", "休業日にする"
	}
	return day
}

func japaneseDay(d calendar.Date) string {
	return fmt.Sprintf("%d月%d日（%c）", int(d.Month), d.Day, []rune("日月火水木金土")[d.Weekday()])
}

// saveDays applies a click on the calendar, or the form opening a day,
// to the place and returns to its month.
func (ui *UI) saveDays(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	parseSettingsForm(w, r)
	back := "#calendar"
	if m := r.PostFormValue("month"); m != "" {
		back = "&" + url.Values{"place": {id}, "month": {m}}.Encode() + "#calendar"
	}
	ui.editSettings(w, r, "calendar:"+id, back, func(st *booking.Settings, f *bookingForm) (string, error) {
		i, err := placeIndex(st, id)
		if err != nil {
			return "", err
		}
		pl := &st.Places[i]
		switch {
		case r.PostFormValue("close") != "":
			pl.ClosedDates = append(pl.ClosedDates, r.PostFormValue("close"))
			slices.Sort(pl.ClosedDates)
		case r.PostFormValue("reopen") != "":
			pl.ClosedDates = slices.DeleteFunc(pl.ClosedDates, func(d string) bool { return d == r.PostFormValue("reopen") })
		case r.PostFormValue("unopen") != "":
			delete(pl.OpenDates, r.PostFormValue("unopen"))
		default:
			openDay(r, pl, f)
		}
		return fmt.Sprintf("places[%d]", i), nil
	})
}

// openDay reads the form that opens a day with its own hours.
func openDay(r *http.Request, pl *booking.Place, f *bookingForm) {
	date, hours := strings.TrimSpace(r.PostFormValue("open_date")), r.PostFormValue("open_hours")
	f.set("open_date", date)
	f.set("open_hours", strings.TrimSpace(hours))
	if date == "" {
		f.add("open_date", "日付を入力してください。")
		return
	}
	if pl.OpenDates == nil {
		pl.OpenDates = map[string][]string{}
	}
	pl.OpenDates[date] = splitRanges(hours)
}
