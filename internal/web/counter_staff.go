package web

import (
	"net/http"

	"github.com/kofu-oss/kofu/internal/counter"
	"github.com/kofu-oss/kofu/internal/route"
)

type checkInView struct {
	placeForm
	WalkIns bool
}

func (c *counterPages) staffActor(r *http.Request) counter.Actor {
	p, _ := route.PrincipalOf(r)
	return counter.StaffActor(p, route.MetaOf(r))
}

func (c *counterPages) checkInView(r *http.Request) checkInView {
	st, _ := c.Counter.Settings(r.Context())
	return checkInView{placeForm: c.placeForm(r), WalkIns: st.WalkIns}
}

// checkInForm is the counter's check-in: scan the booking QR, or type the
// code or notice number.
func (c *counterPages) checkInForm(w http.ResponseWriter, r *http.Request) {
	c.ui.render(w, r, http.StatusOK, "checkin", view{Title: "受付（番号札）", Data: c.checkInView(r)})
}

func (c *counterPages) checkIn(w http.ResponseWriter, r *http.Request) {
	v := c.checkInView(r)
	v.Code = r.FormValue("code")
	t, created, err := c.Counter.CheckIn(r.Context(), c.staffActor(r), v.Code, v.Place)
	if err != nil {
		c.ui.render(w, r, statusFor(err), "checkin", withError(view{Title: "受付（番号札）", Data: v}, err))
		return
	}
	c.render(w, r, http.StatusOK, "ticket", cview{Title: "番号札 " + t.Number,
		Data: c.ticketView(t, "/staff/checkin?"+placeQuery(v.Place), true, !created)})
}

func (c *counterPages) walkIn(w http.ResponseWriter, r *http.Request) {
	v := c.checkInView(r)
	t, err := c.Counter.WalkIn(r.Context(), c.staffActor(r), v.Place)
	if err != nil {
		c.ui.render(w, r, statusFor(err), "checkin", withError(view{Title: "受付（番号札）", Data: v}, err))
		return
	}
	c.render(w, r, http.StatusOK, "ticket", cview{Title: "番号札 " + t.Number,
		Data: c.ticketView(t, "/staff/checkin?"+placeQuery(v.Place), true, false)})
}

type callsView struct {
	placeForm
	State counter.DeskState
}

// calls is a desk's counter screen: call the next number, call again,
// mark absent, finish.
func (c *counterPages) calls(w http.ResponseWriter, r *http.Request) {
	v := callsView{placeForm: c.placeForm(r)}
	var err error
	if v.Desk != "" {
		v.State, err = c.Counter.Desk(r.Context(), v.Place, v.Desk)
	}
	vw := view{Title: "呼び出し", Notice: r.FormValue("done"), Data: v}
	if err != nil {
		vw = withError(vw, err)
	}
	c.ui.render(w, r, http.StatusOK, "calls", vw)
}

func (c *counterPages) call(w http.ResponseWriter, r *http.Request) {
	v := callsView{placeForm: c.placeForm(r)}
	actions := map[string]func(*http.Request, counter.Actor, string, string) (counter.Call, string, error){
		"next": func(r *http.Request, a counter.Actor, p, d string) (counter.Call, string, error) {
			call, err := c.Counter.CallNext(r.Context(), a, p, d)
			return call, call.Ticket + " 番を呼び出しました。", err
		},
		"recall": func(r *http.Request, a counter.Actor, p, d string) (counter.Call, string, error) {
			call, err := c.Counter.Recall(r.Context(), a, p, d)
			return call, call.Ticket + " 番をもう一度呼び出しました。", err
		},
		"absent": func(r *http.Request, a counter.Actor, p, d string) (counter.Call, string, error) {
			call, err := c.Counter.Absent(r.Context(), a, p, d)
			return call, call.Ticket + " 番を不在にしました。", err
		},
		"finish": func(r *http.Request, a counter.Actor, p, d string) (counter.Call, string, error) {
			call, err := c.Counter.Finish(r.Context(), a, p, d)
			return call, call.Ticket + " 番の対応を終了しました。", err
		},
	}
	act, ok := actions[r.FormValue("action")]
	if !ok {
		act = actions["next"]
	}
	_, done, err := act(r, c.staffActor(r), v.Place, v.Desk)
	if err != nil {
		v.State, _ = c.Counter.Desk(r.Context(), v.Place, v.Desk)
		c.ui.render(w, r, statusFor(err), "calls", withError(view{Title: "呼び出し", Data: v}, err))
		return
	}
	http.Redirect(w, r, "/staff/calls?"+placeQuery(v.Place, "desk", v.Desk, "done", done), http.StatusSeeOther)
}
