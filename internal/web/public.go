package web

import (
	"bytes"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/calendar"
	"github.com/kofu-oss/kofu/internal/clock"
	"github.com/kofu-oss/kofu/internal/reserve"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/sitetext"
)

// pubSite is the citizen booking site: its own layout, texts in two
// languages, and the key that seals the state carried between steps.
type pubSite struct {
	ui     *UI
	pages  map[string]*template.Template
	texts  pubTexts
	keys   *pubPublicKeys
	shared pubSharedPages
}

// RegisterPublic adds the citizen site's pages: the top page, the booking
// steps, the done page and the pages to change or cancel a booking.
func (ui *UI) RegisterPublic(rt *route.Router) {
	s := ui.publicSite()
	rt.Handle("GET /{$}", route.Public, s.top)
	s.registerBooking(rt)
	s.registerNoticeLink(rt)
	s.registerManage(rt)
}

// publicSite builds the citizen site once: its routes, and the staff
// previews of its texts (also on a staff-only instance) share it.
func (ui *UI) publicSite() *pubSite {
	ui.pubOnce.Do(func() {
		s := &pubSite{ui: ui, texts: pubCatalogs(), keys: pubNewPublicKeys(ui.Reserve)}
		if err := s.parse(); err != nil {
			panic(err) // the templates are embedded: a parse error is a bug
		}
		ui.pub = s
	})
	return ui.pub
}

// parse reads templates/public_layout.html and every other public_*.html
// page, each of which defines "content".
func (s *pubSite) parse() error {
	funcs := template.FuncMap{
		"asset": func(name string) string { return "/static/" + s.ui.assets[name].served },
	}
	pages, err := parsePages("public_layout.html", "public_", funcs)
	s.pages = pages
	return err
}

// pview is what every public page receives.
type pview struct {
	Lang  string
	Title string
	// StepAction is where a step page's form posts: its language switch
	// posts the sealed state there to show the same step in the other
	// language. Empty on other pages, whose switch is a link.
	StepAction string
	// Path is the page's address, for the language switch of pages
	// reached by GET.
	Path   string
	Notice string
	Errors []pubError
	Phone  string // help line from the settings
	Data   any
	texts  pubTexts
	site   sitetext.Set      // the city's own wording of the editable texts
	names  map[string]string // the settings' place and service names in the page's language, by Name
}

// pubNames maps the settings' place and service names to their names in
// lang, where the city gave one (name_en).
func pubNames(st booking.Settings, lang string) map[string]string {
	out := map[string]string{}
	for _, p := range st.Places {
		if n := p.NameIn(lang); n != p.Name {
			out[p.Name] = n
		}
	}
	for _, sv := range st.Services {
		if n := sv.NameIn(lang); n != sv.Name {
			out[sv.Name] = n
		}
	}
	return out
}

// pubError is one entry of the error summary; ID is the field it links to.
type pubError struct{ ID, Message string }

// T returns the text of key in the page's language: the city's wording
// for the texts it may edit, the catalog's for the others.
func (v pview) T(key string, args ...any) string {
	if s, ok := v.site.Get(key, v.Lang); ok {
		return s
	}
	return v.texts.text(v.Lang, key, args...)
}

// Para is an editable text as paragraphs (see paragraphs).
func (v pview) Para(key string) template.HTML { return paragraphs(v.T(key)) }

// Err returns the error message of the field with the id, if any.
func (v pview) Err(id string) string {
	for _, e := range v.Errors {
		if e.ID == id {
			return e.Message
		}
	}
	return ""
}

// Other is the language the switch offers.
func (v pview) Other() string {
	if v.Lang == langEN {
		return langJA
	}
	return langEN
}

// SwitchURL is the page's address in the other language.
func (v pview) SwitchURL() string {
	p := v.Path
	if p == "" {
		p = "/"
	}
	return p + "?lang=" + v.Other()
}

// Href adds the language to a link of the site when it is not Japanese,
// so English survives even without cookies.
func (v pview) Href(p string) string {
	if v.Lang == langJA {
		return p
	}
	sep := "?"
	if strings.Contains(p, "?") {
		sep = "&"
	}
	return p + sep + "lang=" + v.Lang
}

// newView starts the view of a request: language, help line, texts.
func (s *pubSite) newView(r *http.Request, title string) pview {
	st, err := s.ui.Reserve.PublicSettings(r.Context())
	if err != nil {
		st = booking.Settings{} // no help line; the page still works
	}
	return s.viewWith(r, title, st)
}

// viewWith is newView with the settings the handler has read already.
func (s *pubSite) viewWith(r *http.Request, title string, st booking.Settings) pview {
	v := pview{Lang: pubLangOf(r), Path: r.URL.Path, texts: s.texts, Phone: st.ContactPhone, names: pubNames(st, pubLangOf(r))}
	if d, ok := r.Context().Value(textDraftKey{}).(textDraft); ok {
		v.site, v.Notice = d.set, "プレビュー（まだ保存していません）。この画面を閉じるか、ブラウザの「戻る」で編集に戻ります。"
	} else if s.ui.Texts != nil {
		set, err := s.ui.Texts.Texts(r.Context())
		if err != nil {
			// The built-in texts are a fine fallback; the page still works.
			slog.ErrorContext(r.Context(), "public texts", "err", err.Error())
		}
		v.site = set
	}
	v.Title = v.T(title)
	return v
}

// render writes a public page. It is rendered into a buffer first, so a
// template error never leaves half a page.
func (s *pubSite) render(w http.ResponseWriter, r *http.Request, status int, page string, v pview) {
	pubRememberLang(w, r)
	b, err := s.execute(page, v)
	if err != nil {
		slog.ErrorContext(r.Context(), "public render", "page", page, "err", err.Error())
		http.Error(w, v.T("err.system"), http.StatusInternalServerError)
		return
	}
	pubWritePage(w, status, b)
}

// renderShared writes a page that is the same for every visitor who sees
// the same inputs, named by key (language, settings, texts): it is
// rendered once and then served from memory, as the top page and the
// service choice are what a rush of residents opens first (issue #8).
// A view of drafts (a staff preview) is never kept.
func (s *pubSite) renderShared(w http.ResponseWriter, r *http.Request, key, page string, v pview) {
	stamp := v.site.Stamp()
	if stamp == 0 || v.Notice != "" || len(v.Errors) > 0 {
		s.render(w, r, http.StatusOK, page, v)
		return
	}
	key = page + "\x00" + v.Lang + "\x00" + strconv.FormatUint(stamp, 10) + "\x00" + v.Phone + "\x00" + v.Path + "\x00" + key
	if b, ok := s.shared.get(key); ok {
		pubRememberLang(w, r)
		pubWritePage(w, http.StatusOK, b)
		return
	}
	b, err := s.execute(page, v)
	if err != nil {
		s.render(w, r, http.StatusOK, page, v) // logs and answers the error
		return
	}
	s.shared.put(key, b)
	pubRememberLang(w, r)
	pubWritePage(w, http.StatusOK, b)
}

// execute renders page with the layout.
func (s *pubSite) execute(page string, v pview) ([]byte, error) {
	t, ok := s.pages[page]
	if !ok {
		return nil, fmt.Errorf("no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "public_layout.html", v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func pubWritePage(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}

// pubSharedPages keeps the rendered pages of renderShared. The inputs
// change rarely (an admin saves settings or a text), so the pages of the
// old inputs are simply dropped when there are too many.
type pubSharedPages struct {
	mu    sync.Mutex
	pages map[string][]byte
}

// pubMaxSharedPages bounds the memory of the kept pages.
const pubMaxSharedPages = 64

func (c *pubSharedPages) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.pages[key]
	return b, ok
}

func (c *pubSharedPages) put(key string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pages == nil || len(c.pages) >= pubMaxSharedPages {
		c.pages = map[string][]byte{}
	}
	c.pages[key] = b
}

// servicesKey names the services as the pages show them.
func servicesKey(svcs []booking.Service) string {
	var b strings.Builder
	for _, sv := range svcs {
		b.WriteString(sv.ID)
		b.WriteByte(0)
		b.WriteString(sv.Name)
		b.WriteByte(0)
		b.WriteString(sv.NameEN)
		b.WriteByte(1)
	}
	return b.String()
}

// fail shows an error page in the resident's language.
func (s *pubSite) fail(w http.ResponseWriter, r *http.Request, err error) {
	v := s.newView(r, "err.title")
	if statusFor(err) >= http.StatusInternalServerError {
		slog.ErrorContext(r.Context(), "public page failed", "err", err.Error())
	}
	v.Errors = []pubError{{Message: s.errorText(v, err)}}
	if r.Method != http.MethodGet {
		v.Path = "/" // the switch is a link: it cannot repeat a POST
	}
	s.render(w, r, statusFor(err), "error", v)
}

// errorText is what a resident is told about err. Japanese pages show the
// engine's own message (it names dates and rules precisely); English pages
// a translation by error code. Internal errors never show details.
func (s *pubSite) errorText(v pview, err error) string {
	code := apperr.CodeOf(err)
	if v.Lang == langJA && statusFor(err) < http.StatusInternalServerError && code != apperr.Invalid {
		return apperr.MessageOf(err)
	}
	switch code {
	case reserve.CodeNotMatched, reserve.CodeAlreadyBooked, reserve.CodeNotBookable, reserve.CodeSlotFull,
		reserve.CodeHoldExpired, reserve.CodeOutsideWindow, apperr.RateLimited, apperr.NotFound, apperr.Invalid,
		booking.CodeTooManyPeople, reserve.CodeTooManyHolds:
		return v.T("err." + code)
	case reserve.CodeAfterCutoff:
		return v.T("err.after_cutoff") + " " + v.PhoneText()
	}
	return v.T("err.system")
}

// L shows a text of the city's settings (a service, place or item name)
// in the page's language when the catalog knows it, as written otherwise.
func (v pview) L(text string) string {
	if s, ok := v.names[text]; ok {
		return s
	}
	if s, ok := v.texts[v.Lang]["x:"+text]; ok {
		return s
	}
	return text
}

// mailOn tells whether booking mails are sent.
func (s *pubSite) mailOn(r *http.Request) bool { return s.ui.MailOn != nil && s.ui.MailOn(r.Context()) }

// PhoneText tells residents how to reach the city by phone.
func (v pview) PhoneText() string {
	if v.Phone == "" {
		return v.T("help.phone_none")
	}
	return v.T("help.phone", v.Phone)
}

// pubTopData is what the top page shows.
type pubTopData struct {
	Services []booking.Service
	Window   string
	Demo     []DemoSample
	Manage   string // how a booking is opened again: with or without the mail's link
	Special  []string
	Waits    []pubWait // today's wait per place, when the city shows it
	WaitAt   string    // when the waits were read
}

// pubWait is one place's wait on the top page.
type pubWait struct{ Place, Text string }

func (s *pubSite) top(w http.ResponseWriter, r *http.Request) {
	st, err := s.ui.Reserve.PublicSettings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.viewWith(r, "top.title", st)
	now := s.ui.Reserve.Now()
	window, err := pubWindowText(v, st, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := pubTopData{Services: st.Services, Window: window, Demo: s.ui.demo,
		Manage: v.T("top.manage_text_nomail"), Special: pubSpecialDays(v, st, now)}
	if s.mailOn(r) {
		d.Manage = v.T("top.manage_text")
	}
	d.Waits, d.WaitAt = s.waits(r, v, st)
	v.Data = d
	key := d.Window + "\x00" + d.Manage + "\x00" + strings.Join(d.Special, "\x00") + "\x00" + servicesKey(st.Services) + "\x00" + d.WaitAt
	for _, pw := range d.Waits {
		key += "\x00" + pw.Place + "\x00" + pw.Text
	}
	s.renderShared(w, r, key, "top", v)
}

// waits is today's wait at the places a service is booked at, when the
// city shows it, and the time it was read. The counter keeps the figures
// for a while and only reads them: the top page never writes. A failure
// leaves the section out; the page still works.
func (s *pubSite) waits(r *http.Request, v pview, st booking.Settings) ([]pubWait, string) {
	if s.ui.pubWaits == nil {
		return nil, ""
	}
	ws, at, on, err := s.ui.pubWaits.PublicWaits(r.Context())
	if err != nil {
		slog.ErrorContext(r.Context(), "public waits", "err", err.Error())
		return nil, ""
	}
	if !on {
		return nil, ""
	}
	var out []pubWait
	for _, w := range ws {
		if pubOffered(st, w.Place) {
			out = append(out, pubWait{Place: v.L(w.Name), Text: v.T("top.wait_line", w.Waiting, w.Minutes)})
		}
	}
	loc, err := st.Location()
	if err != nil {
		loc = time.Local
	}
	return out, at.In(loc).Format("15:04")
}

// now stamps the citizen's sealed forms, receipts and manage grants. It is
// the system clock, not Deps.Clock: a seal ages in the real time of the
// browser that holds it, and a test that moves the server's clock days
// ahead keeps the pages it has open.
func (s *pubSite) now() time.Time { return clock.System{}.Now() }

// pubWindowText says when bookings close and which days can be booked now,
// from the engine's own window (booking.Settings.Window): the closing time
// of the day before is what makes tomorrow unbookable in the evening.
func pubWindowText(v pview, st booking.Settings, now time.Time) (string, error) {
	first, last, err := st.Window(now)
	if err != nil {
		return "", err
	}
	days := v.T("days.beforeN", st.MinDaysAhead)
	if st.MinDaysAhead < 2 {
		days = v.T("days.before" + strconv.Itoa(max(0, st.MinDaysAhead)))
	}
	rule := v.T("top.window_rule", days)
	if st.SameDayClosing != "" {
		rule = v.T("top.window_rule_time", days, st.SameDayClosing)
	}
	if last.Before(first) {
		return rule, nil
	}
	return rule + " " + v.T("top.window_now", pubDayLabel(v.Lang, first), pubDayLabel(v.Lang, last)), nil
}

// pubSpecialDays lists the special opening days (open_dates) still ahead
// in the booking window, at the places a service offers: "12月13日（日）
// 09:00-12:00 市役所本庁 市民課".
func pubSpecialDays(v pview, st booking.Settings, now time.Time) []string {
	first, last, err := st.Window(now)
	if err != nil {
		return nil
	}
	var out []string
	for _, p := range st.Places {
		if !pubOffered(st, p.ID) {
			continue
		}
		for date, hours := range p.OpenDates {
			d, err := calendar.ParseDate(date)
			if err != nil || d.Before(first) || d.After(last) || slices.Contains(p.ClosedDates, date) || len(hours) == 0 {
				continue
			}
			out = append(out, date+"\x00"+pubShortDayLabel(v.Lang, d)+" "+strings.Join(hours, "、")+" "+v.L(p.Name))
		}
	}
	slices.Sort(out)
	for i, s := range out {
		_, out[i], _ = strings.Cut(s, "\x00")
	}
	return out
}

// pubOffered reports whether a service is booked at the place.
func pubOffered(st booking.Settings, place string) bool {
	for _, svc := range st.Services {
		if slices.Contains(svc.Places, place) {
			return true
		}
	}
	return false
}
