package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kofu-oss/kofu/internal/apperr"
	"github.com/kofu-oss/kofu/internal/counter"
	"github.com/kofu-oss/kofu/internal/route"
	"github.com/kofu-oss/kofu/internal/store"
)

// device resolves the caller of a kiosk or display page; a browser that
// is neither gets the pairing page.
func (c *counterPages) device(w http.ResponseWriter, r *http.Request, kind string) (counter.Caller, bool) {
	cl, err := c.CallerOf(r)
	if err == nil && !cl.IsKind(kind) {
		err = apperr.New(apperr.Forbidden, "この端末はこの画面には使えません。管理者に登録を確かめてもらってください。")
	}
	if err != nil {
		c.render(w, r, statusFor(err), "pair", withCounterError(cview{Title: "端末の登録"}, err))
		return cl, false
	}
	return cl, true
}

// placeOf is the place a kiosk or display page is for: the device's own;
// for a staff member the one chosen, else the first.
func (c *counterPages) placeOf(r *http.Request, cl counter.Caller) string {
	if p := cl.Place(r.FormValue("place")); p != "" {
		return p
	}
	if ps, _ := c.Counter.Places(r.Context()); len(ps) > 0 {
		return ps[0].ID
	}
	return ""
}

type kioskView struct {
	Place   string
	WalkIns bool
	Code    string
}

func (c *counterPages) kioskView(r *http.Request, cl counter.Caller) kioskView {
	st, _ := c.Counter.Settings(r.Context())
	return kioskView{Place: c.placeOf(r, cl), WalkIns: st.WalkIns}
}

// kiosk is the self check-in page of a tablet at the entrance.
func (c *counterPages) kiosk(w http.ResponseWriter, r *http.Request) {
	cl, ok := c.device(w, r, store.DeviceKiosk)
	if !ok {
		return
	}
	c.render(w, r, http.StatusOK, "kiosk", cview{Title: "受付", Data: c.kioskView(r, cl)})
}

func (c *counterPages) kioskCheckIn(w http.ResponseWriter, r *http.Request) {
	cl, ok := c.device(w, r, store.DeviceKiosk)
	if !ok {
		return
	}
	v := c.kioskView(r, cl)
	var t counter.Ticket
	var created bool
	var err error
	if cl.Device != nil {
		t, created, err = c.Counter.KioskCheckIn(r.Context(), *cl.Device, cl.Actor, r.FormValue("code"))
	} else {
		t, created, err = c.Counter.CheckIn(r.Context(), cl.Actor, r.FormValue("code"), v.Place)
	}
	c.kioskTicket(w, r, v, t, !created, err)
}

func (c *counterPages) kioskWalkIn(w http.ResponseWriter, r *http.Request) {
	cl, ok := c.device(w, r, store.DeviceKiosk)
	if !ok {
		return
	}
	v := c.kioskView(r, cl)
	var t counter.Ticket
	var err error
	if cl.Device != nil {
		t, err = c.Counter.KioskWalkIn(r.Context(), *cl.Device, cl.Actor)
	} else {
		t, err = c.Counter.WalkIn(r.Context(), cl.Actor, v.Place)
	}
	c.kioskTicket(w, r, v, t, false, err)
}

// kioskTicket shows the ticket, and goes back to the empty kiosk page by
// itself so the next resident never sees it.
func (c *counterPages) kioskTicket(w http.ResponseWriter, r *http.Request, v kioskView, t counter.Ticket, reused bool, err error) {
	back := "/staff/kiosk?" + placeQuery(v.Place)
	if err != nil {
		c.render(w, r, statusFor(err), "kiosk", withCounterError(cview{Title: "受付", Refresh: 30, Back: back, Data: v}, err))
		return
	}
	c.render(w, r, http.StatusOK, "ticket", cview{Title: "番号札 " + t.Number, Refresh: 45, Back: back,
		Data: c.ticketView(t, back, false, reused)})
}

type displayView struct {
	counter.Board
	Events string
}

// display is the waiting room's screen: numbers and desks, never a name.
// Without JavaScript it reloads itself; with it, it follows the calls
// live (display.js on /staff/display/events) and chimes.
func (c *counterPages) display(w http.ResponseWriter, r *http.Request) {
	cl, ok := c.device(w, r, store.DeviceDisplay)
	if !ok {
		return
	}
	place := c.placeOf(r, cl)
	b, err := c.Counter.Board(r.Context(), place)
	if err != nil {
		c.render(w, r, statusFor(err), "pair", withCounterError(cview{Title: "呼び出し表示"}, err))
		return
	}
	c.render(w, r, http.StatusOK, "display", cview{Title: "呼び出し表示", Refresh: 10,
		Data: displayView{Board: b, Events: "/staff/display/events?" + placeQuery(place)}})
}

// events streams the place's board as Server-Sent Events.
func (c *counterPages) events(w http.ResponseWriter, r *http.Request) {
	cl, err := c.CallerOf(r)
	if err == nil && !cl.IsKind(store.DeviceDisplay) {
		err = apperr.New(apperr.Forbidden, "この端末はこの画面には使えません。")
	}
	place := c.placeOf(r, cl)
	var b counter.Board
	if err == nil {
		b, err = c.Counter.Board(r.Context(), place)
	}
	var ch <-chan counter.Board
	var leave func()
	if err == nil {
		ch, leave, err = c.Hub.Subscribe(b.Place, holderOf(cl))
	}
	if err != nil {
		http.Error(w, apperr.MessageOf(err), statusFor(err))
		return
	}
	defer leave()
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	keepAlive := time.NewTicker(20 * time.Second)
	defer keepAlive.Stop()
	// A stream ends after a while and the display reconnects by itself, so
	// no connection lives for days.
	end := time.NewTimer(streamLife)
	defer end.Stop()
	for {
		if writeBoard(w, b) != nil || rc.Flush() != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-keepAlive.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
			continue
		case <-end.C:
			return
		case next, ok := <-ch:
			if !ok {
				return // the server is stopping
			}
			b = next
		}
	}
}

// streamLife bounds one event stream.
const streamLife = 30 * time.Minute

func holderOf(cl counter.Caller) string {
	if cl.Device != nil {
		return "device:" + strconv.FormatInt(cl.Device.ID, 10)
	}
	return "user:" + strconv.FormatInt(cl.Actor.ID, 10)
}

func writeBoard(w http.ResponseWriter, b counter.Board) error {
	data, err := json.Marshal(b)
	if err == nil {
		_, err = fmt.Fprintf(w, "event: board\ndata: %s\n\n", data)
	}
	return err
}

// pairForm is where a kiosk or display takes its credential: the link an
// admin got when registering it carries the credential; the button stores
// it in this browser.
func (c *counterPages) pairForm(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusOK, "pair", cview{Title: "端末の登録", Data: r.FormValue("token")})
}

func (c *counterPages) pair(w http.ResponseWriter, r *http.Request) {
	token := r.FormValue("token")
	d, err := c.Counter.AuthenticateDevice(r.Context(), token)
	if err != nil {
		c.render(w, r, statusFor(err), "pair", withCounterError(cview{Title: "端末の登録"}, err))
		return
	}
	c.SetDevice(w, r, token)
	next := "/staff/kiosk"
	if d.Kind == store.DeviceDisplay {
		next = "/staff/display"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

type devicesView struct {
	Devices  []counter.Device
	Places   []placeOption
	Settings counter.Settings
	Created  *counter.Device
	Token    string
	PairURL  string
}

type placeOption struct{ ID, Name string }

func (c *counterPages) devicesView(r *http.Request) devicesView {
	v := devicesView{}
	v.Devices, _ = c.Counter.Devices(r.Context())
	v.Settings, _ = c.Counter.Settings(r.Context())
	ps, _ := c.Counter.Places(r.Context())
	for _, p := range ps {
		v.Places = append(v.Places, placeOption{p.ID, p.Name})
	}
	return v
}

// devices lists the kiosks and displays for admins, with the counter
// settings.
func (c *counterPages) devices(w http.ResponseWriter, r *http.Request) {
	c.ui.render(w, r, http.StatusOK, "devices", view{Title: "受付機・呼出表示と受付の設定", Notice: r.FormValue("done"), Data: c.devicesView(r)})
}

func (c *counterPages) createDevice(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	token, d, err := c.Counter.CreateDevice(r.Context(), counter.StaffActor(p, route.MetaOf(r)),
		counter.DeviceInput{Name: r.FormValue("name"), Kind: r.FormValue("kind"), Place: r.FormValue("place")})
	v := c.devicesView(r)
	if err != nil {
		c.ui.render(w, r, statusFor(err), "devices", withError(view{Title: "受付機・呼出表示と受付の設定", Data: v}, err))
		return
	}
	v.Created, v.Token, v.PairURL = &d, token, "/staff/device/pair?token="+token
	c.ui.render(w, r, http.StatusOK, "devices", view{Title: "受付機・呼出表示と受付の設定",
		Notice: "「" + d.Name + "」を登録しました。下の登録用リンクは今だけ表示されます。", Data: v})
}

func (c *counterPages) revokeDevice(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := c.Counter.RevokeDevice(r.Context(), counter.StaffActor(p, route.MetaOf(r)), id); err != nil {
		c.ui.ErrorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/staff/devices?done="+"端末の登録を取り消しました。", http.StatusSeeOther)
}

func (c *counterPages) saveSettings(w http.ResponseWriter, r *http.Request) {
	p, _ := route.PrincipalOf(r)
	early, _ := strconv.Atoi(r.FormValue("early_minutes"))
	per, _ := strconv.Atoi(r.FormValue("minutes_per_ticket"))
	near, _ := strconv.Atoi(r.FormValue("near_mail_ahead"))
	st := counter.Settings{EarlyMinutes: early, WalkIns: r.FormValue("walk_ins") == "1", MinutesPerTicket: per,
		NearMailAhead: near, PublicWait: r.FormValue("public_wait") == "1"}
	if err := c.Counter.SaveSettings(r.Context(), counter.StaffActor(p, route.MetaOf(r)), st); err != nil {
		v := c.devicesView(r)
		v.Settings = st
		c.ui.render(w, r, statusFor(err), "devices", withError(view{Title: "受付機・呼出表示と受付の設定", Data: v}, err))
		return
	}
	http.Redirect(w, r, "/staff/devices?done="+"受付の設定を保存しました。", http.StatusSeeOther)
}

// wait is the resident's own page from the ticket's QR: the number, how
// many are ahead and a rough wait. Nothing personal.
func (c *counterPages) wait(w http.ResponseWriter, r *http.Request) {
	f, err := c.Counter.Follow(r.Context(), r.PathValue("token"))
	if err != nil {
		c.render(w, r, statusFor(err), "wait", withCounterError(cview{Title: "番号札"}, err))
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	v := cview{Title: "番号札 " + f.Number, Refresh: 20, Data: waitView{Status: f, Token: r.PathValue("token")}}
	if r.URL.Query().Get("mail") == "1" && f.NearMail != "" && f.NearMail != "offer" {
		v.Notice = "順番が近づいたら、予約のときのメールアドレスにお知らせします。"
	}
	c.render(w, r, http.StatusOK, "wait", v)
}

// waitView is the resident's page: the ticket's status and the token its
// form posts back to.
type waitView struct {
	counter.Status
	Token string
}

// askNearMail records the resident's wish for a mail when their turn is
// near, and goes back to their page.
func (c *counterPages) askNearMail(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if err := c.Counter.AskNearMail(r.Context(), route.MetaOf(r), token); err != nil {
		w.Header().Set("Referrer-Policy", "no-referrer")
		c.render(w, r, statusFor(err), "wait", withCounterError(cview{Title: "番号札"}, err))
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, "/wait/"+url.PathEscape(token)+"?mail=1", http.StatusSeeOther)
}
