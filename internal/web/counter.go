package web

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/booking"
	"github.com/kofu-oss/kofu/internal/counter"
	"github.com/kofu-oss/kofu/internal/qr"
	"github.com/kofu-oss/kofu/internal/route"
)

// CounterDeps are what the counter day's pages need besides the service.
type CounterDeps struct {
	Counter *counter.Service
	Hub     *counter.Hub
	// CallerOf resolves a device or a staff member on the device pages.
	CallerOf func(*http.Request) (counter.Caller, error)
	// SetDevice stores a device's credential in its browser.
	SetDevice func(w http.ResponseWriter, r *http.Request, token string)
	// BaseURL is the citizen site's address, for the ticket's QR.
	BaseURL string
}

// counterPages are the counter day's pages: check-in and calls for staff,
// the kiosk, the display and device pairing (counter_layout.html, no
// staff menu: a kiosk's screen shows nothing else).
type counterPages struct {
	ui    *UI
	pages map[string]*template.Template
	CounterDeps
}

func (ui *UI) counterSite(d CounterDeps) *counterPages {
	funcs := template.FuncMap{"asset": func(name string) string { return "/static/" + ui.assets[name].served },
		"has": slices.Contains[[]string]}
	pages, err := parsePages("counter_layout.html", "counter_", funcs)
	if err != nil {
		panic(err) // the templates are embedded: a parse error is a bug
	}
	return &counterPages{ui: ui, pages: pages, CounterDeps: d}
}

// RegisterCounter adds the staff site's counter pages. Kiosk and display
// pages take a device's credential (route.Device) or a staff member.
func (ui *UI) RegisterCounter(rt *route.Router, d CounterDeps) {
	c := ui.counterSite(d)
	ui.counter = d.Counter
	rt.Handle("GET /staff/checkin", route.Staff, c.checkInForm)
	rt.Handle("POST /staff/checkin", route.Staff, c.checkIn)
	rt.Handle("POST /staff/checkin/walk-in", route.Staff, c.walkIn)
	rt.Handle("GET /staff/calls", route.Staff, c.calls)
	rt.Handle("POST /staff/calls", route.Staff, c.call)
	rt.Handle("GET /staff/kiosk", route.Device, c.kiosk)
	rt.Handle("POST /staff/kiosk", route.Device, c.kioskCheckIn)
	rt.Handle("POST /staff/kiosk/walk-in", route.Device, c.kioskWalkIn)
	rt.Handle("GET /staff/display", route.Device, c.display)
	rt.Handle("GET /staff/display/events", route.Device, c.events)
	rt.Handle("GET /staff/device/pair", route.Device, c.pairForm)
	rt.Handle("POST /staff/device/pair", route.Device, c.pair)
	rt.Handle("GET /staff/devices", route.Admin, c.devices)
	rt.Handle("POST /staff/devices", route.Admin, c.createDevice)
	rt.Handle("POST /staff/devices/{id}/revoke", route.Admin, c.revokeDevice)
	rt.Handle("POST /staff/settings/counter", route.Admin, c.saveSettings)
}

// RegisterWait adds the resident's own ticket page (the citizen site).
func (ui *UI) RegisterWait(rt *route.Router, d CounterDeps) {
	c := ui.counterSite(d)
	rt.Handle("GET /wait/{token}", route.Public, c.wait)
	rt.Handle("POST /wait/{token}/mail", route.Public, c.askNearMail)
	ui.pubWaits = d.Counter
}

// cview is what every counter page receives.
type cview struct {
	Title   string
	Refresh int    // seconds; 0: none
	Back    string // where the page goes back to by itself
	Script  string // a page's own script (an asset's name) besides counter.js
	Error   string
	Notice  string
	Fields  map[string]string
	Data    any
}

func (c *counterPages) render(w http.ResponseWriter, r *http.Request, status int, page string, v cview) {
	var buf bytes.Buffer
	if err := c.pages[page].ExecuteTemplate(&buf, "counter_layout.html", v); err != nil {
		slog.ErrorContext(r.Context(), "render", "page", page, "err", err.Error())
		http.Error(w, "システムエラーが発生しました。", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// ticketView is a ticket as printed: the number, the place and a QR
// linking to the resident's own status page.
type ticketView struct {
	counter.Ticket
	QR     template.URL // data: URL of a PNG
	Link   string
	Again  string // the page to go back to
	Staff  bool
	Reused bool // the booking had its ticket already
}

func (c *counterPages) ticketView(t counter.Ticket, again string, staff, reused bool) ticketView {
	link := strings.TrimRight(c.BaseURL, "/") + "/wait/" + t.Follow
	v := ticketView{Ticket: t, Link: link, Again: again, Staff: staff, Reused: reused}
	if code, err := qr.Encode(link, qr.Medium); err == nil {
		var png bytes.Buffer
		if code.WritePNG(&png, 4) == nil {
			v.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png.Bytes()))
		}
	}
	return v
}

// placeForm is the choice of place (and desk) on the staff pages.
type placeForm struct {
	Places []booking.Place
	Place  string
	Desk   string
	Code   string
}

func (c *counterPages) placeForm(r *http.Request) placeForm {
	ps, _ := c.Counter.Places(r.Context())
	f := placeForm{Places: ps, Place: r.FormValue("place"), Desk: strings.TrimSpace(r.FormValue("desk"))}
	if f.Place == "" && len(ps) > 0 {
		f.Place = ps[0].ID
	}
	return f
}

func placeQuery(place string, extra ...string) string {
	q := url.Values{"place": {place}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q.Encode()
}

func withCounterError(v cview, err error) cview {
	v.Error = apperr.MessageOf(err)
	for _, f := range apperr.FieldsOf(err) {
		if v.Fields == nil {
			v.Fields = map[string]string{}
		}
		v.Fields[f.Field] = f.Message
	}
	return v
}

// queueTable is one table of the counter's waits on the dashboard.
type queueTable struct {
	Caption, Key string
	Rows         []counter.FigureRow
}
