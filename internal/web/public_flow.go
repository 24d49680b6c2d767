package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/challenge"
)

// pubModeChange marks a flow that moves an existing booking to another time.
const pubModeChange = "change"

// pubMaxFormBytes bounds a step's form; the largest (five people) is ~2 KB.
const pubMaxFormBytes = 64 << 10

// pubFlow is what a resident chose so far, carried sealed in the hidden
// field "s" from step to step.
type pubFlow struct {
	Mode      string          `json:"mo,omitempty"`
	Service   string          `json:"sv"`
	People    []pubFlowPerson `json:"pp,omitempty"`
	Seats     int             `json:"se,omitempty"` // change mode: the booking's people
	Place     string          `json:"pl,omitempty"`
	Month     string          `json:"mn,omitempty"` // YYYY-MM shown in the calendar
	Date      string          `json:"dt,omitempty"`
	Start     string          `json:"st,omitempty"` // RFC 3339
	End       string          `json:"en,omitempty"`
	Hold      string          `json:"ho,omitempty"` // the hold's token
	HoldUntil int64           `json:"hu,omitempty"`
	Answers   []pubAnswer     `json:"an,omitempty"`
	Email     string          `json:"em,omitempty"`
	Phone     string          `json:"ph,omitempty"`
}

// pubFlowPerson is one person as checked at the first step.
type pubFlowPerson struct {
	Notice string `json:"n,omitempty"`
	Name   string `json:"nm,omitempty"`
	Kana   string `json:"k,omitempty"`
	Birth  string `json:"b"`
}

// pubAnswer is what a person said about who comes and what they hold.
type pubAnswer struct {
	Who    string `json:"w"` // whoSelf, whoMinor or whoProxy
	Notice bool   `json:"n,omitempty"`
	Juki   bool   `json:"j,omitempty"`
}

// Who comes to the counter.
const (
	whoSelf  = "self"  // the person themself
	whoMinor = "minor" // under 15, with the legal representative
	whoProxy = "proxy" // a voluntary proxy: only when the person cannot come
)

// hasContact reports whether the contact step was done: an address or a
// phone number, as the booking engine asks.
func (f pubFlow) hasContact() bool { return f.Email != "" || f.Phone != "" }

func (f pubFlow) seats() int {
	if f.Mode == pubModeChange {
		return f.Seats
	}
	return len(f.People)
}

// pubStep is one request of the booking steps.
type pubStep struct {
	s   *pubSite
	w   http.ResponseWriter
	r   *http.Request
	v   pview
	key []byte
	f   pubFlow
	st  booking.Settings
	svc booking.Service
	loc *time.Location
	at  time.Time
	// offer is the proof of work the identify page asks for, if any.
	offer *challenge.Offer
}

// stepHandler reads the form, the sealed flow and the settings, and runs
// fn. A missing, forged or expired flow sends the resident back to start.
func (s *pubSite) stepHandler(fn func(c *pubStep)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, pubMaxFormBytes)
		if err := r.ParseForm(); err != nil {
			s.fail(w, r, apperr.New(apperr.Invalid, "form"))
			return
		}
		if r.PostFormValue("website") != "" {
			// The honeypot field is hidden from people; only a bot fills it.
			// It gets the same answer as an expired form, and nothing else.
			s.expired(w, r)
			return
		}
		c, err := s.newStep(w, r, r.PostFormValue("s"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if c == nil {
			s.expired(w, r)
			return
		}
		fn(c)
	}
}

// newStep builds a step from a sealed flow; nil when it cannot be opened.
func (s *pubSite) newStep(w http.ResponseWriter, r *http.Request, sealedFlow string) (*pubStep, error) {
	c := &pubStep{s: s, w: w, r: r, v: s.newView(r, "site.name"), at: s.now()}
	var err error
	if c.key, err = s.keys.get(r.Context()); err != nil {
		return nil, err
	}
	if pubUnseal(c.key, sealFlow, sealedFlow, &c.f, c.at) != nil {
		return nil, nil
	}
	if err := c.load(); err != nil {
		return nil, err
	}
	if c.svc.ID == "" {
		return nil, nil
	}
	return c, nil
}

// load reads the settings and the flow's service.
func (c *pubStep) load() error {
	var err error
	if c.st, err = c.s.ui.Reserve.PublicSettings(c.r.Context()); err != nil {
		return err
	}
	if c.loc, err = c.st.Location(); err != nil {
		return err
	}
	c.svc, _ = c.st.Service(c.f.Service)
	return nil
}

// expired tells the resident the form is too old (or not ours).
func (s *pubSite) expired(w http.ResponseWriter, r *http.Request) {
	v := s.newView(r, "expired.title")
	v.Path = "/booking/start"
	s.render(w, r, http.StatusBadRequest, "expired", v)
}

// show renders a step page with the sealed flow in it.
func (c *pubStep) show(status int, page, title string, data any) {
	sealedFlow, err := pubSeal(c.key, sealFlow, c.f, flowTTL, c.at)
	if err != nil {
		c.s.fail(c.w, c.r, err)
		return
	}
	c.v.Title = c.v.T(title)
	c.v.StepAction = "/booking/" + page
	c.v.Data = pubStepData{State: sealedFlow, Page: data}
	c.s.render(c.w, c.r, status, page, c.v)
}

// pubStepData is the data of a step page: the sealed flow and the page's own.
type pubStepData struct {
	State string
	Page  any
}

// redisplay reports whether the form only asks to show its page again:
// the language switch or a "back" button.
func (c *pubStep) redisplay() bool {
	return c.r.PostFormValue("lang") != "" || c.r.PostFormValue("show") != ""
}

// addError adds an error for the field with the id to the summary.
func (c *pubStep) addError(id, key string, args ...any) {
	c.v.Errors = append(c.v.Errors, pubError{ID: id, Message: c.v.T(key, args...)})
}

// problem adds the resident's message for err.
func (c *pubStep) problem(err error) {
	c.v.Errors = append(c.v.Errors, pubError{Message: c.s.errorText(c.v, err)})
}

// offeredPlaces lists the places of the flow's service.
func (c *pubStep) offeredPlaces() []booking.Place {
	var out []booking.Place
	for _, p := range c.st.Places {
		if slices.Contains(c.svc.Places, p.ID) {
			out = append(out, p)
		}
	}
	return out
}

// placeName names the flow's place.
func (c *pubStep) placeName() string {
	if p, ok := c.st.Place(c.f.Place); ok {
		return p.Name
	}
	return c.f.Place
}

// slotText is "12月3日（木）10:00〜10:30" for the flow's slot.
func (c *pubStep) slotText() string {
	start, err1 := time.Parse(time.RFC3339, c.f.Start)
	end, err2 := time.Parse(time.RFC3339, c.f.End)
	if err1 != nil || err2 != nil {
		return ""
	}
	return pubSlotLabel(c.v.Lang, start.In(c.loc), end.In(c.loc))
}

// personLabel names the i-th person on the pages: "1人目（ABC-123456）".
func (c *pubStep) personLabel(i int) string {
	label := c.v.T("person.n", i+1)
	if i < len(c.f.People) {
		p := c.f.People[i]
		if p.Notice != "" {
			return label + c.v.T("paren", p.Notice)
		}
		return label + c.v.T("paren", p.Name)
	}
	return label
}

// pubParseMonth reads "2026-12".
func pubParseMonth(s string) (int, time.Month, bool) {
	if len(s) != 7 || s[4] != '-' {
		return 0, 0, false
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[5:])
	ok := err1 == nil && err2 == nil && m >= 1 && m <= 12 && calendar.Supported(y)
	return y, time.Month(m), ok
}

func pubMonthKey(y int, m time.Month) string { return fmt.Sprintf("%04d-%02d", y, int(m)) }
