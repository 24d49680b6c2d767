package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/challenge"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
)

// manageCookie carries the code and manage token of the booking being
// managed between the manage pages (sealed, 30 minutes).
const manageCookie = "kofu_booking_manage"

// pubManageGrant is the sealed content of manageCookie.
type pubManageGrant struct {
	Code  string `json:"c"`
	Token string `json:"t"`
}

func (s *pubSite) registerManage(rt *route.Router) {
	rt.Handle("GET /booking/manage", route.Public, s.manageForm)
	rt.Handle("POST /booking/manage", route.Public, s.manageOpen)
	rt.Handle("GET /booking/manage/booking", route.Public, s.manageShow)
	rt.Handle("POST /booking/manage/cancel", route.Public, s.manageCancel)
	rt.Handle("POST /booking/manage/change", route.Public, s.manageChange)
}

// pubManageLink is the link to a booking that the done page (and the
// confirmation mail) gives: it opens the booking without typing.
func pubManageLink(code, token string) string {
	return "/booking/manage?" + url.Values{"code": {reserve.FormatCode(code)}, "token": {token}}.Encode()
}

// pubManageFormData fills the manage form. Notice and Birth are kept
// only while a challenge is asked for: it belongs to exactly those values.
type pubManageFormData struct {
	Code, Notice, Birth string
	Challenge           *challenge.Offer
	// The birth-date selects, as on the booking form.
	Year, Month, Day int
	Years            []pubYearOption
	Months, Days     []int
}

// renderManageForm shows the manage form with d, its selects filled.
func (s *pubSite) renderManageForm(w http.ResponseWriter, r *http.Request, status int, v pview, d pubManageFormData) {
	if t, err := time.Parse(time.DateOnly, d.Birth); err == nil {
		d.Year, d.Month, d.Day = t.Year(), int(t.Month()), t.Day()
	}
	d.Years = pubYears(v, s.ui.Reserve.Now().In(pubTokyo(s.ui.Loc)).Year())
	d.Months, d.Days = pubDayNumbers()
	v.Data = d
	s.render(w, r, status, "manage", v)
}

// pubTokyo is the site's time zone; Tokyo when none is configured.
func pubTokyo(loc *time.Location) *time.Location {
	if loc != nil {
		return loc
	}
	if l, err := time.LoadLocation("Asia/Tokyo"); err == nil {
		return l
	}
	return time.UTC
}

// pubFormBirth reads the birth date of the manage form: its selects, or
// a "birth" field as YYYY-MM-DD (older links and clients).
func pubFormBirth(r *http.Request) string {
	y, m, d := r.PostFormValue("by"), r.PostFormValue("bm"), r.PostFormValue("bd")
	if y == "" && m == "" && d == "" {
		return r.PostFormValue("birth")
	}
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	return fmt.Sprintf("%04d-%02d-%02d", yi, mi, di)
}

// manageForm asks for the booking code and manage token, or opens the
// booking at once when the link carries them.
func (s *pubSite) manageForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("code") != "" && q.Get("token") != "" {
		s.openBooking(w, r, q.Get("code"), q.Get("token"))
		return
	}
	s.renderManageForm(w, r, http.StatusOK, s.newView(r, "manage.title"), pubManageFormData{})
}

func (s *pubSite) manageOpen(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, pubMaxFormBytes)
	r.ParseForm()
	if r.PostFormValue("lang") != "" {
		s.renderManageForm(w, r, http.StatusOK, s.newView(r, "manage.title"), pubManageFormData{Code: r.PostFormValue("code")})
		return
	}
	code, token := r.PostFormValue("code"), r.PostFormValue("token")
	if token == "" {
		// Without the link: one person's notice number and birth date prove
		// the booking is theirs and open it for a while (the mailed link
		// stays valid).
		t, ok := s.openByPerson(w, r, code, r.PostFormValue("notice"), pubFormBirth(r))
		if !ok {
			return
		}
		token = t
	}
	s.openBooking(w, r, code, token)
}

// openByPerson asks the engine for access with a person's notice number
// and birth date. Past the number's attempts it asks for a proof of work
// instead of refusing, so that a guesser cannot lock the resident out
// (issue #14); a form that carries one sends it along.
func (s *pubSite) openByPerson(w http.ResponseWriter, r *http.Request, code, notice, birth string) (string, bool) {
	bind := challenge.Bind([]string{code, notice, birth})
	ip := route.MetaOf(r).IP
	proved := false
	if sealed := r.PostFormValue("pow"); sealed != "" && s.ui.Challenge != nil {
		ok, offer, err := s.ui.Challenge.Gate(r.Context(), ip, sealed, r.PostFormValue("pow_n"), bind)
		if err != nil {
			s.manageChallenge(w, r, pubManageFormData{Code: code, Notice: notice, Birth: birth, Challenge: offer}, err)
			return "", false
		}
		proved = ok
	}
	t, err := s.ui.Reserve.ManageToken(r.Context(), route.MetaOf(r), code, notice, birth, proved)
	if pubProvable(err) && s.ui.Challenge != nil {
		offer := s.ui.Challenge.Require(r.Context(), ip, bind)
		s.manageChallenge(w, r, pubManageFormData{Code: code, Notice: notice, Birth: birth, Challenge: offer}, err)
		return "", false
	}
	if err != nil {
		s.manageRefused(w, r, code, err, true)
		return "", false
	}
	return t, true
}

// manageChallenge shows the manage form again with its values and the
// challenge to meet, and the message of err.
func (s *pubSite) manageChallenge(w http.ResponseWriter, r *http.Request, d pubManageFormData, err error) {
	v := s.newView(r, "manage.title")
	if d.Challenge == nil { // the challenge could not be checked
		s.fail(w, r, err)
		return
	}
	v.Errors = []pubError{{Message: s.challengeText(v, err, d.Challenge)}}
	s.renderManageForm(w, r, http.StatusTooManyRequests, v, d)
}

// manageRefused shows the form again with one message for every wrong
// answer, so nothing tells which part was wrong. byPerson: the resident
// typed a notice number and birth date, not a link's code, and is told
// to check those.
func (s *pubSite) manageRefused(w http.ResponseWriter, r *http.Request, code string, err error, byPerson bool) {
	v := s.newView(r, "manage.title")
	msg := s.errorText(v, err)
	if byPerson && apperr.Is(err, apperr.NotFound) {
		msg = v.T("err.not_found_person")
	}
	v.Errors = []pubError{{ID: "code", Message: msg}}
	s.renderManageForm(w, r, statusFor(err), v, pubManageFormData{Code: code})
}

// openBooking checks the code and token, keeps them in the manage cookie
// and shows the booking (POST or link, redirect, GET: the token leaves
// the address bar at once).
func (s *pubSite) openBooking(w http.ResponseWriter, r *http.Request, code, token string) {
	_, err := s.ui.Reserve.Get(r.Context(), route.MetaOf(r), code, token)
	if err == nil {
		err = s.setGrant(w, r, pubManageGrant{Code: code, Token: token})
	}
	if err != nil {
		s.manageRefused(w, r, code, err, false)
		return
	}
	http.Redirect(w, r, pview{Lang: pubLangOf(r)}.Href("/booking/manage/booking"), http.StatusSeeOther)
}

func (s *pubSite) setGrant(w http.ResponseWriter, r *http.Request, g pubManageGrant) error {
	key, err := s.keys.get(r.Context())
	if err != nil {
		return err
	}
	if c, ok := reserve.NormalizeCode(g.Code); ok {
		g.Code = c
	}
	v, err := pubSeal(key, sealManage, g, manageTTL, s.now())
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: manageCookie, Value: v, Path: "/booking/", MaxAge: int(manageTTL.Seconds()),
		HttpOnly: true, Secure: pubSecureRequest(r), SameSite: http.SameSiteLaxMode})
	return nil
}

// grant reads the manage cookie; false sends the resident to the form.
func (s *pubSite) grant(w http.ResponseWriter, r *http.Request) (pubManageGrant, bool) {
	var g pubManageGrant
	key, err := s.keys.get(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return g, false
	}
	c, err := r.Cookie(manageCookie)
	if err != nil || pubUnseal(key, sealManage, c.Value, &g, s.now()) != nil {
		http.Redirect(w, r, pview{Lang: pubLangOf(r)}.Href("/booking/manage"), http.StatusSeeOther)
		return g, false
	}
	return g, true
}

type pubManageData struct {
	Code, Service, Place, Slot, Status string
	People                             []string
	Groups                             []pubCheckGroup
	Active, Changeable                 bool
	Deadline                           string
	AfterCutoff                        string
}

// bookingView shows a booking on the manage pages.
func (s *pubSite) bookingView(r *http.Request, v pview, b reserve.Booking) pubManageData {
	svc, _ := s.serviceOf(r, b.Service)
	d := pubManageData{Code: reserve.FormatCode(b.Code), Service: b.ServiceName, Place: b.PlaceName,
		Slot: pubSlotLabel(v.Lang, b.Start.In(b.Location), b.End.In(b.Location)), Status: pubStatusText(v, b.Status),
		Groups: pubChecklist(v, svc, nil, nil), Active: b.Status == store.BookingBooked, Changeable: b.Changeable}
	for i, p := range b.People {
		if p.Status != store.PersonActive && d.Active {
			continue
		}
		who := p.NoticeNumber
		if who == "" {
			who = p.Name
		}
		d.People = append(d.People, v.T("person.n", i+1)+" "+who)
	}
	d.Deadline = pubChangeDeadline(v, b)
	if d.Active && !d.Changeable {
		d.AfterCutoff = v.T("manage.after_cutoff", d.Deadline) + " " + v.PhoneText()
	}
	return d
}

// pubStatusText names a booking's status for residents.
func pubStatusText(v pview, status string) string {
	if v.Lang == langJA {
		return reserve.StatusLabel(status)
	}
	return v.T("status." + status)
}

// serviceOf returns the service of the settings with the id.
func (s *pubSite) serviceOf(r *http.Request, id string) (booking.Service, bool) {
	st, err := s.ui.Reserve.PublicSettings(r.Context())
	if err != nil {
		return booking.Service{}, false
	}
	return st.Service(id)
}

func (s *pubSite) manageShow(w http.ResponseWriter, r *http.Request) {
	g, ok := s.grant(w, r)
	if !ok {
		return
	}
	s.showBooking(w, r, g, http.StatusOK, nil)
}

// showBooking renders the managed booking, with err's message if any.
func (s *pubSite) showBooking(w http.ResponseWriter, r *http.Request, g pubManageGrant, status int, problem error) {
	b, err := s.ui.Reserve.Get(r.Context(), route.MetaOf(r), g.Code, g.Token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "manage.booking_title")
	switch r.URL.Query().Get("m") {
	case "cancelled":
		v.Notice = v.T("manage.cancelled")
	case "changed":
		v.Notice = v.T("manage.changed")
	}
	if problem != nil {
		v.Errors = []pubError{{Message: s.errorText(v, problem)}}
	}
	v.Data = s.bookingView(r, v, b)
	s.render(w, r, status, "manage_booking", v)
}

// manageCancel asks once more, then cancels.
func (s *pubSite) manageCancel(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, pubMaxFormBytes)
	r.ParseForm()
	g, ok := s.grant(w, r)
	if !ok {
		return
	}
	if r.PostFormValue("yes") == "" {
		b, err := s.ui.Reserve.Get(r.Context(), route.MetaOf(r), g.Code, g.Token)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v := s.newView(r, "cancel.title")
		v.Path = "/booking/manage/booking"
		v.Data = s.bookingView(r, v, b)
		s.render(w, r, http.StatusOK, "manage_cancel", v)
		return
	}
	if _, err := s.ui.Reserve.Cancel(r.Context(), route.MetaOf(r), g.Code, g.Token); err != nil {
		s.showBooking(w, r, g, statusFor(err), err)
		return
	}
	http.Redirect(w, r, pview{Lang: pubLangOf(r)}.Href("/booking/manage/booking?m=cancelled"), http.StatusSeeOther)
}

// manageChange starts choosing a new date for the booking.
func (s *pubSite) manageChange(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, pubMaxFormBytes)
	r.ParseForm()
	g, ok := s.grant(w, r)
	if !ok {
		return
	}
	b, err := s.ui.Reserve.Get(r.Context(), route.MetaOf(r), g.Code, g.Token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !b.Changeable {
		s.showBooking(w, r, g, http.StatusConflict, apperr.New(reserve.CodeAfterCutoff, "変更の締切を過ぎています。"))
		return
	}
	seats := 0
	for _, p := range b.People {
		if p.Status == store.PersonActive {
			seats++
		}
	}
	c := &pubStep{s: s, w: w, r: r, v: s.newView(r, "site.name"), at: s.now(),
		f: pubFlow{Mode: pubModeChange, Service: b.Service, Place: b.Place, Seats: seats,
			Month: pubMonthKey(b.Start.In(b.Location).Year(), b.Start.In(b.Location).Month())}}
	if c.key, err = s.keys.get(r.Context()); err == nil {
		err = c.load()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c.datePage(http.StatusOK)
}

// changeTo moves the managed booking to start.
func (s *pubSite) changeTo(c *pubStep, start time.Time) {
	g, ok := s.grant(c.w, c.r)
	if !ok {
		return
	}
	v := start.Format(time.RFC3339)
	if _, err := s.ui.Reserve.Change(c.r.Context(), route.MetaOf(c.r), g.Code, g.Token, reserve.ChangeRequest{Start: &v}); err != nil {
		c.slotRefused(err)
		return
	}
	http.Redirect(c.w, c.r, c.v.Href("/booking/manage/booking?m=changed"), http.StatusSeeOther)
}

// challengeText is the message of a form that asks for a proof of work
// (other than the confirm page's): err is the challenge's refusal, or the
// limit that asked for it.
func (s *pubSite) challengeText(v pview, err error, offer *challenge.Offer) string {
	switch apperr.CodeOf(err) {
	case challenge.CodeWait:
		return v.T("err.challenge_wait_any", offer.Remaining(s.ui.Challenge.Now()))
	case challenge.CodeSolve:
		return v.T("err.challenge_solve")
	case challenge.CodeUsed, challenge.CodeRequired:
		return v.T("err.challenge_required_any")
	}
	return v.T("err.challenge_notice")
}
