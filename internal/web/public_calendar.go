package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/route"
)

// pubFewSeats: a day with at most this many seats left, or with a third of
// its times or fewer still free, is marked △.
const pubFewSeats = 3

// pubDayCell is one day of the month calendar.
type pubDayCell struct {
	Day      int // 0 pads the first and last week
	Date     string
	Label    string // 12月3日（木）
	Mark     string // ○ △ × −
	Class    string
	Text     string // the mark in words
	Bookable bool
	Special  bool // a special opening day (open_dates): open though normally closed
}

type pubDateData struct {
	Month      string
	Prev, Next string // YYYY-MM, or "" when outside the booking window
	Heads      []string
	Weeks      [][]pubDayCell
	Days       []pubDayCell // the days of the window, as a text list
	Place      string
	Seats      int
	Change     bool
	Special    bool // the month has a special opening day: the legend says so
}

// pubDayCount is what one day offers.
type pubDayCount struct{ starts, free, seats int }

// month returns the calendar month to show, inside the booking window.
func (c *pubStep) month(first, last calendar.Date) (int, time.Month) {
	y, m, ok := pubParseMonth(c.f.Month)
	key := pubMonthKey(y, m)
	if !ok || key < pubMonthKey(first.Year, first.Month) || key > pubMonthKey(last.Year, last.Month) {
		y, m = first.Year, first.Month
	}
	c.f.Month = pubMonthKey(y, m)
	return y, m
}

func (c *pubStep) datePage(status int) {
	first, last, err := c.st.Window(c.s.ui.Reserve.Now()) // the engine's window, as Book applies it
	if err != nil {
		c.s.fail(c.w, c.r, err)
		return
	}
	y, m := c.month(first, last)
	from, to := calendar.NewDate(y, m, 1), calendar.NewDate(y, m+1, 0)
	counts, err := c.dayCounts(from, to)
	if err != nil {
		return
	}
	d := pubDateData{Month: pubMonthLabel(c.v.Lang, y, m), Heads: pubWeekdayNames(c.v.Lang), Place: c.placeName(),
		Seats: c.f.seats(), Change: c.f.Mode == pubModeChange}
	if prev := from.AddDays(-1); !prev.Before(first) {
		d.Prev = pubMonthKey(prev.Year, prev.Month)
	}
	if next := to.AddDays(1); !next.After(last) {
		d.Next = pubMonthKey(next.Year, next.Month)
	}
	week := make([]pubDayCell, from.Weekday())
	for day := from; !day.After(to); day = day.AddDays(1) {
		cell := c.cell(day, first, last, counts[day])
		if cell.Special = c.special(day) && cell.Class != "out"; cell.Special {
			cell.Text += c.v.T("list.sep") + c.v.T("cal.special")
			d.Special = true
		}
		week = append(week, cell)
		if cell.Class != "out" {
			d.Days = append(d.Days, cell)
		}
		if len(week) == 7 {
			d.Weeks, week = append(d.Weeks, week), nil
		}
	}
	if len(week) > 0 {
		d.Weeks = append(d.Weeks, append(week, make([]pubDayCell, 7-len(week))...))
	}
	title := "date.title"
	if d.Change {
		title = "change.title"
	}
	c.show(status, "date", title, d)
}

// dayCounts counts the times, free times and free seats of each day. A
// refused availability request (rate limit) is shown as an error and the
// days as unknown; other errors end the request.
func (c *pubStep) dayCounts(from, to calendar.Date) (map[calendar.Date]pubDayCount, error) {
	out := map[calendar.Date]pubDayCount{}
	all, err := c.st.ServiceStarts(c.f.Service, c.f.Place, from, to, c.loc)
	if err != nil {
		c.s.fail(c.w, c.r, err)
		return nil, err
	}
	for _, sl := range all {
		dc := out[calendar.DateOf(sl.Start.In(c.loc))]
		dc.starts++
		out[calendar.DateOf(sl.Start.In(c.loc))] = dc
	}
	av, err := c.availability(from, to)
	if err != nil {
		return nil, err
	}
	for _, sl := range av {
		day := calendar.DateOf(sl.Start.In(c.loc))
		dc := out[day]
		dc.free++
		dc.seats += sl.Remaining
		out[day] = dc
	}
	return out, nil
}

// availability asks the engine for the free times; a refusal the resident
// can do something about is shown on the page and answers no times.
func (c *pubStep) availability(from, to calendar.Date) ([]booking.SlotAvailability, error) {
	av, err := c.s.ui.Reserve.PublicAvailability(c.r.Context(), route.MetaOf(c.r), reserve.AvailabilityQuery{
		Service: c.f.Service, Place: c.f.Place, From: from.String(), To: to.String(), People: c.f.seats()})
	switch {
	case err == nil:
		return av.Slots, nil
	case apperr.Is(err, apperr.RateLimited):
		c.problem(err)
		return nil, nil
	}
	c.s.fail(c.w, c.r, err)
	return nil, err
}

func (c *pubStep) cell(day, first, last calendar.Date, n pubDayCount) pubDayCell {
	cell := pubDayCell{Day: day.Day, Date: day.String(), Label: pubShortDayLabel(c.v.Lang, day), Bookable: n.free > 0}
	switch {
	case day.Before(first) || day.After(last):
		cell.Mark, cell.Class, cell.Text = "−", "out", c.v.T("cal.outside")
	case n.starts == 0:
		cell.Mark, cell.Class, cell.Text = "×", "closed", c.v.T("cal.closed")
	case n.free == 0:
		cell.Mark, cell.Class, cell.Text = "×", "full", c.v.T("cal.full")
	case n.seats <= pubFewSeats || n.free*3 <= n.starts:
		cell.Mark, cell.Class, cell.Text = "△", "few", c.v.T("cal.few")
	default:
		cell.Mark, cell.Class, cell.Text = "○", "open", c.v.T("cal.open")
	}
	return cell
}

// special reports whether the day is a special opening day of the
// flow's place: open by open_dates and not closed by closed_dates.
func (c *pubStep) special(day calendar.Date) bool {
	pl, ok := c.st.Place(c.f.Place)
	if !ok {
		return false
	}
	_, open := pl.OpenDates[day.String()]
	return open && !slices.Contains(pl.ClosedDates, day.String())
}

func (c *pubStep) pickDate() {
	if m := c.r.PostFormValue("month"); m != "" {
		c.f.Month = m
		c.datePage(http.StatusOK)
		return
	}
	if c.redisplay() {
		c.datePage(http.StatusOK)
		return
	}
	d, err := calendar.ParseDate(c.r.PostFormValue("date"))
	if err != nil {
		c.addError("", "err.date_required")
		c.datePage(http.StatusUnprocessableEntity)
		return
	}
	c.f.Date, c.f.Month = d.String(), pubMonthKey(d.Year, d.Month)
	c.timePage(http.StatusOK)
}

type pubTimeSlot struct {
	Value, Label string
}

type pubTimeData struct {
	Day     string
	Place   string
	Slots   []pubTimeSlot
	Change  bool
	Special bool
}

func (c *pubStep) timePage(status int) {
	day, err := calendar.ParseDate(c.f.Date)
	if err != nil {
		c.datePage(status)
		return
	}
	av, err := c.availability(day, day)
	if err != nil {
		return
	}
	d := pubTimeData{Day: pubDayLabel(c.v.Lang, day), Place: c.placeName(), Change: c.f.Mode == pubModeChange,
		Special: c.special(day)}
	for _, sl := range av {
		label := pubSlotLabel(c.v.Lang, sl.Start.In(c.loc), sl.End.In(c.loc)) + " " + c.v.T("time.left", sl.Remaining)
		d.Slots = append(d.Slots, pubTimeSlot{Value: sl.Start.Format(time.RFC3339), Label: label})
	}
	if len(d.Slots) == 0 && len(c.v.Errors) == 0 {
		c.addError("", "err.day_full")
	}
	c.show(status, "time", "time.title", d)
}

func (c *pubStep) pickTime() {
	if c.redisplay() {
		c.timePage(http.StatusOK)
		return
	}
	start, err := time.Parse(time.RFC3339, c.r.PostFormValue("start"))
	if err != nil {
		c.addError("", "err.time_required")
		c.timePage(http.StatusUnprocessableEntity)
		return
	}
	if c.f.Mode == pubModeChange {
		c.s.changeTo(c, start)
		return
	}
	c.releaseHold()
	h, err := c.s.ui.Reserve.Hold(c.r.Context(), route.MetaOf(c.r), reserve.HoldRequest{Service: c.f.Service,
		Place: c.f.Place, Start: start.Format(time.RFC3339), People: len(c.f.People)})
	if err != nil {
		c.slotRefused(err)
		return
	}
	c.f.Hold, c.f.HoldUntil = h.Token, h.ExpiresAt.Unix()
	c.f.Start, c.f.End = h.Start.Format(time.RFC3339), h.End.Format(time.RFC3339)
	if len(c.f.Answers) == len(c.f.People) && c.f.hasContact() {
		c.confirmPage(http.StatusOK)
		return
	}
	c.questionsPage(http.StatusOK, c.f.Answers)
}

// slotRefused shows the times again with the reason a time was refused.
func (c *pubStep) slotRefused(err error) {
	switch code := apperr.CodeOf(err); code {
	case reserve.CodeTooManyHolds:
		// Not something the resident typed wrong: said as a notice, with
		// the times still there to try again later.
		c.v.Notice = c.s.errorText(c.v, err)
		c.timePage(statusFor(err))
	case reserve.CodeSlotFull, reserve.CodeOutsideWindow, reserve.CodeHoldExpired, reserve.CodeAfterCutoff,
		apperr.RateLimited, apperr.Invalid, booking.CodeTooManyPeople:
		c.problem(err)
		c.timePage(statusFor(err))
	default:
		c.s.fail(c.w, c.r, err)
	}
}
